"""The Schedules page's calendar on the night the clocks fall back (issue 14's family): posts
are listed in the order they happen. Aware datetimes of one zone compare by wall reading, so
01:15 EST (the second 01:15) would sort before 01:30 EDT although it comes an hour later."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from bot.dashboard.calendar import weeks_of
from bot.dashboard.pages import DashboardPages
from bot.dashboard.panels import ScheduleView
from bot.dashboard.views import when_text
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


def test_the_page_names_the_zone_on_every_time_of_a_day_the_clocks_change() -> None:
    now = datetime(2027, 11, 5, 12, tzinfo=timezone.utc)
    until = datetime(2027, 11, 8, tzinfo=NEW_YORK)
    views = [ScheduleView("prompt", name, when, firings=fire_times_between(parse_when(when, NEW_YORK), now, until))
             for name, when in (("fixed", "30 1 * * *"), ("quarterly", "15 * * * *"))]
    weeks = weeks_of(views, now, NEW_YORK)
    html = DashboardPages(None, None).templates.get_template("schedules.html").render(
        visit=None, title="Schedules", views=[], replies=[], weeks=weeks, zone="America/New_York",
        now=now.astimezone(NEW_YORK))
    days = dict(re.findall(r'<span class="date">([^<]+)</span>(.*?)</li>\s*(?=<li class="day|</ol>)', html, re.S))
    times = {day: re.findall(r"<time [^>]*>([^<]+)</time>", body) for day, body in days.items()}
    assert times["Sun 07"][:5] == ["00:15 EDT", "01:15 EDT", "01:30 EDT", "01:15 EST", "02:15 EST"], \
        "the two 01:15s are told apart, and every time that day says its zone"
    assert all(t.endswith(" EST") for t in times["Sun 07"][3:]) and len(times["Sun 07"]) == 26
    assert times["Sat 06"][:3] == ["00:15", "01:15", "01:30"], "an ordinary day stays short"


def test_a_table_time_in_the_repeated_hour_names_its_zone() -> None:
    first, second = datetime(2027, 11, 7, 5, 15, tzinfo=timezone.utc), datetime(2027, 11, 7, 6, 15, tzinfo=timezone.utc)
    assert [when_text(t, NEW_YORK) for t in (first, second)] == ["2027-11-07 01:15 EDT", "2027-11-07 01:15 EST"]
    assert when_text(datetime(2027, 11, 7, 12, tzinfo=timezone.utc), NEW_YORK) == "2027-11-07 07:00"
