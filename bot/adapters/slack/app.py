"""The bolt app: one transport-independent dispatch from Slack traffic to ``BotApp.handle_*``.

HTTP mode and Socket Mode feed the same ``AsyncApp``. Every listener acknowledges first
(Slack's 3-second deadline) and hands the work to a task of its own, so bolt answers Slack
as soon as the listener returns.

Why not bolt's own ``process_before_response=False``: bolt then runs the listener in a task
and polls for the ack every 10 ms, which adds 10 ms to every ack and, with 100 requests in
flight, 10,000 wake-ups a second that compete with the work itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta, timezone
import logging
import os
import re
from typing import Any, Coroutine, Iterator

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from ...access import Access
from ...edge import UnusableField
from ...inbox import Receipt
from ...events import Origin
from ...ports import Invocation, MessageRef
from .access import SlackAccess
from .events import (EVENT_TYPES, PLATFORM, RecentIds, action_target, command_line, form_values, message_actions,
                     team_of, to_neutral, view_metadata)
from .outgoing import SlackPoster
from .responder import SlackResponder, Where

log = logging.getLogger(__name__)

# How long after a request its reply can still be sent (response_url: 30 minutes); a request left
# unfinished by a crash is finished at the next start if it is younger than this.
FOLLOW_UP_WINDOW = timedelta(minutes=30)


class Inflight:
    """Counts handlers still running, so tests and a clean shutdown can wait for them."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        self.count += 1
        self._idle.clear()

    def exit(self) -> None:
        self.count = max(0, self.count - 1)
        if self.count == 0:
            self._idle.set()

    async def wait_idle(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self._idle.wait(), timeout)


