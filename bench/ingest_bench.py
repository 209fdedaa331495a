"""Participation ingest: events/s into a fresh SQLite file through the real batched writer.

Beside it, in the same run: SQLModel add + commit per event (what a naive listener does)
and the honest ceiling — the driver doing the same writes by hand in one transaction
(ingest_ceiling.py: events, rollup upserts, trend ring, last-seen) — plus raw inserts of the
events alone. The same pair on PostgreSQL when one is reachable (TEST_DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/test). Also the event loop's lag (p99) while the writer
ingests a steady 5,000 events/s, against the same ticker on an idle loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from bot.app import BotApp
from bot.config import parse_config
from sqlalchemy import text

from bot.storage import Database
from cogs.participation.logic import signal_columns
from cogs.participation.models import ParticipationEvent
from cogs.participation.trend import signal_map
from cogs.participation.writer import EventWriter, Item

from . import ingest_ceiling
from .kinds import DECLARED, POINTS
from .stats import percentile, summary

MEMBERS = 2_000
KINDS = ["message"] * 6 + ["reaction"] * 3 + ["thread_reply", "poll_vote", "prompt_response"]
T0 = datetime(2026, 1, 12, 8, 0, tzinfo=timezone.utc)
SIGNAL_OF = signal_map(signal_columns(DECLARED))  # what the bot's writer gets at cog load
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _seed(db: Database) -> None:
    app = BotApp(config=parse_config("", "x.yaml"), db=db)
    app.load_cogs(["cogs.participation"])
    db.upgrade(app.migration_dirs())
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO community (id, platform, external_id, name, timezone, created_at) "
                          "VALUES (1, 'console', 'bench', 'Bench', 'UTC', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO member (id, community_id, external_id, display_name, opted_out, is_bot, "
                          "joined_at) VALUES (:i, 1, :e, :n, false, false, '2026-01-01 00:00:00')"),
                     [{"i": i, "e": f"u{i}", "n": f"user {i}"} for i in range(1, MEMBERS + 1)])


def fresh_db(folder: Path) -> Database:
    """A migrated SQLite file with one community and MEMBERS members."""
    path = folder / f"ingest-{time.perf_counter_ns()}.db"
    db = Database(f"sqlite:///{path}")
    _seed(db)
    return db


@contextlib.contextmanager
def fresh_pg() -> Iterator[Database]:
    """A new PostgreSQL database on PG_URL's server, migrated and seeded like fresh_db; dropped after."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL.replace("postgres://", "postgresql://", 1))
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = Database(url.set(database=name).render_as_string(hide_password=False))
    try:
        _seed(db)
        yield db
    finally:
        db.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_reachable() -> bool:
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(PG_URL.replace("postgres://", "postgresql://", 1)).set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False), connect_timeout=3):
            return True
    except Exception:
        return False


def _dsn(db: Database) -> str:
    from sqlalchemy.engine import make_url

    return make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)


def make_items(n: int, seed: int = 1) -> list[Item]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        at = T0 + timedelta(milliseconds=i * 7)
        kind = rnd.choice(KINDS)
        out.append(Item(1, rnd.randint(1, MEMBERS), kind, "general", at, at.date(), POINTS[kind], DECLARED[kind].active))
    return out


async def _through_writer(db: Database, items: list[Item]) -> float:
    writer = EventWriter(db, max_queue=len(items) + 1, signal_of=SIGNAL_OF)
    writer.start()
    start = time.perf_counter()
    for i, item in enumerate(items):
        writer.put(item)
        if i % 1000 == 999:
            await asyncio.sleep(0)  # a listener yields between events; let the timer run
    await writer.stop()
    elapsed = time.perf_counter() - start
    assert writer.written == len(items) and writer.dropped == 0
    return len(items) / elapsed


CPU: dict[str, list[float]] = {}  # CPU seconds per run: this process's threads (+ PostgreSQL backends)


def _cpu_into(key: str, fn: Any, *args: Any) -> Any:
    """Run ``fn``; add its CPU seconds (all this process's threads) to CPU[key]. On a machine shared
    with other work, wall time counts their turns too; CPU time counts only the work done."""
    before = time.process_time()
    result = fn(*args)
    CPU.setdefault(key, []).append(time.process_time() - before)
    return result


