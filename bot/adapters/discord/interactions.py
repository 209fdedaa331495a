"""Interactions: slash commands, button clicks and form submits -> ``BotApp.handle_*``.

Discord wants an answer within 3 seconds. The responder answers directly when the handler
is quick, and otherwise defers (``spec.defer``, or automatically after ``defer_after``
seconds) and follows up. A click names its cog action in the button's custom_id and a form
submit names the cog's submit action in the modal's: nothing lives in memory.

``route`` is called by the gateway parser (client.py) with each INTERACTION_CREATE payload and
starts one task that stores it in the inbox and handles it: discord.py's own routing (its view
store, building a DynamicItem per click, a task for the "interaction" event) came to the same
call by a longer way, and its ``_run_event`` wrapper is replaced by the plain guard here.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Awaitable, Callable

import aiohttp
import discord

from ...content import Content
from ...errors import UserError
from ...events import Origin
from ...inbox import Receipt
from ...options import ChannelRef, FileUpload, MemberRef
from ...ports import Invocation
from .access import member_access
from .events import PLATFORM, display_name, where
from .responder import MAX_CUSTOM_ID, DiscordResponder, in_a_dm

__all__ = ["InteractionHandler", "DiscordResponder", "command_path", "dm_content", "dm_target", "form_values",
           "in_a_dm", "member_ref", "MAX_CUSTOM_ID"]

if TYPE_CHECKING:
    from .adapter import DiscordAdapter

log = logging.getLogger(__name__)

MAX_UPLOAD = 256 * 1024
SUB_COMMAND, SUB_COMMAND_GROUP, USER, CHANNEL, ATTACHMENT = 1, 2, 6, 7, 11
FOLLOW_UP_WINDOW = timedelta(minutes=15)  # an interaction token's life
APPLICATION_COMMAND, COMPONENT, MODAL_SUBMIT = 2, 3, 5
ROUTED = (APPLICATION_COMMAND, COMPONENT, MODAL_SUBMIT)  # the interaction types the adapter handles
Raw = tuple[Any, "str | None"]  # an interaction's gateway payload and the frame's text it came in
_DM_SERVER = re.compile(r"^(?P<id>.+)@(?P<server>\d{1,20})$")
ACCEPT_BUDGET = 1.5  # seconds the inbox insert may hold the first answer (a 2-second defer waits for it too)


def objects(value: Any) -> list[dict[str, Any]]:
    """The objects of a payload list (a list of options, components...); anything else is none.
    A Discord-compatible server (or a change at Discord) may send ``"options": "x"``: that raised
    in the handler, a traceback and no answer."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def an_object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def interaction_data(stored: dict[str, Any]) -> dict[str, Any]:
    """An interaction's payload from its inbox row: the gateway frame it came in (``{"op": 0, "t":
    "INTERACTION_CREATE", "d": {...}}``) or, stored before frames were, the payload itself."""
    inner = stored.get("d")
    if stored.get("t") == "INTERACTION_CREATE" and isinstance(inner, dict):
        return inner
    return stored


def form_values(components: Any) -> dict[str, str]:
    """Text inputs of a modal submit, in action rows (type 1) or labels (type 18)."""
    values: dict[str, str] = {}
    stack = objects(components)
    while stack:
        item = stack.pop(0)
        stack.extend(objects(item.get("components")))
        stack.extend(objects([item.get("component")]))
        if item.get("type") == 4 and isinstance(item.get("custom_id"), str):
            values[item["custom_id"]] = str(item.get("value") or "")
    return values


