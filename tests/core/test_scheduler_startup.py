"""Scheduler start-up on the real clock: a firing that falls due while start() is still busy
(catching up other schedules, setting up 10,000 timers) runs late, once — it is not lost.

Regression test for 4bd0019: APScheduler computes a job's first run time from when it is
added, which is after the catch-up; the timers are therefore given their first run time from
the moment start() began.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.clock import Clock
from bot.scheduler import EveryTrigger, Scheduler

from .test_storage import migrated

SLOW_START = 1.3  # seconds start() spends catching up another schedule
EVERY = timedelta(seconds=1)  # so at least one firing of the frequent schedule falls due meanwhile


async def test_a_firing_due_during_start_up_runs_late_instead_of_never(tmp_path: Path) -> None:
    db, _ = migrated(f"sqlite:///{tmp_path / 's.db'}", cogs=[])
    clock = Clock()
    scheduler = Scheduler(db, clock)
    ran: list[tuple[datetime, datetime]] = []  # (due, when it ran)

    async def slow_catch_up(due: datetime) -> None:
        await asyncio.sleep(SLOW_START)  # e.g. a digest caught up at start: start() waits for it

    async def frequent(due: datetime) -> None:
        ran.append((due, clock.now()))

    now = clock.now()
    scheduler.add("demo:hourly", EveryTrigger(timedelta(hours=1)), slow_catch_up, grace=timedelta(hours=2),
                  since=now - timedelta(days=1))
    scheduler.add("demo:every-second", EveryTrigger(EVERY), frequent, grace=timedelta(minutes=1), since=now)
    began = clock.now()
    await scheduler.start()
    started = clock.now()
    try:
        assert started - began >= timedelta(seconds=SLOW_START)
        for _ in range(100):  # the timer that fell due during start() fires at once, on the next loop turns
            if ran:
                break
            await asyncio.sleep(0.02)
    finally:
        await scheduler.stop()
        db.dispose()
    assert ran, "the frequent schedule never fired"
    due, at = ran[0]
    # its first firing is one that fell due while start() was busy, run late rather than skipped
    assert began <= due <= started, (began, due, started)
    assert at >= started
    assert len({d for d, _ in ran}) == len(ran)  # each due time once
