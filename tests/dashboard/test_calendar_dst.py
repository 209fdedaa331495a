"""The Schedules page's calendar on the night the clocks fall back (issue 14's family): posts
are listed in the order they happen. Aware datetimes of one zone compare by wall reading, so
01:15 EST (the second 01:15) would sort before 01:30 EDT although it comes an hour later."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from bot.dashboard.calendar import weeks_of
from bot.dashboard.panels import ScheduleView
from bot.when import fire_times_between, parse_when

NEW_YORK = ZoneInfo("America/New_York")


def test_the_repeated_hour_is_listed_in_the_order_it_happens() -> None:
    now = datetime(2027, 11, 5, 12, tzinfo=timezone.utc)
    until = datetime(2027, 11, 8, tzinfo=NEW_YORK)
    views = [ScheduleView("prompt", name, when, firings=fire_times_between(parse_when(when, NEW_YORK), now, until))
             for name, when in (("fixed", "30 1 * * *"), ("quarterly", "15 * * * *"))]
    [day] = [d for week in weeks_of(views, now, NEW_YORK) for d in week if d.day.isoformat() == "2027-11-07"]
    listed = [(p.at.strftime("%H:%M %Z"), p.name) for p in day.posts if p.at.hour == 1]
    assert listed == [("01:15 EDT", "quarterly"), ("01:30 EDT", "fixed"), ("01:15 EST", "quarterly")]
