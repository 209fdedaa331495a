"""Scheduled work. The database is the source of truth; APScheduler is only the timer.

Every firing first *claims* (key, due time) in ``schedule_claim`` with a unique key, then
runs: no double firing after a restart or with several processes. On start (and whenever a
schedule is added) a firing missed while the bot was down is run once if it is still
within the schedule's grace period, and never one from before the schedule existed.

With a real clock, APScheduler's AsyncIOScheduler (memory job store — see
PERFORMANCE-NOTES.md) wakes us up. With a FakeClock, ``advance(to)`` runs every due firing
in time order, deterministically, so tests never sleep.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from sqlalchemy import delete

from .clock import Clock
from .errors import TemporarilyUnavailable
from .claims import ClaimBatcher
from .models import ScheduleClaim

if TYPE_CHECKING:
    from .storage import Database

log = logging.getLogger(__name__)
FireCallback = Callable[[datetime], Awaitable[None]]
EPOCH = datetime(1970, 1, 5, tzinfo=timezone.utc)  # a Monday: intervals align across processes
RETRY_FIRST, RETRY_MAX = 1.0, 30.0  # seconds between claim retries while the database is away
STOP_WAIT = timedelta(seconds=10)  # at shutdown, how long firings in flight may take to finish


class EveryTrigger(BaseTrigger):
    """Fires every ``interval`` on a grid anchored at a fixed epoch (same instants in every process)."""

    def __init__(self, interval: timedelta) -> None:
        if interval <= timedelta(0):
            raise ValueError("interval must be positive")
        self.interval = interval

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime:
        start = now if previous_fire_time is None else max(now, previous_fire_time + timedelta(microseconds=1))
        steps = -(-(start - EPOCH) // self.interval)  # ceiling division
        return EPOCH + steps * self.interval

    def __str__(self) -> str:
        return f"every {self.interval}"


@dataclass
class Entry:
    key: str
    trigger: BaseTrigger
    callback: FireCallback
    grace: timedelta
    since: datetime
    exclusive: bool
    cursor: datetime  # fake-clock mode: the last instant already considered
    owner: tuple[str, str] | None = None  # (platform, server id) whose adapter must be here to fire


def process_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Scheduler:
    def __init__(self, db: "Database", clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self.entries: dict[str, Entry] = {}
        self.running = False
        self._aps: AsyncIOScheduler | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.identity = process_identity()
        # Firings whose claim failed because the database was unavailable: retried (with backoff
        # on a real clock, at the next step of ``advance`` on a fake one) within their grace.
        self.unclaimed: dict[tuple[str, datetime], Entry] = {}
        self.owner_check: Callable[[str, str], bool] | None = None
        # Claims (and seen Slack event ids) older than 30 days are deleted every
        # ``prune_every`` claims: they only guard against firing twice, which is long past.
        self.prune_every = 1000
        self.background: dict[str, tuple[timedelta, Callable[[], Awaitable[None]]]] = {}
        self._claims_since_prune = 0
        self._retrier: asyncio.Future[None] | None = None
        self._claims = ClaimBatcher(db, self.identity)

    # -- registration ---------------------------------------------------------------------
    def add(self, key: str, trigger: BaseTrigger, callback: FireCallback, *, grace: timedelta = timedelta(0),
            since: datetime | None = None, exclusive: bool = True, owner: tuple[str, str] | None = None) -> None:
        """Register (or replace) a schedule. ``since``: when it came to exist (no earlier firings).

        ``owner`` (platform, server id): only a process serving that server claims the firing,
        so a Slack-only process or another Discord shard never claims and then fails to post.
        """
        now = self.clock.now()
        since = since or now
        entry = Entry(key, trigger, callback, grace, since, exclusive, cursor=now, owner=owner)
        self.entries[key] = entry
        if self.running:
            self._spawn(self._catch_up(entry))
            self._add_timer(entry)

    def every(self, key: str, interval: timedelta, callback: Callable[[], Awaitable[None]]) -> None:
        """Background upkeep (e.g. picking up schedules another process created): not claimed,
        not counted as a firing. Runs on the real clock; tests call ``run_background()``."""
        self.background[key] = (interval, callback)
        if self._aps is not None:
            self._add_background_timer(key)

    async def run_background(self) -> None:
        for key, (_, callback) in list(self.background.items()):
            try:
                await callback()
            except Exception:
                log.exception("background task %s failed", key)

    def _add_background_timer(self, key: str) -> None:
        from apscheduler.triggers.interval import IntervalTrigger

        interval, callback = self.background[key]

        async def run() -> None:
            try:
                await callback()
            except Exception:
                log.exception("background task %s failed", key)

        assert self._aps is not None
        self._aps.add_job(run, IntervalTrigger(seconds=interval.total_seconds()), id=f"background:{key}",
                          replace_existing=True, coalesce=True, max_instances=1)

    def remove(self, key: str) -> None:
        self.entries.pop(key, None)
        if self._aps is not None and self._aps.get_job(key):
            self._aps.remove_job(key)

    def remove_prefix(self, prefix: str) -> None:
        for key in [k for k in self.entries if k.startswith(prefix)]:
            self.remove(key)
        for key in [k for k in self.background if k.startswith(prefix)]:
            del self.background[key]

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        self.running = True
        began = self.clock.now()
        await asyncio.gather(*(self._catch_up(e) for e in list(self.entries.values())))
        if not self.clock.fake:
            self._aps = AsyncIOScheduler(timezone=timezone.utc)
            for entry in self.entries.values():
                # timers from ``began``, not from when each is added: a firing due while 10,000
                # catch-ups and timers were being set up (seconds) runs at once instead of never
                # (one the catch-up ran too is claimed once)
                self._add_timer(entry, since=began)
            for key in self.background:
                self._add_background_timer(key)
            self._aps.start()

    async def stop(self) -> None:
        self.running = False
        if self._retrier is not None:
            self._retrier.cancel()
            self._retrier = None
        if self._aps is not None:
            self._aps.pause()  # no new firings; shutdown() would cancel those in flight
        # Let firings in flight finish (a claim cut off half-way would be a firing never posted);
        # those handed out just before the pause start a tick later, so look again until none.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_WAIT.total_seconds()

        def in_flight() -> list[asyncio.Task[Any]]:
            return [t for t in self._tasks if t is not asyncio.current_task() and not t.done()]

        for _ in range(2):
            while (pending := in_flight()) and loop.time() < deadline:
                await asyncio.wait(pending, timeout=deadline - loop.time())
            await asyncio.sleep(0)
        if in_flight():
            log.warning("stopping with %d scheduled firings still running", len(in_flight()))
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None

    def _add_timer(self, entry: Entry, since: datetime | None = None) -> None:
        if self._aps is None:
            return
        first: dict[str, Any] = {}
        if since is not None:
            due = entry.trigger.get_next_fire_time(None, since)
            if due is None:
                return  # it never fires again
            first["next_run_time"] = due
        self._aps.add_job(self._on_timer, entry.trigger, args=[entry.key], id=entry.key, replace_existing=True,
                          coalesce=True, max_instances=1,
                          misfire_grace_time=max(1, int(entry.grace.total_seconds())) or None, **first)

    async def _on_timer(self, key: str) -> None:
        entry = self.entries.get(key)
        if entry is None or not self.running:
            return
        task = asyncio.current_task()
        if task is not None:  # so stop() waits for firings in flight
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        # APScheduler does not hand us the scheduled time: the due firing is the latest one <= now.
        from .when import latest_fire_time

        now = self.clock.now()
        # Almost always the timer is on time: look back a minute first (walking a whole grace
        # period of a frequent schedule costs ~100 trigger steps on the event loop per firing).
        due = latest_fire_time(entry.trigger, not_after=now, not_before=now - timedelta(minutes=1))
        if due is None and entry.grace > timedelta(minutes=1):
            due = latest_fire_time(entry.trigger, not_after=now, not_before=now - entry.grace)
        if due is not None:
            try:
                await self.fire(entry, due)
            except asyncio.CancelledError:  # the process is ending: one line, not a traceback
                log.warning("shutdown interrupted %s due %s", key, due.isoformat())

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- firing ---------------------------------------------------------------------------
    async def _catch_up(self, entry: Entry) -> None:
        """Run the most recent missed firing if it is inside the grace period."""
        from .when import latest_fire_time

        now = self.clock.now()
        if entry.grace <= timedelta(0):
            return
        window_start = max(entry.since, now - entry.grace)
        due = latest_fire_time(entry.trigger, not_after=now, not_before=window_start)
        if due is not None and due >= entry.since:
            await self.fire(entry, due, catch_up=True)

    async def fire(self, entry: Entry, due: datetime, *, catch_up: bool = False) -> bool:
        """Claim then run one firing. Returns whether this process ran it.

        ``due`` reaches the claim and the callback in UTC, whichever path found it: a zone's
        aware datetime would do wall-clock arithmetic (03:00 EDT minus a second is an hour
        later) and compare by wall reading (01:30 EDT == 01:30 EST) on DST days."""
        due = due.astimezone(timezone.utc)
        if entry.owner is not None and self.owner_check is not None and not self.owner_check(*entry.owner):
            return False  # another process serves that server
        try:
            if entry.exclusive and not await self.claim(entry.key, due):
                return False
        except TemporarilyUnavailable:
            # The database is away: keep the firing and try again while it is still on time.
            log.warning("database unavailable: %s due %s will be retried", entry.key, due.isoformat())
            self._retry_later(entry, due)
            return False
        if catch_up:
            log.info("catching up %s due %s", entry.key, due.isoformat())
        try:
            await entry.callback(due)
        except Exception:
            log.exception("scheduled %s (due %s) failed", entry.key, due.isoformat())
        return True

    def _retry_later(self, entry: Entry, due: datetime) -> None:
        self.unclaimed[(entry.key, due)] = entry
        if not self.clock.fake and self.running and (self._retrier is None or self._retrier.done()):
            self._retrier = asyncio.ensure_future(self._retry_loop())

    async def _retry_loop(self) -> None:
        delay = RETRY_FIRST
        while self.unclaimed and self.running:
            await asyncio.sleep(delay)
            await self.retry_unclaimed()
            delay = min(delay * 2, RETRY_MAX)

    async def retry_unclaimed(self) -> int:
        """Fire again what could not be claimed while the database was away, if still on time."""
        fired = 0
        now = self.clock.now()
        for (key, due), entry in sorted(self.unclaimed.items(), key=lambda item: item[0][1]):
            del self.unclaimed[(key, due)]
            if self.entries.get(key) is not entry:
                continue  # removed or replaced meanwhile
            if now > due + max(entry.grace, timedelta(minutes=1)):
                log.warning("skipped %s due %s: the database was unavailable until after its grace period",
                            key, due.isoformat())
                continue
            if await self.fire(entry, due, catch_up=True):
                fired += 1
        return fired

    async def claim(self, key: str, due_at: datetime) -> bool:
        """Insert the (key, due) row; False when someone already did (restart, other process)."""

        claimed = await self._claims.claim(key, due_at)
        self._claims_since_prune += 1
        if self._claims_since_prune >= self.prune_every:  # housekeeping rides along, no timer of its own
            self._claims_since_prune = 0
            await self.prune_claims()
        return claimed

    async def prune_claims(self, older_than: timedelta = timedelta(days=30)) -> int:
        cutoff = self.clock.now() - older_than

        def prune(session: object) -> int:
            result = session.execute(delete(ScheduleClaim).where(ScheduleClaim.due_at < cutoff))  # type: ignore[attr-defined]
            return result.rowcount or 0

        return await self.db.run(prune)

    # -- fake clock -----------------------------------------------------------------------
    async def advance(self, to: datetime | timedelta) -> int:
        """(FakeClock) Move time forward, running every due firing in order. Returns firings run."""
        from .when import next_fire_times

        # compared in UTC: two aware datetimes of one zone compare by wall reading, fold ignored
        target = (self.clock.now() + to if isinstance(to, timedelta) else to).astimezone(timezone.utc)
        fired = 0
        while True:
            if self.unclaimed:
                fired += await self.retry_unclaimed()
            upcoming: list[tuple[datetime, str]] = []
            for entry in list(self.entries.values()):
                nxt = [t.astimezone(timezone.utc) for t in next_fire_times(entry.trigger, entry.cursor, 1)]
                if nxt and nxt[0] <= target:
                    upcoming.append((nxt[0], entry.key))
            if not upcoming:
                break
            due, key = min(upcoming)
            entry = self.entries[key]
            entry.cursor = due
            if due > self.clock.now():
                self.clock.set(due)  # type: ignore[attr-defined]
            if await self.fire(entry, due):
                fired += 1
            await asyncio.sleep(0)
        if target > self.clock.now():
            self.clock.set(target)  # type: ignore[attr-defined]
        if self.unclaimed:
            fired += await self.retry_unclaimed()
        for entry in self.entries.values():
            entry.cursor = max(entry.cursor, target)
        return fired
