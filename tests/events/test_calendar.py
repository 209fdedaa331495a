"""Calendars: the card's .ics and the community feed parse with the icalendar library and
keep the local wall time across a daylight-saving change."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import icalendar

from .helpers import create, start

BERLIN = ZoneInfo("Europe/Berlin")


def parsed(data: bytes) -> list[Any]:
    return [c for c in icalendar.Calendar.from_ical(data).walk("VEVENT")]


async def test_the_card_ics_keeps_local_time_on_both_sides_of_dst(make_bot: Any) -> None:
    bot = await start(make_bot)
    # Berlin moves to summer time on Sun 29 March 2026: 17:00 before and after it
    winter = await create(bot, 'title:"Before" when:"2026-03-26 17:00" where:https://meet.example/a')
    summer = await create(bot, 'title:"After" when:"2026-04-02 17:00" duration:2h')
    for card, day in ((winter, 26), (summer, 2)):
        result = await bot.click(card, "Add to calendar", as_="ana")
        [file] = result.reply.content.files
        assert file.filename.endswith(".ics") and file.content_type == "text/calendar"
        [event] = parsed(file.data)
        start_local = event.decoded("dtstart")
        assert start_local.tzinfo is not None and str(event["dtstart"].params["TZID"]) == "Europe/Berlin"
        assert (start_local.day, start_local.hour, start_local.minute) == (day, 17, 0)
        assert start_local.astimezone(BERLIN).hour == 17  # the VTIMEZONE agrees with the zone's rules
    winter_ics = parsed((await bot.click(winter, "Add to calendar", as_="ana")).reply.content.files[0].data)[0]
    summer_ics = parsed((await bot.click(summer, "Add to calendar", as_="ana")).reply.content.files[0].data)[0]
    assert winter_ics.decoded("dtstart").utcoffset() == timedelta(hours=1)
    assert summer_ics.decoded("dtstart").utcoffset() == timedelta(hours=2)
    assert summer_ics.decoded("dtend") - summer_ics.decoded("dtstart") == timedelta(hours=2)
    assert str(winter_ics["summary"]) == "Before" and str(winter_ics["location"]) == "https://meet.example/a"
    assert str(winter_ics["url"]) == "https://meet.example/a"


async def test_the_vtimezone_matches_zoneinfo_all_year(make_bot: Any) -> None:
    """icalendar's own resolution of the VTIMEZONE we ship gives zoneinfo's offsets on every day."""
    bot = await start(make_bot)
    card = await create(bot, 'title:"Weekly" when:"2026-01-20 09:30"')
    data = (await bot.click(card, "Add to calendar", as_="ana")).reply.content.files[0].data
    [zone] = icalendar.Calendar.from_ical(data).walk("VTIMEZONE")
    tz = zone.to_tz()
    for day in range(0, 365, 3):
        local = datetime(2026, 1, 1, 9, 30) + timedelta(days=day)
        assert local.replace(tzinfo=tz).utcoffset() == local.replace(tzinfo=BERLIN).utcoffset(), local


async def test_the_feed_serves_every_session_of_the_community_over_http(make_bot: Any) -> None:
    bot = await start(make_bot, web=True)
    await create(bot, 'title:"One" when:"2026-03-26 17:00"')
    await create(bot, 'title:"Two" when:"2026-04-02 17:00"')
    await bot.command("/event cancel 2", as_="ivy", role="instructor")
    footer = (await bot.command("/event list", as_="ana")).reply.content.footer or ""
    url = footer.split(": ", 1)[1]
    assert url.startswith(bot.url + "/calendar/") and url.endswith(".ics")
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            assert response.status == 200 and response.content_type == "text/calendar"
            body = await response.read()
        async with http.get(f"{bot.url}/calendar/not-a-token.ics") as response:
            assert response.status == 404
    cal = icalendar.Calendar.from_ical(body)
    assert str(cal["x-wr-calname"]) == "Data Science Cohort 7"
    found = {str(e["summary"]): (str(e["status"]), e.decoded("dtstart").hour) for e in cal.walk("VEVENT")}
    assert found == {"One": ("CONFIRMED", 17), "Two": ("CANCELLED", 17)}  # calendars drop cancelled ones
    uids = [str(e["uid"]) for e in cal.walk("VEVENT")]
    assert len(set(uids)) == 2


async def test_the_feed_token_is_stable_and_per_community(make_bot: Any) -> None:
    bot = await start(make_bot)
    first = (await bot.command("/event list", as_="ana")).reply.content.footer
    await bot.restart()
    assert (await bot.command("/event list", as_="ben")).reply.content.footer == first


ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Santiago", "Asia/Tehran", "UTC"]


def test_generated_sessions_round_trip_through_icalendar_in_many_zones() -> None:
    """Any session in any of these zones reads back (icalendar's parser, with the VTIMEZONE we
    ship) as the same instant and the same local wall time, DST changes included."""
    from datetime import timezone

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from cogs.events.ics import calendar_ics
    from cogs.events.models import Event

    @settings(max_examples=80, deadline=None)
    @given(zone=st.sampled_from(ZONES), start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31)),
           minutes=st.integers(1, 24 * 60))
    def check(zone: str, start: datetime, minutes: int) -> None:
        tz = ZoneInfo(zone)
        starts_at = start.replace(second=0, microsecond=0, tzinfo=timezone.utc)
        event = Event(id=7, community_id=1, title="t", starts_at=starts_at,
                      ends_at=starts_at + timedelta(minutes=minutes))
        data = calendar_ics([event], tz, name="c", stamp=starts_at, uid_domain="x")
        [vevent] = parsed(data)
        [vtimezone] = icalendar.Calendar.from_ical(data).walk("VTIMEZONE") or [None]
        begin, end = vevent.decoded("dtstart"), vevent.decoded("dtend")
        # Compare instants in UTC: == between zones is always False for an ambiguous local time (PEP 495).
        assert begin.astimezone(timezone.utc) == starts_at
        assert end.astimezone(timezone.utc) - starts_at == timedelta(minutes=minutes)
        local = starts_at.astimezone(tz)
        if local.replace(fold=1 - local.fold).utcoffset() == local.utcoffset():  # not in a repeated hour
            assert begin.replace(tzinfo=None) == local.replace(tzinfo=None)  # local wall time, with its TZID
        if vtimezone is not None:  # what a calendar app computes from the file alone
            local = starts_at.astimezone(tz)  # keeps fold=1 for the second of a repeated hour
            assert local.replace(tzinfo=vtimezone.to_tz()).utcoffset() == local.utcoffset()

    check()


def test_a_session_in_the_repeated_fall_back_hour_is_written_as_its_real_instant() -> None:
    """Sydney repeats 02:00-03:00 on 2028-04-02: the second 02:30 must not read back as the first."""
    from datetime import timezone

    from cogs.events.ics import calendar_ics
    from cogs.events.models import Event

    tz = ZoneInfo("Australia/Sydney")
    for starts_at in (datetime(2028, 4, 1, 15, 30, tzinfo=timezone.utc), datetime(2028, 4, 1, 16, 30, tzinfo=timezone.utc)):
        event = Event(id=7, community_id=1, title="t", starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
        [vevent] = parsed(calendar_ics([event], tz, name="c", stamp=starts_at, uid_domain="x"))
        assert vevent.decoded("dtstart").astimezone(timezone.utc) == starts_at
