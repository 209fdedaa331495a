"""The honest ingest ceiling: the driver doing the writer's writes by hand, nothing else.

Same rows as the participation writer (events, then one upsert per member-day into the
daily rollup, per member-day-kind into the counts by kind, per member into the
trend ring, per member into last-seen state (and last active day) and per community-day-kind into the day
counts, and the members each community-day gains), folded in a hand-written loop from plain
tuples and written in ONE transaction: raw sqlite3 ``executemany`` with WAL +
synchronous=NORMAL on SQLite, and on PostgreSQL psycopg ``COPY`` for the events plus one
set-based upsert per table over arrays (unnest: 2-3x executemany's per-row upserts). The SQL
text is the writer's own (same writes, same arithmetic); no queue, no event loop, no
SQLAlchemy, no isolation of bad rows: what a hand-tuned script would reach.
"""

from __future__ import annotations

import time
from datetime import date, timezone
from typing import Any, Iterable, Mapping

from cogs.participation.batches import ACTIVE_DAY_SQLITE, active_days
from cogs.participation.models import RING_SIGNALS, TREND_WEEKS
from cogs.participation.rollups import ring_slots, trend_statement, week_number

DAILY_SQL = ("INSERT INTO participation_daily (community_id, day, member_id, events, active, points) "
             "VALUES ({p}, {p}, {p}, {p}, {p}, {p}) ON CONFLICT (community_id, day, member_id) DO UPDATE SET "
             "events = participation_daily.events + excluded.events, active = participation_daily.active + "
             "excluded.active, points = participation_daily.points + excluded.points")
KIND_SQL = ("INSERT INTO participation_daily_kind (community_id, day, member_id, kind, count) "
            "VALUES ({p}, {p}, {p}, {p}, {p}) ON CONFLICT (community_id, day, member_id, kind) DO UPDATE SET "
            "count = participation_daily_kind.count + excluded.count")
DAY_SQL = ("INSERT INTO participation_day_kind (community_id, day, kind, count) VALUES ({p}, {p}, {p}, {p}) "
           "ON CONFLICT (community_id, day, kind) DO UPDATE SET count = participation_day_kind.count + excluded.count")
STATE_SQL = ("INSERT INTO participation_member (community_id, member_id, first_event_at, last_event_at, joined_at, "
             "points_total, last_active_day) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}) "
             "ON CONFLICT (community_id, member_id) DO UPDATE SET "
             "first_event_at = CASE WHEN excluded.first_event_at < participation_member.first_event_at "
             "THEN excluded.first_event_at ELSE participation_member.first_event_at END, "
             "last_event_at = CASE WHEN excluded.last_event_at > participation_member.last_event_at "
             "THEN excluded.last_event_at ELSE participation_member.last_event_at END, "
             "joined_at = COALESCE(participation_member.joined_at, excluded.joined_at), "
             "points_total = participation_member.points_total + excluded.points_total, "
             "last_active_day = CASE WHEN participation_member.last_active_day IS NULL "
             "OR excluded.last_active_day > participation_member.last_active_day "
             "THEN excluded.last_active_day ELSE participation_member.last_active_day END")
EVENT_SQL = ("INSERT INTO participation_event (community_id, member_id, kind, channel_id, created_at, points) "
             "VALUES (?, ?, ?, ?, ?, ?)")


def trend_sql(dialect: Any, marker: str) -> str:
    """The ring upsert (the same arithmetic as the writer's; there is no simpler way to keep a ring)."""
    from cogs.participation.rollups import TREND_KEYS

    sql = trend_statement(dialect.name).compile(dialect=dialect, column_keys=TREND_KEYS).string
    return sql if marker == "?" else sql.replace("%%", "%")


