"""The one batched writer for participation events.

Listeners never touch the database: they ``put`` a small tuple on a bounded queue. One task
drains it every ``interval`` (~200 ms) or as soon as ``batch_size`` events wait, and writes
each batch in ONE transaction off the event loop: a Core executemany into
``participation_event``, then one upsert per (community, day, member) into the daily rollup,
one per (community, day, member, kind) into the counts by kind and one per member into
``participation_member`` — the batch is aggregated in memory first.
``stop()`` drains everything, so a clean shutdown loses nothing. A full queue drops the
event, counts it and logs (at most once per ``log_every`` seconds): back-pressure never
blocks the event loop. A row the database refuses is isolated by splitting its batch and
dropped (counted in ``rejected``): one bad event never holds up the others.
"""

from __future__ import annotations

import asyncio
from collections import deque
import logging
import sqlite3
import time
from datetime import date, datetime, timezone
from typing import Any, Callable, Iterable, NamedTuple

from sqlalchemy import case, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.errors import TemporarilyUnavailable
from bot.models import Member

from .models import ParticipantState, ParticipationDaily, ParticipationDailyKind, ParticipationEvent

log = logging.getLogger("cogs.stats.writer")

EVENT = ParticipationEvent.__table__
DAILY = ParticipationDaily.__table__
KIND = ParticipationDailyKind.__table__
STATE = ParticipantState.__table__


