"""One batch of participation events, written in ONE transaction off the event loop.

``BatchStore.write`` folds the batch (rollups.aggregate) and writes the events, the daily
rollup (and the members each community-day gains: participation_day), the counts by kind,
the weekly trend ring, the per-member state and the community's counts per day: on SQLite
one executemany each on the driver's cursor; on PostgreSQL COPY and one set-based upsert
each (pgwrite.py). A row the database refuses is isolated by splitting its batch and
dropped (counted in ``rejected``): one bad event never holds up the others. A database that
is away fails the whole call, so the writer keeps the batch for later.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import date
from typing import Any, Mapping

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from bot import Member

from .pgwrite import PostgresBatch
from .models import TREND_WEEKS
from .rollups import (DAILY_KEYS, DAY_KEYS, EVENT, EVENT_KEYS, KIND_KEYS, STATE_KEYS, TREND_KEYS, Item, aggregate,
                      day_statement, kind_statement, rollup_statement, sqlite_datetime, state_statement,
                      trend_statement, week_keys, week_ring_add, week_ring_merge)

from .trend import ring_lock

log = logging.getLogger("cogs.stats.writer")

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

    def __init__(self, db: Any, signal_of: Mapping[str, str] | None = None) -> None:
        self.db = db
        self.signal_of = dict(signal_of or {})  # kind -> at-risk signal (trend.signal_map); set at cog load
        dialect = db.engine.dialect
        self.dialect = dialect.name
        self._dbapi = getattr(dialect, "loaded_dbapi", None) or dialect.dbapi  # raw cursors raise its errors
        self._fast: tuple[DriverStatement, ...] = ()
        self._pg: PostgresBatch | None = None
        self.rejected = 0  # events dropped because the database refused their row (a metric)
        if dialect.name == "sqlite":
            self._fast = (DriverStatement(insert(EVENT), dialect, EVENT_KEYS),
                          DriverStatement(rollup_statement("sqlite"), dialect, DAILY_KEYS),
                          DriverStatement(kind_statement("sqlite"), dialect, KIND_KEYS),
                          DriverStatement(state_statement("sqlite"), dialect, STATE_KEYS),
                          DriverStatement(day_statement("sqlite"), dialect, DAY_KEYS))
            self._ring = SqliteRing(dialect)
        elif dialect.name == "postgresql":
            self._pg = PostgresBatch(dialect)
        else:
            raise RuntimeError(f"participation: no batch writer for {dialect.name}")

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
        except (IntegrityError, sqlite3.IntegrityError, self._dbapi.IntegrityError) as error:
            # a member erased ("forget") between queueing and writing: drop only their events
            kept = self._existing(items)
            if len(kept) < len(items):
                log.warning("dropped %d participation events of erased members", len(items) - len(kept))
                written = self._bisect(kept, rejected)
            else:
                written = self._split(items, error, rejected)
        except Exception as error:
            if self._away(error):
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
            if self._away(error):
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
            cursor = conn.connection.driver_connection.cursor()
            try:
                if self._pg is not None:
                    ring_lock(conn)  # never between a trend-ring rebuild's chunks (trend.py)
                    self._pg.write(cursor, aggregate(items, signal_of=self.signal_of))
                    return
                folded = aggregate(items, sqlite_datetime, date.isoformat, self.signal_of)
                # the members each day gains, before the daily rollup says they were active
                cursor.executemany(ACTIVE_DAY_SQLITE, active_days(folded[1]))
                events, daily, kinds, state, trend, days = folded
                for stmt, rows in zip(self._fast, (events, daily, kinds, state, days)):
                    cursor.executemany(stmt.sql, rows)
                self._ring.write(cursor, trend)
            finally:
                cursor.close()

    def _away(self, error: BaseException) -> bool:
        """The database (not the row) failed: unreachable, locked, out of disk. Retry the batch later."""
        return isinstance(error, (OperationalError, sqlite3.OperationalError, self._dbapi.OperationalError))

    def _existing(self, items: list[Item]) -> list[Item]:
        ids = {i.member_id for i in items}
        with self.db.engine.connect() as conn:
            found = set(conn.scalars(select(Member.__table__.c.id).where(Member.__table__.c.id.in_(ids))))
        return [i for i in items if i.member_id in found]


class SqliteRing:
    """The batch's rings on SQLite: those holding one week (nearly all) through the 11-parameter
    statements of their week's slot (rollups.week_ring_add / week_ring_merge), the others through the full
    merge (67 parameters, 64 merged columns: ~2.4x the CPU of the one-row-per-signal upsert it
    replaced, measured on 50k events; the week statements cost about what that upsert did)."""

    def __init__(self, dialect: Any) -> None:
        # Each statement is compiled when first needed: the merges (128 merged slots each) took
        # ~70 ms apiece to build, and all 17 of them were 1.2 s of every start-up on SQLite; a
        # process mostly needs this week's add, and a merge about once a week.
        self.dialect = dialect
        self._add: dict[int, str] = {}
        self._merge: dict[int, str] = {}
        self._full: str | None = None

    def add(self, i: int) -> str:
        if i not in self._add:
            self._add[i] = DriverStatement(week_ring_add(i), self.dialect, week_keys(i)).sql
        return self._add[i]

    def merge(self, i: int) -> str:
        if i not in self._merge:
            self._merge[i] = DriverStatement(week_ring_merge(i), self.dialect, week_keys(i)).sql
        return self._merge[i]

    @property
    def full(self) -> str:
        if self._full is None:
            self._full = DriverStatement(trend_statement("sqlite"), self.dialect, TREND_KEYS).sql
        return self._full

    def write(self, cursor: Any, rings: list[list[Any]]) -> None:
        n, whole = TREND_WEEKS, len(TREND_KEYS)
        by_slot: dict[int, list[list[Any]]] = {}
        others = []
        for ring in rings:  # aggregate's: one week's counts (most), or a whole ring
            if len(ring) == whole:
                others.append(ring)
            else:
                by_slot.setdefault(ring[2] % n, []).append(ring)
        for i, rows in by_slot.items():
            cursor.executemany(self.add(i), rows)
            if cursor.rowcount != len(rows):  # some member's ring is on another week: merged
                cursor.executemany(self.merge(i), rows)
        if others:
            cursor.executemany(self.full, others)


ACTIVE_DAY_SQLITE = (
    "INSERT INTO participation_day (community_id, day, active_members) "
    "SELECT ?, ?, count(*) FROM json_each(?) AS j WHERE NOT EXISTS (SELECT 1 FROM participation_daily AS d "
    "WHERE d.community_id = ? AND d.day = ? AND d.member_id = j.value AND d.active > 0) "
    "ON CONFLICT (community_id, day) DO UPDATE SET "
    "active_members = participation_day.active_members + excluded.active_members")


def active_days(daily: list[list[Any]]) -> list[tuple[Any, ...]]:
    """ACTIVE_DAY_SQLITE's rows: per community-day, the members the batch has active (as JSON)."""
    members: dict[tuple[Any, Any], list[int]] = {}
    for cid, day, mid, _events, active, _points in daily:
        if active:
            members.setdefault((cid, day), []).append(mid)
    return [(cid, day, json.dumps(mids), cid, day) for (cid, day), mids in members.items()]


def _short(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200] if text else ''}"
