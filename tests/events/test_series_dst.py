"""Recurring sessions on the weekends the clocks change (issue 14's family: the series' timer
is its schedule moved ``post_ahead`` earlier, and that move is real time, not wall time).

America/New_York springs forward on Sun 2027-03-14 and falls back on Sun 2027-11-07.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.when import fire_times_between, next_fire_times, parse_when
from cogs.events.series import EarlierTrigger

from .helpers import events, stored_events

NEW_YORK = ZoneInfo("America/New_York")
UTC = timezone.utc
AHEAD = timedelta(days=2)


def yaml(when: str, duration: str = "1h") -> str:
    return f"""
communities:
  - id: console
    platform: console
    timezone: America/New_York
    channels: {{discussion: general}}
    events:
      - {{id: oh, title: "Office hours", when: "{when}", duration: {duration}, channel: discussion}}
"""


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)


@pytest.mark.parametrize(("when", "start"), [("mon 10:00", at(2027, 10, 28)), ("mon 10:00", at(2027, 3, 4)),
                                             ("sun 01:30", at(2027, 10, 28)), ("sun 02:30", at(2027, 3, 4))])
def test_the_series_timer_is_each_session_exactly_post_ahead_earlier(when: str, start: datetime) -> None:
    inner = parse_when(when, NEW_YORK)
    trigger = EarlierTrigger(inner, AHEAD)
    end = start.astimezone(UTC) + timedelta(days=21)
    sessions = [s.astimezone(UTC) for s in fire_times_between(inner, start + AHEAD, end + AHEAD + timedelta(weeks=1))]
    assert [t.astimezone(UTC) for t in fire_times_between(trigger, start, end)] == \
           [s - AHEAD for s in sessions if s - AHEAD <= end]
    cursor = start.astimezone(UTC)
    while cursor < end:  # asked from anywhere, the next timer is later and none is skipped
        [due] = next_fire_times(trigger, cursor, 1)
        assert due > cursor and due.astimezone(UTC) == min(s - AHEAD for s in sessions if s - AHEAD > cursor)
        cursor += timedelta(minutes=30)


async def test_a_weekly_series_posts_each_card_48_hours_ahead_across_the_fall_back_weekend(make_bot: Any) -> None:
    bot = await make_bot(yaml=yaml("mon 10:00"), cogs=["cogs.events"], start=at(2027, 10, 28, 12))
    events(bot).live.delay = 0
    await bot.advance(at(2027, 11, 16, 12))  # this used to loop for ever on the Saturday before the change
    stored = stored_events(bot)
    assert [e.starts_at.astimezone(NEW_YORK).strftime("%m-%d %H:%M %Z") for e in stored] == \
           ["11-01 10:00 EDT", "11-08 10:00 EST", "11-15 10:00 EST"]
    assert all(e.starts_at - e.created_at == AHEAD for e in stored)


@pytest.mark.parametrize(("when", "day", "starts"), [("sun 01:00", at(2027, 11, 7), "01:00 EDT"),
                                                     ("sat 23:00", at(2027, 3, 13), "23:00 EST")])
async def test_a_session_across_a_change_lasts_its_duration(make_bot: Any, when: str, day: datetime,
                                                             starts: str) -> None:
    bot = await make_bot(yaml=yaml(when, duration="4h"), cogs=["cogs.events"], start=day - timedelta(days=3))
    events(bot).live.delay = 0
    await bot.advance(day)
    [event] = stored_events(bot)
    assert event.starts_at.astimezone(NEW_YORK).strftime("%H:%M %Z") == starts
    assert event.ends_at - event.starts_at == timedelta(hours=4)  # real hours, as a one-off event's
