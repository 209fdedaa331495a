"""The answer to one interaction: directly when the handler is quick, else deferred and followed up.

Discord wants a first answer within 3 seconds. ``DiscordResponder`` answers directly when the
handler is quick, and otherwise defers (``spec.defer``, or automatically after ``defer_after``
seconds) and follows up; its first answer (the acknowledgement) waits for the interaction's
inbox row (bot/inbox.py), so an acknowledged interaction survives a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from typing import Any

import discord

from ...content import Content, Form
from ...errors import UserError
from ...ports import MessageRef, Responder
from .events import PLATFORM
from .render import build_modal, render

MAX_CUSTOM_ID = 100


class DiscordResponder(Responder):
    """Answers one interaction; knows whether it already answered, deferred, or used the original."""

    def __init__(self, interaction: discord.Interaction, *, server_id: str, channel_id: str,
                 thread_id: str | None, replayed: bool = False) -> None:
        self.interaction = interaction
        # Finishing an interaction a crashed process acknowledged: its callback is spent, answer by follow-up.
        self.replayed = replayed
        self.server_id, self.channel_id, self.thread_id = server_id, channel_id, thread_id
        self.lock = asyncio.Lock()
        self.deferred = False
        self.deferred_ephemeral = False
        self.original_pending = False  # a deferred "thinking…" message waits for its content
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.stored: asyncio.Future[Any] | None = None  # the inbox insert's Receipt.ready, under way meanwhile

    async def _durable(self) -> None:
        """The first answer (the acknowledgement) waits until the interaction is in the inbox (or the
        inbox's budget ran out). ``stored`` is this interaction's own future: awaited directly."""
        stored = self.stored
        if stored is not None and not stored.done():
            await stored

    @property
    def is_component(self) -> bool:
        kinds = (discord.InteractionType.component, discord.InteractionType.modal_submit)
        return self.interaction.type in kinds and self.interaction.message is not None

    def _ref(self, message_id: int | None) -> MessageRef | None:
        if message_id is None:
            return None
        return MessageRef(PLATFORM, self.server_id, self.channel_id, str(message_id), self.thread_id)

    # -- the 3-second deadline -------------------------------------------------------------
    def defer_later(self, delay: float, *, ephemeral: bool) -> None:
        loop = asyncio.get_running_loop()

        def fire() -> None:
            task = loop.create_task(self.defer(ephemeral=ephemeral))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        self._timer = loop.call_later(delay, fire)

    async def finish(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(Exception):
                await task

    def _answered(self) -> bool:
        return self.replayed or self.interaction.response.is_done()

    async def defer(self, *, ephemeral: bool) -> None:
        async with self.lock:
            if self._answered():
                return
            await self._durable()
            if self.is_component:
                await self.interaction.response.defer()  # "deferred update": no loading message
            else:
                await self.interaction.response.defer(ephemeral=ephemeral, thinking=True)
                self.original_pending = True
            self.deferred, self.deferred_ephemeral = True, ephemeral

    # -- answering -------------------------------------------------------------------------
    async def reply(self, content: Content, *, ephemeral: bool) -> MessageRef | None:
        rendered = render(content)
        async with self.lock:
            response = self.interaction.response
            if not self._answered():
                await self._durable()
                result = await response.send_message(**rendered.send_kwargs(), ephemeral=ephemeral)
                return None if ephemeral else self._ref(result.message_id)
            if self.original_pending:
                self.original_pending = False
                if ephemeral == self.deferred_ephemeral:
                    message = await self.interaction.edit_original_response(**rendered.edit_kwargs())
                    return None if ephemeral else self._ref(message.id)
                # The "thinking…" message has the wrong visibility: answer apart and remove it.
                sent = await self.interaction.followup.send(**rendered.send_kwargs(), ephemeral=ephemeral,
                                                            wait=True)
                with contextlib.suppress(discord.HTTPException):
                    await self.interaction.delete_original_response()
                return None if ephemeral else self._ref(sent.id)
            sent = await self.interaction.followup.send(**rendered.send_kwargs(), ephemeral=ephemeral, wait=True)
            return None if ephemeral else self._ref(sent.id)

    async def update(self, content: Content) -> None:
        if not self.is_component:
            await self.reply(content, ephemeral=True)
            return
        rendered = render(content)
        async with self.lock:
            if not self._answered():
                await self._durable()
                await self.interaction.response.edit_message(**rendered.edit_kwargs())
            else:
                await self.interaction.edit_original_response(**rendered.edit_kwargs())

    async def open_form(self, form: Form) -> None:
        async with self.lock:
            if self._answered():
                raise UserError("this form cannot open here — run the command again")
            if self.interaction.guild_id is None and self.server_id.isdigit():  # a form opened from a DM
                form = dataclasses.replace(form, submit_action=in_a_dm(form.submit_action, self.server_id))
            modal = build_modal(form)
            await self._durable()
            await self.interaction.response.send_modal(modal)
            modal.stop()  # the submit is handled from its custom_id, not by this object


def in_a_dm(custom_id: str, server_id: str) -> str:
    """The custom_id a button or form in a DM carries: Discord sends a click there without the
    server, so the id names it (``<action id>@<server id>``) when it fits in 100 characters."""
    tagged = f"{custom_id}@{server_id}"
    return tagged if len(tagged) <= MAX_CUSTOM_ID and server_id.isdigit() else custom_id
