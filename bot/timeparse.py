"""Parsing of the small time vocabulary instructors type: durations, time zones,
dates, date ranges, times of day, weekday names and the fields of a cron expression
(bot.when turns those into triggers).

Pure functions, no IO. Every bad input raises ``ValueError`` with a message that
quotes the input and shows what would have worked, because these messages are
shown to people in chat as they are.
"""

from __future__ import annotations

import calendar
import difflib
import functools
import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

__all__ = [
    "WEEKDAY_NAMES",
    "CronFields",
    "parse_cron_fields",
    "parse_weekdays",
    "format_duration",
    "parse_date",
    "parse_date_range",
    "parse_duration",
    "parse_time_of_day",
    "parse_timezone",
    "parse_weekday",
    "quote",
]

# Longest input echoed back in an error message; chat messages should stay short.
_QUOTE_LIMIT = 60


def quote(text: str) -> str:
    """The user's input in double quotes, shortened if it is very long."""
    shown = text if len(text) <= _QUOTE_LIMIT else text[: _QUOTE_LIMIT - 1] + "…"
    return f'"{shown}"'


# --- durations -------------------------------------------------------------

_DURATION_UNITS: dict[str, int] = {}
for _seconds, _names in (
    (1, ("s", "sec", "secs", "second", "seconds")),
    (60, ("m", "min", "mins", "minute", "minutes")),
    (3600, ("h", "hr", "hrs", "hour", "hours")),
    (86400, ("d", "day", "days")),
    (604800, ("w", "wk", "wks", "week", "weeks")),
):
    for _name in _names:
        _DURATION_UNITS[_name] = _seconds

# re.ASCII: "\d" must not accept other scripts' digits, which int() would convert.
_DURATION_PART = re.compile(r"(\d+)\s*([a-z]+)", re.ASCII)
_DURATION_SEPARATOR = re.compile(r"[\s,]*(?:and\s+)?", re.ASCII)
_DURATION_HINT = "use a number and a unit, like 30m, 2h, 1d or 2w"


def parse_duration(text: str) -> timedelta:
    """Parse "30s", "30m", "2h", "1d", "2w", combinations such as "1h30m" or
    "1d 12h", and words such as "90 minutes". Zero is allowed."""
    cleaned = text.strip().lower()
    position, total_seconds, parts = 0, 0, 0
    while position < len(cleaned):
        position = _DURATION_SEPARATOR.match(cleaned, position).end()  # type: ignore[union-attr]
        if position == len(cleaned) and parts:
            break
        match = _DURATION_PART.match(cleaned, position)
        if match is None or match.group(2) not in _DURATION_UNITS:
            raise ValueError(f"{quote(text)} is not a duration — {_DURATION_HINT}")
        if len(match.group(1)) > 12:
            raise ValueError(f"{quote(text)} is too long a duration — {_DURATION_HINT}")
        total_seconds += int(match.group(1)) * _DURATION_UNITS[match.group(2)]
        position, parts = match.end(), parts + 1
    if parts == 0:
        raise ValueError(f"{quote(text)} is not a duration — {_DURATION_HINT}")
    try:
        return timedelta(seconds=total_seconds)
    except OverflowError:
        raise ValueError(f"{quote(text)} is too long a duration — {_DURATION_HINT}") from None