def backend_cpu(pids: list[int]) -> float | None:
    """CPU seconds of local PostgreSQL backends (None when their /proc is not readable: a remote server)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def writer_rate(folder: Path, n: int) -> float:
    db = fresh_db(folder)
    try:
        return _cpu_into("sqlite writer", asyncio.run, _through_writer(db, make_items(n)))
    finally:
        db.dispose()


def orm_rate(folder: Path, n: int) -> float:
    db = fresh_db(folder)
    items = make_items(n)
    start = time.perf_counter()
    with db.session() as session:
        for it in items:
            session.add(ParticipationEvent(community_id=it.community_id, member_id=it.member_id, kind=it.kind,
                                           channel_id=it.channel_id, created_at=it.at, points=it.points))
            session.commit()
    elapsed = time.perf_counter() - start
    db.dispose()
    return n / elapsed


def raw_rate(folder: Path, n: int) -> float:
    """Raw sqlite3 executemany of the events alone, one transaction (the old, events-only ceiling)."""
    db = fresh_db(folder)
    path = db.url[len("sqlite:///"):]
    db.dispose()
    rows = [(it.community_id, it.member_id, it.kind, it.channel_id, it.at.strftime("%Y-%m-%d %H:%M:%S.%f"),
             it.points) for it in make_items(n)]
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    start = time.perf_counter()
    con.execute("BEGIN")
    con.executemany("INSERT INTO participation_event (community_id, member_id, kind, channel_id, created_at, points) "
                    "VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.execute("COMMIT")
    elapsed = time.perf_counter() - start
    con.close()
    return n / elapsed


def ceiling_rate(folder: Path, n: int) -> float:
    db = fresh_db(folder)
    path = db.url[len("sqlite:///"):]
    db.dispose()
    items = make_items(n)
    return _cpu_into("sqlite ceiling", ingest_ceiling.sqlite_ceiling, path, items, SIGNAL_OF)


def pg_rates(n: int) -> tuple[float, float]:
    """(our writer, the hand-written ceiling) on fresh PostgreSQL databases; their CPU (ours and the
    server's) into CPU when the server is local."""
    with fresh_pg() as db:
        with db.engine.connect() as conn:  # the pool's connection, and its backend
            pids = [conn.connection.driver_connection.info.backend_pid]
        items = make_items(n)  # before the CPU window, as the ceiling's (generating them is no ingest)
        before, server = time.process_time(), backend_cpu(pids)
        ours = asyncio.run(_through_writer(db, items))
        after = backend_cpu(pids)
        if server is not None and after is not None and db.engine.pool.checkedin() == 1:
            CPU.setdefault("pg writer", []).append(time.process_time() - before + after - server)
    with fresh_pg() as db:
        spent: dict[str, float] = {}
        ceiling = ingest_ceiling.postgres_ceiling(_dsn(db), make_items(n), SIGNAL_OF, backend_cpu=backend_cpu,
                                                  spent=spent)
        if "server" in spent:
            CPU.setdefault("pg ceiling", []).append(spent["client"] + spent["server"])
    return ours, ceiling


def _cpu_share(name: str) -> str:
    ours, ceiling = CPU.get(f"{name} writer"), CPU.get(f"{name} ceiling")
    if not ours or not ceiling:
        return ""
    return (f"; CPU per run (the work itself, whatever else the machine runs): ours {summary(ours, 's', digits=2)}, "
            f"ceiling {summary(ceiling, 's', digits=2)} = {statistics.median(ceiling) / statistics.median(ours):.0%}")


async def _loop_lag(db: Database | None, rate: int, seconds: float) -> list[float]:
    """Lateness of a 5 ms ticker; with ``db`` a producer feeds the writer ``rate`` events/s meanwhile."""
    lags: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            expected = loop.time() + 0.005
            await asyncio.sleep(0.005)
            lags.append(max(0.0, loop.time() - expected))

    async def producer(writer: EventWriter) -> None:
        items = make_items(int(rate * seconds) + rate)
        per_tick, sent = rate // 100, 0
        loop = asyncio.get_running_loop()
        begin = loop.time()
        while loop.time() - begin < seconds:
            for item in items[sent:sent + per_tick]:
                writer.put(item)
            sent += per_tick
            await asyncio.sleep(0.01)

    tick = asyncio.create_task(ticker())
    if db is None:
        await asyncio.sleep(seconds)
    else:
        writer = EventWriter(db, signal_of=SIGNAL_OF)
        writer.start()
        await producer(writer)
        await writer.stop()
    stop.set()
    await tick
    return lags


def run(quick: bool = False) -> list[dict[str, Any]]:
    n, n_orm, runs, lag_seconds = (5_000, 500, 3, 1.0) if quick else (100_000, 2_000, 5, 3.0)
    folder = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    CPU.clear()
    try:
        writer_rates, orm_rates, raw_rates, ceilings = [], [], [], []
        for _ in range(runs):  # interleaved, so drift in the machine hits all alike
            writer_rates.append(writer_rate(folder, n))
            ceilings.append(ceiling_rate(folder, n))
            orm_rates.append(orm_rate(folder, n_orm))
            raw_rates.append(raw_rate(folder, n))
        db = fresh_db(folder)
        busy_p99, idle_p99 = [], []
        for _ in range(3 if not quick else 1):
            busy_p99.append(percentile(asyncio.run(_loop_lag(db, 5_000, lag_seconds)), 99))
            idle_p99.append(percentile(asyncio.run(_loop_lag(None, 0, lag_seconds)), 99))
        db.dispose()
        pg = [pg_rates(n) for _ in range(1 if quick else 3)] if pg_reachable() else []
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    med_writer = statistics.median(writer_rates)
    share = med_writer / statistics.median(ceilings)
    rows = [
        {"row": "participation ingest", "measure": f"SQLite events/s, real batched writer: events + rollups + counts "
                                                   f"by kind + trend ring + last-seen + day counts ({n:,} events)",
         "value": f"{summary(writer_rates, 'ev/s', digits=0)} = {share:.0%} of the ceiling{_cpu_share('sqlite')}",
         "baseline": f"ceiling, raw sqlite3 doing the same writes in one transaction: "
                     f"{summary(ceilings, 'ev/s', digits=0)}; events only: {summary(raw_rates, 'ev/s', digits=0)}; "
                     f"ORM add+commit per event: {summary(orm_rates, 'ev/s', digits=0)}",
         "target": "≥ 100,000 ev/s and ≥ 70% of the ceiling", "ok": med_writer >= 100_000 and share >= 0.7},
    ]
    if pg:
        ours, ceiling = [p[0] for p in pg], [p[1] for p in pg]
        pg_share = statistics.median(ours) / statistics.median(ceiling)
        rows.append({"row": "participation ingest", "measure": f"PostgreSQL events/s, real batched writer, same "
                                                               f"writes ({n:,} events, {len(pg)} run(s))",
                     "value": f"{summary(ours, 'ev/s', digits=0)} = {pg_share:.0%} of the ceiling{_cpu_share('pg')}",
                     "baseline": f"ceiling, psycopg COPY + one set-based upsert per table (the member-days, kinds, "
                                 f"signal-weeks, members: the writer's SQL) in one transaction: "
                                 f"{summary(ceiling, 'ev/s', digits=0)}",
                     "target": "≥ 70% of the ceiling", "ok": pg_share >= 0.7})
    else:
        rows.append({"row": "participation ingest", "measure": "PostgreSQL events/s", "value": "not measured",
                     "baseline": f"no PostgreSQL at {PG_URL.split('@')[-1]}", "target": "≥ 70% of the ceiling"})
    rows.append({"row": "participation ingest",
                 "measure": f"event-loop lag p99 while ingesting 5,000 ev/s for {lag_seconds:.0f} s",
                 "value": summary(busy_p99, "ms", scale=1000),
                 "baseline": f"idle loop: {summary(idle_p99, 'ms', scale=1000)}", "target": "< 10 ms",
                 "ok": statistics.median(busy_p99) < 0.010})
    return rows
