"""Scheduler at scale: 10,000 schedules over 1,000 communities on the real Scheduler.

Measures start-up (registering every schedule and starting APScheduler), memory added,
and firing lateness (callback start minus due time, including the database claim) while
the schedules fire through the real APScheduler timer and SQLite claims.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from apscheduler.triggers.base import BaseTrigger

from bot.clock import Clock
from bot.scheduler import Scheduler
from bot.storage import Database

from .stats import percentile, rss_mb, summary


class OffsetEvery(BaseTrigger):
    """Every ``interval``, shifted by ``offset``: spreads firings like real schedules are spread."""

    def __init__(self, interval: timedelta, offset: timedelta) -> None:
        self.interval, self.offset = interval, offset
        self.epoch = datetime(2026, 1, 1, tzinfo=timezone.utc) + offset

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime:
        start = now if previous_fire_time is None else max(now, previous_fire_time + timedelta(microseconds=1))
        steps = -(-(start - self.epoch) // self.interval)
        return self.epoch + steps * self.interval


async def one_run(schedules: int, communities: int, seconds: float) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-sched-"))
    db = Database(f"sqlite:///{tmp / 's.db'}")
    db.upgrade()
    scheduler = Scheduler(db, Clock())
    fired: list[tuple[datetime, float]] = []
    interval = timedelta(seconds=60)

    def make_callback() -> Any:
        async def fire(due: datetime) -> None:
            fired.append((due, (datetime.now(timezone.utc) - due).total_seconds()))

        return fire

    rss_before = rss_mb()
    start = time.perf_counter()
    for i in range(schedules):
        offset = timedelta(seconds=60 * i / schedules)
        scheduler.add(f"bench:{i % communities}:{i}", OffsetEvery(interval, offset), make_callback(),
                      grace=timedelta(hours=2))
    await scheduler.start()
    started = datetime.now(timezone.utc)
    startup = time.perf_counter() - start
    rss_added = rss_mb() - rss_before
    await asyncio.sleep(seconds)
    await scheduler.stop()
    db.dispose()
    # firings that fell due while the timers were being set up are caught up at start (late by
    # up to the start-up time); steady state is what fell due from a second after start
    steady = [late for due, late in fired if due >= started + timedelta(seconds=1)]
    caught_up = [late for due, late in fired if due < started]
    return {"startup": startup, "rss": rss_added, "fired": len(fired),
            "p50": percentile(steady, 50), "p99": percentile(steady, 99),
            "caught_up": len(caught_up), "caught_up_max": max(caught_up, default=0.0)}


def run(quick: bool = False) -> list[dict[str, Any]]:
    schedules, communities, seconds, runs = (500, 50, 3.0, 2) if quick else (10_000, 1_000, 20.0, 5)
    results = [asyncio.run(one_run(schedules, communities, seconds)) for _ in range(runs)]
    fired = sum(r["fired"] for r in results)
    return [
        {"row": "scheduler", "measure": f"start-up, {schedules:,} schedules / {communities:,} communities",
         "value": summary([r["startup"] for r in results], "s", digits=2), "baseline": "—", "target": "< 2 s",
         "ok": max(r["startup"] for r in results) < 2 if not quick else None},
        {"row": "scheduler", "measure": "memory added (RSS)", "value": summary([r["rss"] for r in results], "MB"),
         "baseline": "—", "target": "—", "ok": None},
        {"row": "scheduler", "measure": f"firing lateness p50 / p99 in steady state ({fired:,} firings incl. DB "
                                        f"claim; due during start-up and caught up at start: "
                                        f"{sum(r['caught_up'] for r in results):,}, late by at most "
                                        f"{max(r['caught_up_max'] for r in results):.2f} s)",
         "value": f"{summary([r['p50'] for r in results], 'ms', 1000)} / {summary([r['p99'] for r in results], 'ms', 1000)}",
         "baseline": "—", "target": "p99 < 50 ms",
         "ok": sorted(r["p99"] for r in results)[len(results) // 2] < 0.05 if not quick else None},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
