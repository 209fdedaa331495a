"""Pure pieces of the helpdesk: working hours, when a question is overdue, medians, wording."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import format_duration, local_instant, parse_time_of_day, parse_weekdays

CHECK_MARKS = frozenset({"✅", "white_check_mark", "heavy_check_mark", "✔️", "✔"})
_HOURS = re.compile(r"^\s*(\S+)\s+(\S+)\s*-\s*(\S+)\s*$")
MAX_DAYS = 400  # a due time is looked for this far ahead at most


@dataclass(frozen=True)
class WorkingHours:
    days: frozenset[int]  # 0 = Monday
    start: time
    end: time


def parse_working_hours(text: str) -> WorkingHours:
    """ "mon-fri 09:00-17:00", "mon,wed 10:00-16:00", "daily 8am-8pm"."""
    match = _HOURS.match(text)
    if match is None:
        raise ValueError(f'"{text}" is not working hours — write days and times like "mon-fri 09:00-17:00"')
    days = parse_weekdays(match.group(1))
    start, end = parse_time_of_day(match.group(2)), parse_time_of_day(match.group(3))
    if not start < end:
        raise ValueError(f'working hours must end after they start (got "{text}")')
    return WorkingHours(days, start, end)


def due_at(posted_at: datetime, after: timedelta, hours: WorkingHours | None, tz: ZoneInfo) -> datetime:
    """The instant ``after`` has passed since ``posted_at``, counting only working hours (if any)."""
    if hours is None:
        return posted_at + after
    left = after
    day = posted_at.astimezone(tz).date()
    for _ in range(MAX_DAYS):
        if day.weekday() in hours.days:
            # a boundary the clocks skip (spring forward) is the first instant after the gap
            opens = local_instant(day, hours.start, tz).astimezone(posted_at.tzinfo)
            closes = local_instant(day, hours.end, tz).astimezone(posted_at.tzinfo)
            begin = max(opens, posted_at)
            if begin < closes:
                if begin + left <= closes:
                    return begin + left
                left -= closes - begin
        day += timedelta(days=1)
    return posted_at + after  # unreachable for sane hours; never "never"


def median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def waited(delta: timedelta) -> str:
    """A short, human duration: whole minutes (at least 1m)."""
    minutes = max(1, int(delta.total_seconds() // 60))
    return format_duration(timedelta(minutes=minutes))