@contextlib.contextmanager
def _without_bolt_oauth_env() -> Iterator[None]:
    """SLACK_CLIENT_ID + SLACK_CLIENT_SECRET are the dashboard's "Sign in with Slack" (bot/dashboard);
    bolt reads the same two variables and, seeing them, turns into a multi-workspace OAuth app that
    finds no installation for any request: every command, click and event was dropped. The bot is
    installed with its bot token, so bolt is built without them."""
    saved = {name: os.environ.pop(name) for name in _BOLT_OAUTH_ENV if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


_BOLT_OAUTH_ENV = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")


def inbox_kind(body: dict[str, Any]) -> str | None:
    """The inbox kind a listener below stores this request as (None: none stores it)."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind == "block_actions":
        return "action"
    if kind == "view_submission":
        return "view"
    if kind == "event_callback" and isinstance(body.get("event"), dict) and body["event"].get("type") in EVENT_TYPES:
        return "event"
    return None


class DropRepeatedEvents(AsyncMiddleware):
    """Slack retries an event it thinks we missed (X-Slack-Retry-Num, Socket Mode retry_attempt):
    the same event_id is taken once. Listeners for our event types leave the inflight count.

    A middleware class rather than a function given to ``bolt.use``: bolt works out a function's
    arguments by inspecting it on every request, a cost every command and click paid for nothing."""

    def __init__(self, dispatch: "SlackDispatch") -> None:
        self.dispatch = dispatch

    async def async_process(self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Any) -> BoltResponse:
        body = req.body
        if body.get("type") == "event_callback":
            event_id = str(body.get("event_id") or "")
            if event_id and not self.dispatch.recent.first_time(event_id):
                log.info("event %s delivered again; already taken", event_id)
                return BoltResponse(status=200, body="")
            if (body.get("event") or {}).get("type") in EVENT_TYPES:
                self.dispatch.inflight.enter()
        return await next()


class SlackDispatch:
    """Registers the bolt listeners and turns each request into an Invocation or a neutral event."""

    def __init__(self, core: Any, client: AsyncWebClient, poster: SlackPoster, access: SlackAccess, *,
                 signing_secret: str | None, team_names: dict[str, str]) -> None:
        self.core = core
        self.poster = poster
        self.access = access
        self.team_names = team_names
        self.recent = RecentIds()
        self.inflight = Inflight()
        self._tasks: set[asyncio.Task[None]] = set()  # strong references: the loop keeps only weak ones
        with _without_bolt_oauth_env():
            self.bolt = self._bolt(client, signing_secret)
        self.bolt.use(DropRepeatedEvents(self))
        self.bolt.command(re.compile(r"^/.+"))(self._on_command)
        self.bolt.action(re.compile(".*"))(self._on_action)
        self.bolt.view(re.compile(".*"))(self._on_view_submission)
        for event_type in EVENT_TYPES:
            self.bolt.event(event_type)(self._on_event)
        # Any other event (app_mention, a subscription added in the Slack UI...) is acknowledged:
        # answering 404 would make Slack retry it and, in time, turn the subscription off.
        self.bolt.event(re.compile(".*"))(self._ignore_event)

    @staticmethod
    def _bolt(client: AsyncWebClient, signing_secret: str | None) -> AsyncApp:
        return AsyncApp(
            client=client,
            signing_secret=signing_secret or "",
            # Socket Mode has no signatures; in HTTP mode the gate in front of bolt checks them (and the
            # 5-minute window) over the raw bytes, and hands bolt the parsed body (http.py): not twice.
            request_verification_enabled=False,
            process_before_response=True,  # listeners return right after ack(); see the module docstring
            logger=logging.getLogger("bot.adapters.slack.bolt"),
        )

    # -- who and where ------------------------------------------------------------------------
    async def _invocation(self, where: Where, *, user_name: str | None = None,
                          channel_name: str | None = None) -> Invocation:
        try:
            user = await self.access.user(where.team_id, where.user_id)
            access = await self.access.access(where.team_id, where.user_id)
        except Exception:
            # The workspace API being unreachable must not make commands vanish silently.
            log.exception("could not look up %s; treating them as a member", where.user_id)
            user, access = None, Access.MEMBER
        origin = Origin(platform=PLATFORM, server_id=where.team_id, user_id=where.user_id,
                        user_name=(user.name if user and user.name else None) or user_name,
                        server_name=self.team_names.get(where.team_id), channel_id=where.channel_id,
                        channel_name=channel_name or where.channel_id)
        return Invocation(origin=origin, access=access, responder=SlackResponder(self.poster, where),
                          thread_id=where.thread_ts, message=where.message)

    async def _first_delivery(self, body: dict[str, Any]) -> bool:
        """Across HTTP workers: a retry may reach another process than the first delivery did,
        so the event id is also claimed in the database (the scheduler's unique claims table)."""
        event_id = str(body.get("event_id") or "")
        if not event_id:
            return True
        try:  # keyed on Slack's event_time: every delivery of one event carries the same one
            sent = datetime.fromtimestamp(int(body.get("event_time") or 0), tz=timezone.utc)
            return await self.core.scheduler.claim(f"slack:event:{event_id}", sent)
        except Exception:  # the database is away: count it rather than lose it
            log.warning("could not record Slack event %s; handling it anyway", event_id)
            return True

    # -- the inbox: stored before the ack, finished after ----------------------------------------
    async def _accept(self, kind: str, body: dict[str, Any], context: Any = None) -> Receipt | None:
        """Store the request before Slack gets its 200 (Slack never sends an acknowledged one again):
        in HTTP mode the gate already did, with the replay claim (the receipt is in bolt's context)."""
        receipt = context.get("inbox_receipt") if context is not None else None
        if receipt is not None:
            receipt.taken = True
            return receipt  # type: ignore[no-any-return]
        try:
            return await self.core.inbox.accept(PLATFORM, kind, body)
        except Exception:  # the database is away: handle it anyway rather than refuse it
            log.warning("could not store a Slack %s before acknowledging it; handling it anyway", kind)
            return None

    async def finish_unfinished(self) -> int:
        """Handle the requests a crashed process acknowledged but did not finish (bot/inbox.py)."""
        left = await self.core.inbox.unfinished(PLATFORM, FOLLOW_UP_WINDOW)
        for entry in left:
            body = entry.payload
            if entry.kind == "command":
                work = self._command(body)
            elif entry.kind == "action":
                work = self._action(body, (body.get("actions") or [{}])[0])
            elif entry.kind == "view":
                work = self._view_submission(body, body.get("view") or {})
            else:
                self.inflight.enter()  # left by _event
                work = self._event(body, at=entry.received_at, replayed=True)
            self._after_ack(work, entry.id)
        if left:
            log.warning("finishing %d Slack requests a previous process acknowledged but did not finish", len(left))
        return len(left)

    # -- after the ack ------------------------------------------------------------------------
    def _after_ack(self, work: Coroutine[Any, Any, None], entry: Receipt | int | None = None) -> None:
        """Run the work in its own task, counted in inflight, after the listener (and the ack) returned."""
        self.inflight.enter()
        task = asyncio.get_running_loop().create_task(self._run(work, entry))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, work: Coroutine[Any, Any, None], entry: Receipt | int | None) -> None:
        try:
            await work
        except Exception:
            log.exception("handling a Slack request failed")
        finally:
            self.core.inbox.finished(entry)  # handled (or failed for good): not again after a restart
            self.inflight.exit()

    # -- listeners ----------------------------------------------------------------------------
    async def _on_command(self, ack: Any, body: dict[str, Any], context: Any) -> None:
        entry = await self._accept("command", body, context)
        await ack()
        self._after_ack(self._command(body), entry)

    async def _command(self, body: dict[str, Any]) -> None:
        where = Where(team_id=team_of(body), user_id=str(body.get("user_id")), channel_id=body.get("channel_id"),
                      response_url=body.get("response_url"), trigger_id=body.get("trigger_id"))
        inv = await self._invocation(where, user_name=body.get("user_name"), channel_name=body.get("channel_name"))
        await self.core.handle_command_text(inv, command_line(body))

    async def _on_action(self, ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
        entry = await self._accept("action", body, context)
        await ack()
        self._after_ack(self._action(body, action), entry)

    async def _action(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        container = body.get("container") or {}
        channel_id = container.get("channel_id") or (body.get("channel") or {}).get("id")
        message = body.get("message") or {}
        thread_ts = message.get("thread_ts") if message.get("thread_ts") != message.get("ts") else None
        message_ts = container.get("message_ts") or message.get("ts")
        team_id = team_of(body)
        ref = MessageRef(PLATFORM, team_id, channel_id, str(message_ts), thread_ts) \
            if channel_id and message_ts else None
        where = Where(team_id=team_id, user_id=str((body.get("user") or {}).get("id")), channel_id=channel_id,
                      response_url=body.get("response_url"), trigger_id=body.get("trigger_id"),
                      thread_ts=thread_ts, message=ref, message_is_ephemeral=bool(container.get("is_ephemeral")))
        inv = await self._invocation(where, user_name=(body.get("user") or {}).get("name"),
                                     channel_name=(body.get("channel") or {}).get("name"))
        inv.message_actions = message_actions(body) if ref is not None else None
        await self.core.handle_action(inv, action_target(action))

    async def _on_view_submission(self, ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
        entry = await self._accept("view", body, context)
        await ack()  # closes the modal; answers arrive as messages
        self._after_ack(self._view_submission(body, view), entry)

    async def _view_submission(self, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = view_metadata(view)
        channel_id = meta.get("channel") or None
        team_id = team_of(body)
        ref = MessageRef(PLATFORM, team_id, channel_id, meta["message"], meta.get("thread") or None) \
            if channel_id and meta.get("message") else None
        where = Where(team_id=team_id, user_id=str((body.get("user") or {}).get("id")), channel_id=channel_id,
                      thread_ts=meta.get("thread") or None, message=ref)
        inv = await self._invocation(where, user_name=(body.get("user") or {}).get("name"))
        inv.values = form_values(view)
        await self.core.handle_action(inv, str(view.get("callback_id") or ""))

    async def _ignore_event(self, body: dict[str, Any]) -> None:
        event = body.get("event")
        log.debug("ignored Slack event %s", event.get("type") if isinstance(event, dict) else None)
        self._after_ack(self._seen(body))

    async def _seen(self, body: dict[str, Any]) -> None:
        """An event that is not activity still tells us the workspace exists ("*" schedules start)."""
        team_id = team_of(body)
        if team_id:
            await self.core.server_seen(PLATFORM, team_id, self.team_names.get(team_id))

    async def _on_event(self, body: dict[str, Any], context: Any) -> None:
        entry = await self._accept("event", body, context)
        self._after_ack(self._event(body), entry)  # bolt acknowledges events itself when the listener returns

    async def _event(self, body: dict[str, Any], *, at: datetime | None = None, replayed: bool = False) -> None:
        try:
            try:
                converted = to_neutral(body, at or self.core.clock.now())
            except UnusableField as error:
                self.core.refuse_event(PLATFORM, str(error))
                return
            if converted is None:
                await self._seen(body)
            elif replayed or await self._first_delivery(body):  # a replay was claimed before the crash
                await self.core.handle_event(*converted)
        finally:
            self.inflight.exit()  # entered by DropRepeatedEvents