def fold(rows: Iterable[tuple[Any, ...]], signal_of: Mapping[str, str]) -> tuple[list[Any], ...]:
    """(cid, mid, kind, channel, stamp, day, points, active) tuples -> the rows of each upsert."""
    daily: dict[tuple[Any, ...], list[Any]] = {}
    kinds: dict[tuple[Any, ...], int] = {}
    state: dict[tuple[int, int], list[Any]] = {}
    weeks: dict[Any, int] = {}
    for cid, mid, kind, _channel, stamp, day, points, active in rows:
        key = (cid, day, mid)
        d = daily.get(key)
        if d is None:
            d = daily[key] = [cid, day, mid, 0, 0, 0.0]
        d[3] += 1
        d[4] += active
        d[5] += points
        k = (cid, day, mid, kind)
        kinds[k] = kinds.get(k, 0) + 1
        s = state.get((cid, mid))
        if s is None:
            state[(cid, mid)] = [cid, mid, stamp, stamp, stamp if kind == "join" else None, points,
                                 day if active else None]
        else:
            if stamp < s[2]:
                s[2] = stamp
            if stamp > s[3]:
                s[3] = stamp
            s[5] += points
            if active and (s[6] is None or day > s[6]):
                s[6] = day
    trend: dict[tuple[int, int], dict[int, list[int]]] = {}  # member -> week -> slot counts
    per_day: dict[tuple[Any, ...], int] = {}
    slot_of = ring_slots(signal_of) or {}
    for (cid, day, mid, kind), n in kinds.items():
        j = slot_of.get(kind)
        if j is not None:
            week = weeks.get(day)
            if week is None:  # SQLite rows carry the day as text
                week = weeks[day] = week_number(date.fromisoformat(day) if isinstance(day, str) else day)
            per_week = trend.setdefault((cid, mid), {})
            counts = per_week.get(week)
            if counts is None:
                counts = per_week[week] = [0] * RING_SIGNALS
            counts[j] += n
        p = (cid, day, kind)
        per_day[p] = per_day.get(p, 0) + n
    ring = []
    for (cid, mid), per_week in trend.items():
        newest = max(per_week)
        slots = [0] * (RING_SIGNALS * TREND_WEEKS)
        for week, counts in per_week.items():
            if newest - week < TREND_WEEKS:
                for j, n in enumerate(counts):
                    slots[j * TREND_WEEKS + week % TREND_WEEKS] += n
        ring.append((cid, mid, newest, *slots))
    return (list(daily.values()), [(*k, n) for k, n in kinds.items()], ring, list(state.values()),
            [(*k, n) for k, n in per_day.items()])


def sqlite_ceiling(path: str, items: list[Any], signal_of: Mapping[str, str]) -> float:
    """Events/s of raw sqlite3 doing every write in one transaction (WAL, synchronous=NORMAL),
    from the same Items the writer is handed: turning them into the driver's rows is timed too
    (hand-tuned: the writer's cached-prefix timestamps, not strftime per event)."""
    import sqlite3

    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from cogs.participation.rollups import sqlite_times

    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    sqls = [s.format(p="?") for s in (DAILY_SQL, KIND_SQL)] + [trend_sql(sqlite_dialect.dialect(), "?")] + \
        [s.format(p="?") for s in (STATE_SQL, DAY_SQL)]
    start = time.perf_counter()
    stamp = sqlite_times()
    rows = [(it.community_id, it.member_id, it.kind, it.channel_id, stamp(it.at), it.day.isoformat(), it.points,
             int(it.active)) for it in items]
    con.execute("BEGIN")
    con.executemany(EVENT_SQL, [r[:5] + (r[6],) for r in rows])
    folded = fold(rows, signal_of)
    con.executemany(ACTIVE_DAY_SQLITE, active_days(folded[0]))
    for sql, batch in zip(sqls, folded):
        con.executemany(sql, batch)
    con.execute("COMMIT")
    elapsed = time.perf_counter() - start
    con.close()
    return len(items) / elapsed


def postgres_ceiling(dsn: str, items: list[Any], signal_of: Mapping[str, str], *,
                     backend_cpu: Any = None, spent: dict[str, float] | None = None) -> float:
    """Events/s of psycopg: COPY for the events, one set-based upsert per table, one transaction.
    With ``backend_cpu`` (pids -> CPU seconds), ``spent`` gets the CPU seconds of the timed part:
    this process's ("client") and the server's ("server")."""
    import psycopg
    from sqlalchemy.dialects import postgresql

    from cogs.participation.pgwrite import PostgresBatch, columns

    sql = PostgresBatch(postgresql.psycopg.dialect())
    with psycopg.connect(dsn) as con:
        pid = con.info.backend_pid
        server = backend_cpu([pid]) if backend_cpu else None
        cpu = time.process_time()
        start = time.perf_counter()  # from the Items the writer is handed, as on SQLite
        rows = [(it.community_id, it.member_id, it.kind, it.channel_id, it.at, it.day, it.points, int(it.active))
                for it in items]
        with con.cursor() as cur:
            with cur.copy(sql.copy) as copy:
                for r in rows:
                    copy.write_row((r[0], r[1], r[2], r[3], r[4], r[6]))
            daily, kinds, ring, state, days = fold(rows, signal_of)
            cur.execute(sql.daily, columns(daily, sql.daily_floats))
            for (statement, floats), batch in zip(sql.others, (kinds, state, ring, days)):
                cur.execute(statement, columns(batch, floats))
        con.commit()
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu
        after = backend_cpu([pid]) if backend_cpu else None
        if spent is not None and server is not None and after is not None:
            spent.update(client=cpu, server=after - server)
    return len(items) / elapsed
