"""Platform events on their way in: checked, resolved to community and member, dispatched.

Resolving needs the database when a member is new or their cached row is older than a minute.
While the database is away, events wait here by their platform ids (``Origin`` + event, no
database ids) in a bounded FIFO and are resolved when it is back, oldest first, so an outage
of a few minutes loses nothing. Past ``max_pending`` events (default 50,000: 29 MB measured
with tracemalloc, or minutes of a busy server's traffic) new events are dropped, counted in
``dropped`` and logged at most once a minute. Events are kept in memory only: a process killed during an outage loses
those still waiting.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from .edge import bounded_event, bounded_origin, why_invalid
from .errors import TemporarilyUnavailable
from .events import Event, Origin

if TYPE_CHECKING:
    from .app import BotApp

log = logging.getLogger(__name__)

RETRY_FIRST, RETRY_MAX = 0.25, 5.0  # seconds between attempts while the database is away


class EventIntake:
    def __init__(self, app: "BotApp", *, max_pending: int = 50_000) -> None:
        self.app = app
        self.max_pending = max_pending
        self.pending: deque[tuple[Origin, Event]] = deque()
        self.refused = 0  # events whose ids could not be stored (bot/edge.py)
        self.dropped = 0  # events that found the waiting buffer full
        self.waited = 0  # events that waited for the database and were delivered later
        self._logged: dict[str, float] = {}
        self._retry: asyncio.Task[None] | None = None

    async def handle(self, origin: Origin, event: Event) -> None:
        checked, event = bounded_origin(origin), bounded_event(event)
        if checked is None or event is None:
            self.refuse(origin.platform, why_invalid(origin) or "event id")
            return
        if self.pending:  # keep the order: nothing overtakes what is waiting
            self._wait(checked, event)
            return
        try:
            await self._deliver(checked, event)
        except TemporarilyUnavailable:
            self._wait(checked, event)

    def refuse(self, platform: str, what: str) -> None:
        self.refused += 1
        self._log_once("refused", "ignored a %s event with an unusable %s (%d ignored so far)", platform, what,
                       self.refused)

    async def _deliver(self, origin: Origin, event: Event) -> None:
        app = self.app
        try:
            community = await app.community_for(origin)
            member = await app.member_for(community, origin) if origin.user_id else None
        except TemporarilyUnavailable:
            raise
        except Exception:
            log.exception("could not resolve %s for %s", origin, type(event).__name__)
            return
        assert community.id is not None
        event = dataclasses.replace(event, community_id=community.id,
                                    member_id=member.id if member and member.id else 0,
                                    channel_id=event.channel_id or origin.channel_id)
        author = getattr(event, "message_author", None)
        if author:  # a reaction names the reacted message's author: resolve them too
            try:
                written_by = await app.member_for(community, dataclasses.replace(origin, user_id=author,
                                                                                 user_name=None))
            except TemporarilyUnavailable:
                raise
            except Exception:
                log.exception("could not resolve the author of a reacted message in %s", origin.server_id)
            else:
                event = dataclasses.replace(event, message_author_id=written_by.id or 0)
        await app._dispatch(event, community, member)

    # -- waiting for the database ------------------------------------------------------------
    def _wait(self, origin: Origin, event: Event) -> None:
        if len(self.pending) >= self.max_pending:
            self.dropped += 1
            self._log_once("full", "database still away and %d events waiting: %d events dropped so far",
                           len(self.pending), self.dropped)
            return
        if not self.pending:
            log.warning("database unavailable: events wait by platform ids until it is back")
        self.pending.append((origin, event))
        if self._retry is None or self._retry.done():
            self._retry = asyncio.get_running_loop().create_task(self._retry_until_empty(), name="event-intake")

    async def _retry_until_empty(self) -> None:
        delay = RETRY_FIRST
        while self.pending:
            await asyncio.sleep(delay)
            if await self.drain():
                delay = RETRY_FIRST
            else:
                delay = min(delay * 2, RETRY_MAX)

    async def drain(self) -> bool:
        """Deliver waiting events, oldest first; False if the database is still away."""
        delivered = 0
        while self.pending:
            origin, event = self.pending[0]
            try:
                await self._deliver(origin, event)
            except TemporarilyUnavailable:
                return False
            self.pending.popleft()
            delivered += 1
            self.waited += 1
        if delivered:
            log.warning("database back: %d waiting events delivered", delivered)
        return True

    async def stop(self) -> None:
        """Deliver what still waits if the database allows (a clean shutdown), then stop retrying."""
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        if self.pending and not await self.drain():
            log.warning("stopping with %d events still waiting for the database: they are lost",
                        len(self.pending))

    def _log_once(self, key: str, message: str, *args: Any) -> None:
        now = time.monotonic()
        if now - self._logged.get(key, float("-inf")) >= 60:
            self._logged[key] = now
            log.warning(message, *args)