class EventBuffer:
    """A bounded FIFO for the event loop's side of the writer.

    Only the loop thread touches it, so a deque is enough: asyncio.Queue's futures and
    bookkeeping cost more per event (~3 µs) than the rest of the listener's work.
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: deque[Any] = deque()

    def put_nowait(self, item: Any) -> None:
        if len(self._items) >= self.maxsize:
            raise asyncio.QueueFull
        self._items.append(item)

    def get_nowait(self) -> Any:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.popleft()

    def take(self, limit: int) -> list[Any]:
        """Up to ``limit`` items, oldest first."""
        items = self._items
        if len(items) <= limit:
            batch = list(items)
            items.clear()
            return batch
        return [items.popleft() for _ in range(limit)]

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def full(self) -> bool:
        return len(self._items) >= self.maxsize


class Item(NamedTuple):
    """One participation event as the listener queues it (no ORM object, no text)."""

    community_id: int
    member_id: int
    kind: str
    channel_id: str | None
    at: datetime  # aware UTC
    day: date  # the community's local day
    points: float
    active: bool = True  # the kind makes a member active that day (ActivityKind.active)


# --- the synchronous part: one batch, one transaction -----------------------------------------
def _upsert(table: Any, dialect: str, keys: list[str], updates: dict[str, Any]) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(table)
    excluded = stmt.excluded
    return stmt.on_conflict_do_update(index_elements=keys,
                                      set_={name: build(table.c, excluded) for name, build in updates.items()})


def _later(col: Any, new: Any) -> Any:
    return case((new > col, new), else_=col)


def _earlier(col: Any, new: Any) -> Any:
    return case((new < col, new), else_=col)


def rollup_statement(dialect: str) -> Any:
    adds = {c: (lambda t, e, c=c: t[c] + e[c]) for c in ("events", "active", "points")}
    return _upsert(DAILY, dialect, ["community_id", "day", "member_id"], adds)


def kind_statement(dialect: str) -> Any:
    return _upsert(KIND, dialect, ["community_id", "day", "member_id", "kind"],
                   {"count": lambda t, e: t.count + e.count})


def state_statement(dialect: str) -> Any:
    return _upsert(STATE, dialect, ["community_id", "member_id"], {
        "first_event_at": lambda t, e: _earlier(t.first_event_at, e.first_event_at),
        "last_event_at": lambda t, e: _later(t.last_event_at, e.last_event_at),
        "joined_at": lambda t, e: func.coalesce(t.joined_at, e.joined_at),
        "points_total": lambda t, e: t.points_total + e.points_total,
    })


EVENT_KEYS = ["community_id", "member_id", "kind", "channel_id", "created_at", "points"]
DAILY_KEYS = ["community_id", "day", "member_id", "events", "active", "points"]
KIND_KEYS = ["community_id", "day", "member_id", "kind", "count"]
STATE_KEYS = ["community_id", "member_id", "first_event_at", "last_event_at", "joined_at", "points_total"]


def _same(value: Any) -> Any:
    return value


def aggregate(items: Iterable[Item], stamp: Callable[[Any], Any] = _same, day_text: Callable[[Any], Any] = _same
              ) -> tuple[list[tuple[Any, ...]], list[list[Any]], list[list[Any]], list[list[Any]]]:
    """One pass over a batch: event rows (EVENT_KEYS order), rollup rows (one per member-day,
    DAILY_KEYS order), counts by kind (one per member-day-kind, KIND_KEYS order) and state
    rows (one per member, STATE_KEYS order) — one upsert per member-day, per kind and per
    member instead of one per event.

    ``stamp``/``day_text`` turn datetimes/dates into what the driver stores (SQLite: text,
    whose order is the time order, so min/max below work on either).
    """
    events: list[tuple[Any, ...]] = []
    daily: dict[tuple[int, Any, int], list[Any]] = {}
    state: dict[tuple[int, int], list[Any]] = {}
    days: dict[Any, Any] = {}
    append = events.append  # hot loop: locals
    for cid, mid, kind, channel, at, day, points, active in items:
        at = stamp(at)
        append((cid, mid, kind, channel, at, points))
        row = daily.get((cid, day, mid))
        if row is None:
            text = days.get(day)
            if text is None:
                text = days[day] = day_text(day)
            row = daily[(cid, day, mid)] = [cid, text, mid, 0, 0, 0.0, {}]
        row[3] += 1
        if active:
            row[4] += 1
        row[5] += points
        counts = row[6]  # the member-day's counts by kind: a small dict, cheaper than a 4-part key
        counts[kind] = counts.get(kind, 0) + 1
        st = state.get((cid, mid))
        if st is None:
            state[(cid, mid)] = [cid, mid, at, at, at if kind == "join" else None, points]
            continue
        if at < st[2]:
            st[2] = at
        elif at > st[3]:
            st[3] = at
        st[5] += points
        if kind == "join" and st[4] is None:
            st[4] = at
    rows = list(daily.values())
    kinds = [[r[0], r[1], r[2], kind, n] for r in rows for kind, n in r.pop().items()]
    return events, rows, kinds, list(state.values())


def sqlite_times() -> Callable[[datetime | None], str | None]:
    """Datetimes as SQLAlchemy's SQLite DateTime stores them ("YYYY-MM-DD HH:MM:SS.ffffff", UTC),
    so raw and ORM rows compare alike. Events of one second share the formatted prefix: a
    cached prefix plus the microseconds is ~4x cheaper than formatting each datetime."""
    prefixes: dict[int, str] = {}

    def stamp(value: datetime | None) -> str | None:
        if value is None:
            return None
        second = int(value.timestamp() // 1)
        prefix = prefixes.get(second)
        if prefix is None:
            if len(prefixes) > 4096:
                prefixes.clear()
            prefix = prefixes[second] = value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.")
        return f"{prefix}{value.microsecond:06d}"

    return stamp


sqlite_datetime = sqlite_times()


class DriverStatement:
    """A Core statement compiled once to the driver's SQL, executed with plain tuples.

    On SQLite, SQLAlchemy's per-row parameter processing cost more than the inserts
    themselves (~60% of a batch); compiling once and handing sqlite3 tuples keeps the
    statement defined in one place (the Core one) at the driver's speed.
    """

    def __init__(self, stmt: Any, dialect: Any, keys: list[str]) -> None:
        compiled = stmt.compile(dialect=dialect, column_keys=keys)
        self.sql = compiled.string
        if list(compiled.positiontup or []) != keys:  # the rows are built in this order
            raise RuntimeError(f"unexpected parameter order {compiled.positiontup} for {keys}")


class BatchStore:
    """Writes batches with statements built once per dialect."""

    def __init__(self, db: Any) -> None:
        self.db = db
        dialect = db.engine.dialect
        self._rollup = rollup_statement(dialect.name)
        self._kinds = kind_statement(dialect.name)
        self._state = state_statement(dialect.name)
        self._fast = None
        self.rejected = 0  # events dropped because the database refused their row (a metric)
        if dialect.name == "sqlite":
            self._fast = (DriverStatement(insert(EVENT), dialect, EVENT_KEYS),
                          DriverStatement(self._rollup, dialect, DAILY_KEYS),
                          DriverStatement(self._kinds, dialect, KIND_KEYS),
                          DriverStatement(self._state, dialect, STATE_KEYS))

    def write(self, items: list[Item]) -> int:
        """Write a batch; rows the database refuses are isolated and dropped, the rest commit.

        A database that is away (OperationalError) fails the whole call, so the writer keeps the
        batch for later. Any other failure is a bad row: the batch is split in halves until the
        failing rows stand alone (about 2·log2(n) extra transactions per bad row), each is
        dropped and counted in ``rejected``, and one line says how many and why.
        """
        rejected: list[tuple[Item, BaseException]] = []
        try:
            self._write(items)
            return len(items)
        except (IntegrityError, sqlite3.IntegrityError) as error:
            # a member erased ("forget") between queueing and writing: drop only their events
            kept = self._existing(items)
            if len(kept) < len(items):
                log.warning("dropped %d participation events of erased members", len(items) - len(kept))
                written = self._bisect(kept, rejected)
            else:
                written = self._split(items, error, rejected)
        except Exception as error:
            if _database_away(error):
                raise
            written = self._split(items, error, rejected)
        if rejected:
            self.rejected += len(rejected)
            item, error = rejected[0]
            log.warning("dropped %d participation event(s) the database refused (first: community %s member %s "
                        "kind %s channel %.80r: %s)", len(rejected), item.community_id, item.member_id, item.kind,
                        item.channel_id, _short(error))
        return written

    def _bisect(self, items: list[Item], rejected: list[tuple[Item, BaseException]]) -> int:
        if not items:
            return 0
        try:
            self._write(items)
            return len(items)
        except Exception as error:
            if _database_away(error):
                raise
            return self._split(items, error, rejected)

    def _split(self, items: list[Item], error: BaseException, rejected: list[tuple[Item, BaseException]]) -> int:
        """``items`` failed as a whole: a single row is rejected, a longer batch is tried in halves."""
        if len(items) == 1:
            rejected.append((items[0], error))
            return 0
        middle = len(items) // 2
        return self._bisect(items[:middle], rejected) + self._bisect(items[middle:], rejected)

    def _write(self, items: list[Item]) -> None:
        with self.db.write_lock(), self.db.engine.begin() as conn:
            if self._fast is not None:
                folded = aggregate(items, sqlite_datetime, date.isoformat)
                cursor = conn.connection.driver_connection.cursor()
                try:
                    for stmt, rows in zip(self._fast, folded):
                        cursor.executemany(stmt.sql, rows)
                finally:
                    cursor.close()
            else:
                events, daily, kinds, state = aggregate(items)
                conn.execute(insert(EVENT), [dict(zip(EVENT_KEYS, r)) for r in events])
                conn.execute(self._rollup, [dict(zip(DAILY_KEYS, r)) for r in daily])
                conn.execute(self._kinds, [dict(zip(KIND_KEYS, r)) for r in kinds])
                conn.execute(self._state, [dict(zip(STATE_KEYS, r)) for r in state])

    def _existing(self, items: list[Item]) -> list[Item]:
        ids = {i.member_id for i in items}
        with self.db.engine.connect() as conn:
            found = set(conn.scalars(select(Member.__table__.c.id).where(Member.__table__.c.id.in_(ids))))
        return [i for i in items if i.member_id in found]


def _database_away(error: BaseException) -> bool:
    """The database (not the row) failed: unreachable, locked, out of disk. Retry the batch later."""
    return isinstance(error, (OperationalError, sqlite3.OperationalError))


def _short(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200] if text else ''}"


# --- the asynchronous part: queue, timer, flush -------------------------------------------
class EventWriter:
    def __init__(self, db: Any, *, max_queue: int = 200_000, batch_size: int = 10_000,
                 interval: float = 0.2, log_every: float = 10.0) -> None:
        self.db = db
        self.store = BatchStore(db)
        self.queue = EventBuffer(max_queue)
        self.batch_size = batch_size
        self.interval = interval
        self.log_every = log_every
        self.dropped = 0  # events refused because the queue was full (back-pressure)
        self.written = 0
        self.failed = 0
        self._last_warning = float("-inf")
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._failing_since: float | None = None  # when the database went away (logged once)

    @property
    def rejected(self) -> int:
        """Events dropped because the database refused their row (isolated from their batch)."""
        return self.store.rejected

    def put(self, item: Item) -> bool:
        """Queue one event without waiting; False (counted, logged) when the queue is full."""
        queue = self.queue
        if len(queue._items) < queue.maxsize:  # the hot path: every message and reaction
            queue._items.append(item)
            if len(queue._items) >= self.batch_size:
                self._wake.set()
            return True
        try:
            queue.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped += 1
            now = time.monotonic()
            if now - self._last_warning >= self.log_every:
                self._last_warning = now
                log.warning("participation queue full (%d waiting): %d events dropped so far",
                            self.queue.qsize(), self.dropped)
            return False
        if self.queue.qsize() >= self.batch_size:
            self._wake.set()
        return True

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="participation-writer")

    async def stop(self) -> None:
        """Stop the timer and write every queued event."""
        task, self._task = self._task, None
        if task is not None:
            # let the loop finish a batch it is writing (cancelling would abandon its await)
            self._stopping = True
            self._wake.set()
            await task
        await self.flush()

    async def flush(self) -> int:
        """Write everything queued so far; returns how many events were written."""
        async with self._lock:
            total = 0
            while not self.queue.empty():
                total += await self._write_one_batch()
            return total

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await asyncio.wait_for(self._wake.wait(), self.interval)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.flush()
                if self._failing_since is not None:
                    log.warning("participation writer recovered after %.0f s", time.monotonic() - self._failing_since)
                    self._failing_since = None
            except TemporarilyUnavailable:
                # The database is away: say so once (not every 200 ms), keep the events queued.
                if self._failing_since is None:
                    self._failing_since = time.monotonic()
                    log.warning("database unavailable: participation events wait in the queue (%d now)",
                                self.queue.qsize())
            except Exception:
                log.exception("participation writer failed; will retry")

    async def _write_one_batch(self) -> int:
        batch: list[Item] = self.queue.take(self.batch_size)
        try:
            written = await self.db.call(self.store.write, batch)
        except Exception:
            # keep the events for the next attempt unless the queue has no room left for them
            self.failed += 1
            requeued = 0
            for item in batch:
                if self.queue.full():
                    break
                self.queue.put_nowait(item)
                requeued += 1
            self.dropped += len(batch) - requeued
            raise
        self.written += written
        return written