def format_duration(td: timedelta) -> str:
    """Compact form ("1d 2h", "30m", "45s", "2w") that parse_duration reads back.
    Fractions of a second are dropped."""
    if td < timedelta(0):
        raise ValueError(f"cannot show a negative duration ({td})")
    seconds = td.days * 86400 + td.seconds
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    # Whole weeks read better ("2w", "8w"); "1w 3d" does not, so weeks only when exact.
    weeks, days = (days // 7, 0) if days and days % 7 == 0 else (0, days)
    parts = [
        f"{amount}{unit}"
        for amount, unit in ((weeks, "w"), (days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s"))
        if amount
    ]
    return " ".join(parts) or "0s"


# --- time zones ------------------------------------------------------------


@functools.cache
def _zone_names_by_lowercase() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def parse_timezone(name: str) -> ZoneInfo:
    """An IANA time zone such as "Europe/Berlin" (any letter case) or "UTC"."""
    cleaned = name.strip().replace(" ", "_")
    known = _zone_names_by_lowercase()
    if cleaned.lower() in ("utc", "z", "gmt"):
        return ZoneInfo("UTC")
    canonical = known.get(cleaned.lower())
    if canonical is not None:
        return ZoneInfo(canonical)
    suggestion = _suggest_timezone(cleaned.lower(), known)
    hint = f' — did you mean "{suggestion}"?' if suggestion else ' — use an IANA name like "Europe/Berlin" or "America/New_York"'
    raise ValueError(f"unknown time zone {quote(name)}{hint}")


def _suggest_timezone(lowered: str, known: dict[str, str]) -> str | None:
    if not lowered or len(lowered) > 64:  # difflib is quadratic; long input is no typo
        return None
    close = difflib.get_close_matches(lowered, known.keys(), n=1, cutoff=0.75)
    if close:
        return known[close[0]]
    # "Berlin" or "new york": match against the city part of each name.
    cities = _zone_names_by_city()
    close = difflib.get_close_matches(lowered, cities.keys(), n=1, cutoff=0.75)
    return cities[close[0]] if close else None


@functools.cache
def _zone_names_by_city() -> dict[str, str]:
    # sorted: when two regions share a city name the choice is stable between runs.
    names = sorted(available_timezones(), reverse=True)
    return {name.rsplit("/", 1)[-1].lower(): name for name in names if "/" in name}


# --- dates -----------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATE_HINT = "use YYYY-MM-DD, like 2026-02-16"


def parse_date(text: str) -> date:
    """An ISO date, YYYY-MM-DD."""
    cleaned = text.strip()
    if _ISO_DATE.fullmatch(cleaned):
        try:
            return date.fromisoformat(cleaned)
        except ValueError:
            pass
    raise ValueError(f"{quote(text)} is not a valid date — {_DATE_HINT}")


def parse_date_range(text: str) -> tuple[date, date]:
    """"2026-02-16..2026-02-20" (both ends included); a single date is a one-day range."""
    pieces = text.split("..")
    if len(pieces) == 1:
        day = parse_date(pieces[0])
        return day, day
    if len(pieces) != 2:
        raise ValueError(
            f"{quote(text)} is not a date range — use START..END, like 2026-02-16..2026-02-20"
        )
    try:
        start, end = parse_date(pieces[0]), parse_date(pieces[1])
    except ValueError as error:
        raise ValueError(f"{quote(text)}: {error}") from None
    if end < start:
        raise ValueError(f"{quote(text)} ends before it starts — put the earlier date first")
    return start, end


# --- times of day ----------------------------------------------------------

_CLOCK_24H = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)
_CLOCK_12H = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?", re.ASCII)
_TIME_HINT = "use 24-hour HH:MM like 09:00 or 17:30, or 9am / 5:30pm"


def parse_time_of_day(text: str) -> time:
    """"09:00", "9:00", "17:30", "9am", "5:30pm", "12am" (midnight), "12pm" (noon)."""
    cleaned = text.strip().lower()
    match = _CLOCK_24H.fullmatch(cleaned)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour <= 23 and minute <= 59:
            return time(hour, minute)
    match = _CLOCK_12H.fullmatch(cleaned)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if 1 <= hour <= 12 and minute <= 59:
            hour = hour % 12 + (12 if match.group(3) == "p" else 0)
            return time(hour, minute)
    raise ValueError(f"{quote(text)} is not a time of day — {_TIME_HINT}")


# --- weekdays --------------------------------------------------------------

# Index = Python's date.weekday(): Monday 0 ... Sunday 6.
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_ALIASES = {"tues": 1, "thur": 3, "thurs": 3}


def parse_weekday(text: str) -> int:
    """A weekday name ("mon", "Monday", "mondays") as 0=Monday ... 6=Sunday."""
    word = text.strip().lower()
    for candidate in (word, word.removesuffix("s")):
        if candidate in _WEEKDAY_ALIASES:
            return _WEEKDAY_ALIASES[candidate]
        for index, full in enumerate(WEEKDAY_NAMES):
            if candidate in (full, full[:3]):
                return index
    raise ValueError(f"{quote(text)} is not a day of the week — use mon, tue, wed, thu, fri, sat or sun")


def parse_weekdays(text: str) -> frozenset[int]:
    """"mon", "mon,wed,fri", "mon-fri", "fri-mon", "weekdays", "weekends", "daily"
    as a set of 0=Monday ... 6=Sunday."""
    days: set[int] = set()
    for item in text.strip().lower().split(","):
        if item in ("weekdays", "weekday"):
            days.update(range(5))
        elif item in ("weekends", "weekend"):
            days.update((5, 6))
        elif item in ("daily", "day", "days"):
            days.update(range(7))
        elif "-" in item:
            first, _, last = item.partition("-")
            start, end = parse_weekday(first), parse_weekday(last)
            days.update((start + i) % 7 for i in range((end - start) % 7 + 1))
        else:
            days.add(parse_weekday(item))
    return frozenset(days)


# --- cron fields -----------------------------------------------------------


@dataclass(frozen=True)
class CronFields:
    """A 5-field cron expression expanded to the values each field allows."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0=Monday ... 6=Sunday, like date.weekday()
    # Vixie cron: a day field "is *" when it starts with "*" (so "*/2" too). When neither is,
    # a day matching EITHER fires; otherwise a day must match both.
    days_restricted: bool
    weekdays_restricted: bool
    # Vixie cron: a job whose minute or hour field starts with "*" follows the clock — it runs
    # in both occurrences of a repeated (fall-back) hour; other jobs run once per local time.
    follows_clock: bool = False


_MONTH_NAMES = {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
# Standard cron numbering: 0 (or 7) = Sunday, 1 = Monday ... 6 = Saturday.
_CRON_DAY_NAMES = {name: n for n, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_CRON_ITEM = re.compile(r"(\*|[0-9a-z]+(?:-[0-9a-z]+)?)(?:/([0-9]+))?", re.ASCII)
# (name, lowest, highest, names, wraps): a range like "sat-tue" or "22-2" wraps around in
# the fields that are cycles; day-of-month ranges do not (months differ in length).
_CRON_FIELDS = (
    ("minute", 0, 59, {}, True),
    ("hour", 0, 23, {}, True),
    ("day of month", 1, 31, {}, False),
    ("month", 1, 12, _MONTH_NAMES, True),
    ("day of week", 0, 7, _CRON_DAY_NAMES, True),
)


def parse_cron_fields(text: str) -> CronFields:
    """Expand "min hour day month weekday" with standard cron weekday numbering
    (0 or 7 = Sunday, 1 = Monday ... 6 = Saturday) and names (mon, jan)."""
    fields = text.lower().split()
    if len(fields) != 5:
        raise ValueError(
            f"invalid cron expression {quote(text)}: it needs 5 fields "
            f"(minute hour day-of-month month day-of-week), got {len(fields)}"
        )
    minutes, hours, days, months, cron_weekdays = (
        _expand_cron_field(text, field, *spec) for field, spec in zip(fields, _CRON_FIELDS)
    )
    days_restricted, weekdays_restricted = not fields[2].startswith("*"), not fields[4].startswith("*")
    longest_month = max(29 if m == 2 else calendar.monthrange(2001, m)[1] for m in months)
    # Only when the day of month must match (not ORed with a restricted day of week).
    if not weekdays_restricted and min(days) > longest_month:
        raise ValueError(f"invalid cron expression {quote(text)}: that day of month never happens in that month")
    return CronFields(
        expression=" ".join(fields),
        minutes=minutes,
        hours=hours,
        days=days,
        months=months,
        weekdays=frozenset((d - 1) % 7 for d in cron_weekdays),  # cron 0/7 Sunday -> 6
        days_restricted=days_restricted,
        weekdays_restricted=weekdays_restricted,
        follows_clock=fields[0].startswith("*") or fields[1].startswith("*"),
    )


def _expand_cron_field(
    text: str, field: str, name: str, low: int, high: int, names: dict[str, int], wraps: bool
) -> frozenset[int]:
    def bad(reason: str) -> ValueError:
        return ValueError(f"invalid cron expression {quote(text)}: {name} field {quote(field)} {reason}")

    def value(token: str) -> int:
        number = names.get(token)
        if number is None and token.isdigit():
            number = int(token) if len(token) <= 4 else high + 1  # no 5000-digit int()s
        if number is None:
            raise bad("is not a number" + (f" or name ({', '.join(names)})" if names else ""))
        if not low <= number <= high:
            raise bad(f"must be {low}-{high}")
        return number

    weekday = name == "day of week"
    top = 6 if weekday else high  # "*" over weekdays is 0-6 (7 is Sunday again)
    values: set[int] = set()
    for item in field.split(","):
        match = _CRON_ITEM.fullmatch(item)
        if match is None:
            raise bad("is not a number, range (a-b), list (a,b) or step (*/n)")
        span, step_text = match.groups()
        if span == "*":
            first, last = low, top
        elif "-" in span:
            first, last = (value(part) for part in span.split("-"))
        else:
            first = value(span)
            last = top if step_text else first
        step = 1 if step_text is None else int(step_text) if len(step_text) <= 4 else high + 1
        if step < 1 or step > high:
            raise bad(f"has a step that must be 1-{high}")
        if first > last and not wraps:
            raise bad("has a range that runs backwards (day-of-month ranges do not wrap around)")
        values.update(_cycle_range(first, last, step, low, top, weekday))
    return frozenset(values)


def _cycle_range(first: int, last: int, step: int, low: int, top: int, weekday: bool) -> list[int]:
    """first, first+step, ... up to last; past the top of the cycle it goes on from the bottom."""
    if first <= last:
        return list(range(first, last + 1, step))
    if weekday:  # 7 is Sunday: "sun-tue" written "7-2" starts at 0
        first, last = first % 7, last % 7
        if first <= last:
            return list(range(first, last + 1, step))
    size = top - low + 1
    span = (last - first) % size
    return [low + (first - low + offset) % size for offset in range(0, span + 1, step)]
