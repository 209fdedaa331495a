"""Scale-out: two bot processes on one PostgreSQL database, 10,000 schedules each.

Both processes register the same schedules (as two replicas behind one config would) and run
the real Scheduler: APScheduler as the timer, every firing claimed in ``schedule_claim``. The
bench checks that every firing due in the window ran exactly once across the two processes
and reports lateness (callback start minus due time, including the claim) beside the same
schedules in ONE process on the same database, in the same run.

Needs PostgreSQL: ``TEST_DATABASE_URL`` or ``BENCH_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``); a fresh database is created and dropped.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

from .scheduler_bench import OffsetEvery
from .stats import percentile, summary

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def base_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or DEFAULT_URL


class FreshDatabase:
    """A new, empty PostgreSQL database for one measurement (dropped afterwards)."""

    def __init__(self, base: str) -> None:
        from sqlalchemy.engine import make_url

        url = make_url(base.replace("postgres://", "postgresql://", 1))
        self.admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.name = f"bench_{uuid.uuid4().hex[:10]}"
        self.url = url.set(database=self.name).render_as_string(hide_password=False)

    def __enter__(self) -> str:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        from bot.storage import Database

        db = Database(self.url)
        db.upgrade()
        db.dispose()
        return self.url

    def __exit__(self, *exc: Any) -> None:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def reachable(base: str) -> str | None:
    """None when PostgreSQL answers, else why not (one line)."""
    try:
        import psycopg

        with psycopg.connect(FreshDatabase(base).admin, connect_timeout=3):
            return None
    except Exception as error:  # noqa: BLE001 - any failure means: no PostgreSQL here
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


async def _replica(url: str, schedules: int, interval: float, start_at: float, seconds: float) -> list[tuple[int, str, float]]:
    from bot.clock import Clock
    from bot.scheduler import Scheduler
    from bot.storage import Database

    db = Database(url)
    scheduler = Scheduler(db, Clock())
    fired: list[tuple[int, str, float]] = []
    step = timedelta(seconds=interval)

    def make_callback(i: int) -> Any:
        async def fire(due: datetime) -> None:
            fired.append((i, due.isoformat(), (datetime.now(timezone.utc) - due).total_seconds()))

        return fire

    for i in range(schedules):
        scheduler.add(f"bench:{i % 1000}:{i}", OffsetEvery(step, timedelta(seconds=interval * i / schedules)),
                      make_callback(i), grace=timedelta(hours=2))
    await asyncio.sleep(max(0.0, start_at - time.time()))  # both replicas start together
    await scheduler.start()
    await asyncio.sleep(max(0.0, start_at + seconds - time.time()))
    await scheduler.stop()
    db.dispose()
    return fired


def _replica_process(url: str, schedules: int, interval: float, start_at: float, seconds: float,
                     out: Any) -> None:
    out.put(asyncio.run(_replica(url, schedules, interval, start_at, seconds)))


def measure(url: str, processes: int, schedules: int, interval: float, seconds: float,
            warmup: float = 8.0) -> dict[str, Any]:
    """Run ``processes`` replicas (separate OS processes) on ``url``; exactly-once and lateness."""
    context = multiprocessing.get_context("spawn")  # a clean interpreter each, like real replicas
    out = context.Queue()
    start_at = time.time() + warmup  # time for the interpreters to import and register
    workers = [context.Process(target=_replica_process, args=(url, schedules, interval, start_at, seconds, out))
               for _ in range(processes)]
    for w in workers:
        w.start()
    results = [out.get(timeout=start_at - time.time() + seconds + 120) for _ in workers]
    for w in workers:
        w.join(timeout=30)
    firings = [f for r in results for f in r]
    counts = Counter((i, due) for i, due, _ in firings)
    # every firing due well inside the window (a second's margin at both ends) must have run once
    window_from = datetime.fromtimestamp(start_at + 1, timezone.utc)
    window_to = datetime.fromtimestamp(start_at + seconds - 1, timezone.utc)
    expected = set(_dues(schedules, interval, window_from, window_to))
    ran = {k for k in counts}
    # the firings due while the replicas were still setting up their 10,000 timers run as a late
    # catch-up; steady state is everything due after the first interval
    settled = datetime.fromtimestamp(start_at + interval, timezone.utc).isoformat()
    steady = [late for _, due, late in firings if due >= settled]
    return {"firings": len(firings), "twice": sum(1 for c in counts.values() if c > 1),
            "steady_p50": percentile(steady, 50), "steady_p99": percentile(steady, 99),
            "missed": len(expected - ran), "expected": len(expected),
            "per_process": [len(r) for r in results],
            "p50": percentile([late for _, _, late in firings], 50),
            "p99": percentile([late for _, _, late in firings], 99)}


def _dues(schedules: int, interval: float, start: datetime, end: datetime) -> Iterator[tuple[int, str]]:
    step = timedelta(seconds=interval)
    for i in range(schedules):
        trigger = OffsetEvery(step, timedelta(seconds=interval * i / schedules))
        due = trigger.get_next_fire_time(None, start)
        while due < end:
            yield i, due.isoformat()
            due = trigger.get_next_fire_time(due, due)


def run(quick: bool = False) -> list[dict[str, Any]]:
    schedules, interval, seconds, runs, warmup = (200, 2.0, 3.0, 1, 4.0) if quick else (10_000, 20.0, 30.0, 2, 8.0)
    base = base_url()
    why_not = reachable(base)
    if why_not is not None:
        return [{"row": "scheduler (PostgreSQL)", "measure": f"two processes, {schedules:,} schedules",
                 "value": f"skipped: PostgreSQL not reachable ({why_not[:80]})", "baseline": "—",
                 "target": "every firing once, p99 < 100 ms", "ok": None}]
    pairs = []
    for _ in range(runs):
        with FreshDatabase(base) as url:
            one = measure(url, 1, schedules, interval, seconds, warmup)
        with FreshDatabase(base) as url:
            two = measure(url, 2, schedules, interval, seconds, warmup)
        pairs.append((one, two))
    twos = [t for _, t in pairs]
    ones = [o for o, _ in pairs]
    exactly_once = all(t["twice"] == 0 and t["missed"] == 0 for t in twos)
    shares = "; ".join("/".join(f"{n:,}" for n in t["per_process"]) for t in twos)
    return [
        {"row": "scheduler (PostgreSQL)",
         "measure": f"two processes, {schedules:,} schedules each every {interval:.0f} s: firings run "
                    f"twice / missed ({sum(t['expected'] for t in twos):,} due in all; split {shares})",
         "value": f"{sum(t['twice'] for t in twos)} / {sum(t['missed'] for t in twos)}",
         "baseline": f"one process: {sum(o['twice'] for o in ones)} / {sum(o['missed'] for o in ones)}",
         "target": "0 / 0", "ok": exactly_once if not quick else None},
        {"row": "scheduler (PostgreSQL)",
         "measure": f"two processes: firing lateness p50 / p99 in steady state (due after the first {interval:.0f} s; "
                    f"what fell due while the replicas set up their timers is caught up at start: p99 "
                    f"{summary([t['p99'] for t in twos], 's')})",
         "value": f"{summary([t['steady_p50'] for t in twos], 'ms', 1000)} / "
                  f"{summary([t['steady_p99'] for t in twos], 'ms', 1000)}",
         "baseline": f"one process: {summary([o['steady_p50'] for o in ones], 'ms', 1000)} / "
                     f"{summary([o['steady_p99'] for o in ones], 'ms', 1000)}",
         "target": "p99 < 100 ms",
         "ok": sorted(t["steady_p99"] for t in twos)[len(twos) // 2] < 0.1 if not quick else None},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
