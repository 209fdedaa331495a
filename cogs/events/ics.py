"""RFC 5545 calendars with the ``icalendar`` library: times are written in the community's
time zone (TZID + a VTIMEZONE with its DST rules), so calendar apps keep the local wall time
across a daylight-saving change."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterable
from zoneinfo import ZoneInfo

from .models import Event

if TYPE_CHECKING:
    import icalendar

PRODID = "-//Cohort Bot//events//EN"


def calendar_ics(events: Iterable[Event], tz: ZoneInfo, *, name: str, stamp: datetime, uid_domain: str) -> bytes:
    import icalendar  # on the first calendar, not at the bot's start-up (bench/startup_bench.py)

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", tz.key)
    for event in events:
        cal.add_component(_vevent(event, tz, stamp, uid_domain))
    cal.add_missing_timezones()
    return cal.to_ical()


def _calendar_time(instant: datetime, tz: ZoneInfo) -> datetime:
    """The local time with its TZID, except inside a repeated fall-back hour: RFC 5545 reads such a
    local time as its first occurrence, so there the instant is written in UTC instead."""
    local = instant.astimezone(tz)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return instant.astimezone(timezone.utc)
    return local


def _vevent(event: Event, tz: ZoneInfo, stamp: datetime, uid_domain: str) -> icalendar.Event:
    import icalendar

    item = icalendar.Event()
    item.add("uid", f"event-{event.id}@{uid_domain}")
    item.add("dtstamp", stamp)
    item.add("dtstart", _calendar_time(event.starts_at, tz))
    item.add("dtend", _calendar_time(event.ends_at, tz))
    item.add("summary", event.title)
    if event.description:
        item.add("description", event.description)
    if event.location:
        item.add("location", event.location)
        if event.location.startswith(("https://", "http://")):
            item.add("url", event.location)
    item.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    item.add("sequence", 1 if event.is_cancelled else 0)
    return item
