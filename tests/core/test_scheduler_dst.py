"""The due time a firing is handed is the same instant, in UTC, whichever path fires it: the
timer (APScheduler calls ``_on_timer``), the fake clock's ``advance`` or the catch-up at start.

A zone's aware datetime would do wall-clock arithmetic (03:00 EDT minus a second is 02:59:59
"EST", an hour *later*) and compares by wall reading with others of its zone (01:30 EDT ==
01:30 EST), so a callback doing ``due - x`` or a caller comparing firings would be wrong on
exactly the days the clocks change (issue 14's family).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.scheduler import Scheduler
from bot.when import parse_when
from tests.prompts.helpers import PROMPTS, posts
from tests.test_when_dst import one_prompt, posted

from .test_storage import migrated

NEW_YORK = ZoneInfo("America/New_York")
UTC = timezone.utc


def at(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK, fold=fold)


@pytest.mark.parametrize(("when", "due"), [("daily 02:30", at(2027, 3, 14, 3)),  # the gap: first instant after
                                           ("30 1 * * *", at(2027, 11, 7, 1, 30)),
                                           ("*/30 1-3 * * *", at(2027, 11, 7, 1, 30, fold=1))])  # the repeated hour
async def test_every_path_hands_the_firing_the_same_utc_instant(tmp_path: Path, when: str, due: datetime) -> None:
    db, _ = migrated(f"sqlite:///{tmp_path / 's.db'}", cogs=[])
    clock = FakeClock(due.astimezone(UTC) - timedelta(minutes=20))
    scheduler = Scheduler(db, clock)
    scheduler.running = True  # the timer and the catch-up only run in a started scheduler (no real timers here)
    got: dict[str, datetime] = {}

    def add(path: str, since: datetime) -> None:
        async def record(fired: datetime) -> None:
            got[path] = fired

        scheduler.add(path, parse_when(when, NEW_YORK), record, grace=timedelta(hours=1), since=since)

    try:
        add("advance", clock.now())
        await scheduler.advance(due)
        clock.set(due.astimezone(UTC) + timedelta(seconds=1))  # the timer wakes a second late
        add("timer", clock.now())
        await scheduler._on_timer("timer")
        add("catch-up", clock.now() - timedelta(hours=1))  # add() runs the catch-up of a running scheduler
        await asyncio.sleep(0.1)
    finally:
        scheduler.running = False
        db.dispose()
    assert set(got) == {"advance", "timer", "catch-up"}
    assert all(fired.utcoffset() == timedelta(0) for fired in got.values()), got
    assert set(got.values()) == {due.astimezone(UTC)}
    assert all((fired - timedelta(seconds=1)).astimezone(UTC) < due.astimezone(UTC) for fired in got.values())


async def test_a_prompt_changed_elsewhere_still_posts_its_gap_firing_from_the_timer(make_bot) -> None:
    bot = await make_bot(yaml=one_prompt("daily 02:30"), cogs=PROMPTS, start=at(2027, 3, 14, 1))
    runner = bot.app.get_cog("prompt").runner
    [row_id] = runner._registered
    runner._registered[row_id] = "an older version"  # another process edited the schedule meanwhile
    bot.clock.set(at(2027, 3, 14, 3, 0, 1))  # 03:00:01 EDT: the timer for the 02:30 that never happens
    key = next(key for key in bot.app.scheduler.entries if key.startswith("prompt"))
    await bot.app.scheduler._on_timer(key)
    assert posted(bot) == ["03-14 03:00 EDT"] and posts(bot)[0].due_at == at(2027, 3, 14, 3)


async def test_advance_to_a_time_in_the_repeated_hour_runs_what_is_due_before_it(make_bot) -> None:
    bot = await make_bot(yaml=one_prompt("* * * * *"), cogs=PROMPTS, start=at(2027, 11, 7, 1, 55))
    await bot.advance(at(2027, 11, 7, 1, 4, fold=1))  # 01:04 EST, the second time the clock reads it
    assert posted(bot) == [f"11-07 01:{m} EDT" for m in range(56, 60)] + [f"11-07 01:0{m} EST" for m in range(5)]