def command_path(options: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """Walk subcommand groups/subcommands: (["bank", "add"], leaf options)."""
    path: list[str] = []
    options = objects(options)
    while options and options[0].get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
        path.append(str(options[0].get("name") or ""))
        options = objects(options[0].get("options"))
    return path, options


def dm_content(content: Content, server_id: str) -> Content:
    """A copy of the content whose buttons name the server (see ``in_a_dm``)."""
    rows = [[dataclasses.replace(b, action_id=in_a_dm(b.action_id, server_id)) for b in row] for row in content.rows]
    return dataclasses.replace(content, rows=rows)


def dm_target(interaction: discord.Interaction, custom_id: str) -> tuple[str, str | None]:
    """(action id, server id) of a click or submit in a DM that names its server; else (custom_id, None)."""
    if interaction.guild_id is not None:
        return custom_id, None
    match = _DM_SERVER.match(custom_id)
    return (match["id"], match["server"]) if match else (custom_id, None)


def origin_of(interaction: discord.Interaction, server: str | None = None) -> tuple[Origin, str | None]:
    channel_id, channel_name, thread_id = where(interaction.channel)
    guild = interaction.guild
    server_id = str(interaction.guild_id) if interaction.guild_id is not None else (server or "None")
    origin = Origin(platform=PLATFORM, server_id=server_id, user_id=str(interaction.user.id),
                    user_name=display_name(interaction.user), server_name=guild.name if guild else None,
                    channel_id=channel_id or str(interaction.channel_id), channel_name=channel_name)
    return origin, thread_id


class InteractionHandler:
    """Turns each kind of interaction into one core call."""

    def __init__(self, adapter: "DiscordAdapter") -> None:
        self.adapter = adapter
        self.app = adapter.app
        self._tasks: set[asyncio.Task[None]] = set()  # interactions being handled (a task needs a reference)
        self._storing: dict[int, asyncio.Future[None]] = {}  # interaction id -> its inbox row's Receipt.ready

    def _invocation(self, interaction: discord.Interaction, replayed: bool = False,
                    server: str | None = None) -> Invocation:
        origin, thread_id = origin_of(interaction, server)
        roles = self.app.community_config(PLATFORM, origin.server_id).instructors.roles
        access = member_access(interaction.user, roles, interaction.permissions)
        responder = DiscordResponder(interaction, server_id=origin.server_id,
                                     channel_id=origin.channel_id or "", thread_id=thread_id, replayed=replayed)
        responder.stored = self._storing.get(interaction.id)
        message = None
        if interaction.message is not None:
            message = responder._ref(interaction.message.id)
        return Invocation(origin=origin, access=access, responder=responder, thread_id=thread_id, message=message)

    async def _outside_a_server(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is not None:
            return False
        custom_id = str((interaction.data or {}).get("custom_id") or "")
        if interaction.type != discord.InteractionType.application_command and dm_target(interaction, custom_id)[1]:
            return False  # a button or form the bot sent in a DM, naming its server
        with contextlib.suppress(discord.HTTPException):
            await interaction.response.send_message("⚠️ Use me inside a server.", ephemeral=True)
        return True

    # -- routing: one task per interaction, from the gateway parser ----------------------------
    def route(self, data: Any, frame: str | None, state: Any) -> bool:
        """Start handling an interaction the gateway delivered; False for a kind the bot does not
        handle (autocomplete, pings...), which discord.py then parses as usual. ``frame``: the
        gateway frame's text this payload was parsed from, stored as it is (no second JSON encoding)."""
        kind = data.get("type") if isinstance(data, dict) else None
        if kind not in ROUTED:
            return False
        interaction = discord.Interaction(data=data, state=state)
        if interaction.guild_id is not None and not self.adapter.serves(str(interaction.guild_id)):
            return True
        task = asyncio.get_running_loop().create_task(self._routed(interaction, kind, (data, frame)),
                                                      name=f"discord-interaction-{interaction.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _routed(self, interaction: discord.Interaction, kind: int, raw: Raw) -> None:
        try:
            if kind == APPLICATION_COMMAND:
                await self._durably(interaction, raw, lambda: self._command(interaction, False))
            elif kind == MODAL_SUBMIT:
                await self._durably(interaction, raw, lambda: self._form_submit(interaction, False))
            else:
                custom_id = str(an_object(interaction.data).get("custom_id") or "")
                await self._durably(interaction, raw, lambda: self._click(interaction, custom_id, False))
        except Exception:
            log.exception("error while handling Discord interaction %s", interaction.id)

    # -- durable: in the inbox before the first answer (bot/inbox.py) -----------------------------
    async def _durably(self, interaction: discord.Interaction, raw: Raw | None,
                       run: Callable[[], Awaitable[None]]) -> None:
        if await self._outside_a_server(interaction):
            return
        # The insert runs while the handler does (its first answer waits for the row: DiscordResponder
        # ._durable), so the acknowledgement pays max(insert, handling), not their sum.
        receipt = self._store(interaction, raw) if raw is not None else None
        if receipt is not None:
            self._storing[interaction.id] = receipt.ready
        try:
            await run()  # the defer timer counts from now: a defer waits for the insert too
        finally:
            if receipt is not None:
                del self._storing[interaction.id]
                task = receipt.task
                if task.done() and not task.cancelled() and task.exception() is not None:
                    log.warning("could not store Discord interaction %s before answering; handled it anyway",
                                interaction.id)
                self.app.inbox.finished(receipt)

    def _store(self, interaction: discord.Interaction, raw: Raw) -> Receipt | None:
        """Queue the interaction for the inbox's next group commit (bot/inbox.py ``submit``): the
        gateway frame's own text when it is the one this payload came from, else the payload."""
        data, frame = raw
        try:
            if frame is not None:
                return self.app.inbox.submit(PLATFORM, "interaction", text=frame, budget=ACCEPT_BUDGET)
            return self.app.inbox.submit(PLATFORM, "interaction", data, budget=ACCEPT_BUDGET)
        except Exception:
            log.warning("could not store Discord interaction %s before answering; handling it anyway", interaction.id)
        return None

    async def finish_unfinished(self, client: discord.Client) -> int:
        """Finish the interactions a crashed process stored but did not finish (their token lives 15 min)."""
        left = await self.app.inbox.unfinished(PLATFORM, FOLLOW_UP_WINDOW)
        for entry in left:
            interaction = discord.Interaction(data=interaction_data(entry.payload),  # type: ignore[arg-type]
                                              state=client._connection)
            try:
                if interaction.type == discord.InteractionType.application_command:
                    await self._command(interaction, True)
                elif interaction.type == discord.InteractionType.modal_submit:
                    await self._form_submit(interaction, True)
                elif interaction.type == discord.InteractionType.component:
                    await self._click(interaction, str((interaction.data or {}).get("custom_id", "")), True)
            except Exception:
                log.exception("could not finish Discord interaction %s after a restart", interaction.id)
            finally:
                self.app.inbox.finished(entry.id)
        if left:
            log.warning("finished %d Discord interactions a previous process stored but did not finish", len(left))
        return len(left)

    # -- handling -------------------------------------------------------------------------------
    async def _command(self, interaction: discord.Interaction, replayed: bool) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        top = str(data.get("name", ""))
        path, leaf = command_path(data.get("options"))
        inv = self._invocation(interaction, replayed)
        try:
            spec = self.app.tree.find(top, list(path))[1]
        except UserError:
            spec = None
        responder: DiscordResponder = inv.responder  # type: ignore[assignment]
        ephemeral = spec.ephemeral if spec is not None else True
        responder.defer_later(self.adapter.defer_after, ephemeral=ephemeral)
        try:
            values = await self._values(interaction, leaf, an_object(data.get("resolved")), inv)
            await self.app.handle_command(inv, top, " ".join(path), values)
        except UserError as error:  # e.g. an attachment that is too large
            await responder.reply(Content(text=f"⚠️ {error}"), ephemeral=True)
        finally:
            await responder.finish()

    async def _values(self, interaction: discord.Interaction, leaf: list[dict[str, Any]],
                      resolved: dict[str, Any], inv: Invocation) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for option in leaf:
            name, kind, raw = str(option.get("name") or ""), option.get("type"), option.get("value")
            if kind == USER:
                values[name] = member_ref(str(raw), resolved)
            elif kind == CHANNEL:
                channel = an_object(an_object(resolved.get("channels")).get(str(raw)))
                values[name] = ChannelRef(str(raw), channel.get("name", ""))
            elif kind == ATTACHMENT:
                upload = await self._download(interaction, an_object(an_object(resolved.get("attachments")).get(str(raw))))
                values[name] = inv.files[name] = upload
            else:
                values[name] = raw
        return values

    async def _download(self, interaction: discord.Interaction, data: dict[str, Any] | None) -> FileUpload:
        if not data:
            raise UserError("the attached file did not arrive — try again")
        attachment = discord.Attachment(data=data, state=interaction._state)  # type: ignore[arg-type]
        if attachment.size > MAX_UPLOAD:
            raise UserError(f"{attachment.filename} is too large (at most {MAX_UPLOAD // 1024} KB)")
        try:
            data = await attachment.read()
        except (discord.HTTPException, aiohttp.ClientError, asyncio.TimeoutError) as error:
            log.info("attachment %s could not be downloaded: %r", attachment.id, error)
            raise UserError(f"{attachment.filename} could not be downloaded from Discord — attach it again") from None
        return FileUpload(attachment.filename, data, attachment.content_type or "application/octet-stream")

    async def _click(self, interaction: discord.Interaction, action_id: str, replayed: bool) -> None:
        action_id, server = dm_target(interaction, action_id)
        inv = self._invocation(interaction, replayed, server)
        responder: DiscordResponder = inv.responder  # type: ignore[assignment]
        responder.defer_later(self.adapter.defer_after, ephemeral=True)
        try:
            await self.app.handle_action(inv, action_id)
        finally:
            await responder.finish()

    async def _form_submit(self, interaction: discord.Interaction, replayed: bool) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        action_id, server = dm_target(interaction, str(data.get("custom_id", "")))
        inv = self._invocation(interaction, replayed, server)
        inv.values = form_values(data.get("components"))
        responder: DiscordResponder = inv.responder  # type: ignore[assignment]
        responder.defer_later(self.adapter.defer_after, ephemeral=True)
        try:
            await self.app.handle_action(inv, action_id)
        finally:
            await responder.finish()


def member_ref(user_id: str, resolved: dict[str, Any]) -> MemberRef:
    user = an_object(an_object(resolved.get("users")).get(user_id))
    member = an_object(an_object(resolved.get("members")).get(user_id))
    name = member.get("nick") or user.get("global_name") or user.get("username") or ""
    return MemberRef(user_id, name)
