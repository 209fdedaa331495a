"""Schedule expressions ("when:") turned into schedules: which local days, which times.

The calendar itself — turning local days and times into instants across DST changes, and
answering every "when" question from one function — is ``bot.firings``; its helpers are
re-exported here, as are the duration / time zone / date parsers of ``bot.timeparse``, so
callers have one import. Pure logic, no IO.
"""

from __future__ import annotations

import re
from datetime import date, time, tzinfo

from bot.firings import (
    CronDays, EveryNWeeks, LocalSchedule, MonthlyDay, fire_times_between, firings_after, latest_fire_time,
    next_fire_times, week_number,
)
from bot.timeparse import (
    WEEKDAY_NAMES,
    CronFields,
    format_duration,
    parse_cron_fields,
    parse_date,
    parse_date_range,
    parse_duration,
    parse_time_of_day,
    parse_timezone,
    parse_weekday,
    parse_weekdays,
    quote,
)

__all__ = [
    "LocalSchedule", "describe_when", "fire_times_between", "firings_after", "format_duration",
    "latest_fire_time", "next_fire_times", "parse_date", "parse_date_range", "parse_duration",
    "parse_time_of_day", "parse_timezone", "parse_when", "week_number",
]

_APS_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # indexed like date.weekday()
_ALL_DAYS = frozenset(range(7))
_WEEKDAYS = frozenset(range(5))
_MAX_WEEKS = 8

_FORMS_HINT = (
    'use a cron expression like "0 18 * * 1-5", or "mon 09:00", "mon,wed,fri 09:00", '
    '"weekdays 09:00", "daily 18:30", "every 2 weeks on tue 10:00", '
    '"monthly on 15 10:00" or "monthly on first mon 10:00"'
)


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _weekly(days: frozenset[int], at: time, zone: tzinfo, label: str, weeks: int = 1,
            anchor: date | None = None) -> LocalSchedule:
    phase = week_number(anchor) % weeks if anchor is not None else 0
    return LocalSchedule(EveryNWeeks(frozenset(days), weeks, phase), [_minutes(at)], zone, label=label)


# --- cron ------------------------------------------------------------------


# crontab(5)'s nicknames (Vixie cron): each is the 5-field expression it stands for.
_NICKNAMES = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
              "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}


def _looks_like_cron(text: str) -> bool:
    first = text.split(maxsplit=1)[0] if text.split() else ""
    return bool(re.fullmatch(r"[0-9*,/-]+", first, re.ASCII))


def _parse_cron(text: str, zone: tzinfo) -> tuple[LocalSchedule, str]:
    cron = parse_cron_fields(text)
    days = CronDays(cron.days, cron.months, cron.weekdays, either=cron.days_restricted and cron.weekdays_restricted)
    times = [hour * 60 + minute for hour in cron.hours for minute in cron.minutes]
    description = _describe_cron(cron)
    return LocalSchedule(days, times, zone, follow_clock=cron.follows_clock, label=description), description


def _describe_cron(cron: CronFields) -> str:
    if len(cron.minutes) == 1 and len(cron.hours) == 1 and not cron.days_restricted and len(cron.months) == 12:
        return f"{_describe_days(cron.weekdays)} at {min(cron.hours):02d}:{min(cron.minutes):02d}"
    return f'on cron schedule "{cron.expression}"'


# --- friendly forms --------------------------------------------------------

_ORDINALS = {"first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th", "last": "last"}
_ORDINALS.update({v: v for v in _ORDINALS.values()})
_NOISE_WORDS = {"on", "at", "the", "of"}


def _normalise(text: str) -> list[str]:
    cleaned = " ".join(text.lower().split())
    cleaned = re.sub(r"\s+and\s+", ",", cleaned)
    cleaned = re.sub(r"\s*([,-])\s*", r"\1", cleaned)
    cleaned = re.sub(r"(\d)\s+([ap]\.?m\b\.?)", r"\1\2", cleaned)  # "9 am" -> "9am"
    return [token for token in cleaned.split(" ") if token not in _NOISE_WORDS]


def _parse_friendly(text: str, zone: tzinfo, anchor: date | None) -> tuple[LocalSchedule, str]:
    tokens = _normalise(text)
    if len(tokens) < 2:
        raise ValueError(f"{quote(text)} is not a schedule — {_FORMS_HINT}")
    head, at = tokens[:-1], _time_in(text, tokens[-1])
    clock = f"{at:%H:%M}"

    if head[0] == "monthly" and len(head) >= 2:
        rule, description = _monthly_day(text, head[1:])
        description = f"{description} at {clock}"
        return LocalSchedule(rule, [_minutes(at)], zone, label=description), description

    weeks = 1
    if head[0] == "every" and len(head) >= 3 and head[2] in ("weeks", "week"):
        if not re.fullmatch(r"[0-9]{1,3}|other", head[1], re.ASCII):
            raise ValueError(f"{quote(text)} is not a schedule — {_FORMS_HINT}")
        weeks = 2 if head[1] == "other" else int(head[1])
        if not 1 <= weeks <= _MAX_WEEKS:
            raise ValueError(f"{quote(text)}: every N weeks takes N from 1 to {_MAX_WEEKS}")
        head = head[3:]
    elif head[:2] == ["every", "week"] or head[0] == "weekly":
        head = head[2:] if head[0] == "every" else head[1:]
    elif head[0] == "every":
        head = head[1:]
    days = _days_in(text, head)

    if weeks == 1:
        description = f"{_describe_days(days)} at {clock}"
        return _weekly(days, at, zone, description), description
    names = _join_names([WEEKDAY_NAMES[d].capitalize() for d in sorted(days)])
    description = f"every {weeks} weeks on {names} at {clock}"
    return _weekly(days, at, zone, description, weeks, anchor), description


def _time_in(text: str, token: str) -> time:
    try:
        return parse_time_of_day(token)
    except ValueError as error:
        if re.search(r"[0-9]", token):  # meant as a time: say what is wrong with it
            raise ValueError(f"{quote(text)}: {error}") from None
        raise ValueError(f"{quote(text)} is not a schedule — it must end with a time like 09:00; {_FORMS_HINT}") from None


def _days_in(text: str, head: list[str]) -> frozenset[int]:
    if len(head) != 1:
        raise ValueError(f"{quote(text)} is not a schedule — {_FORMS_HINT}")
    try:
        return parse_weekdays(head[0])
    except ValueError:
        raise ValueError(f"{quote(text)} is not a schedule — {_FORMS_HINT}") from None


def _monthly_day(text: str, words: list[str]) -> tuple[MonthlyDay, str]:
    """The day rule and a description for "15", "first mon", "last day"."""
    if len(words) == 1 and (match := re.fullmatch(r"([0-9]{1,2})(?:st|nd|rd|th)?", words[0], re.ASCII)):
        day = int(match.group(1))
        if not 1 <= day <= 31:
            raise ValueError(f"{quote(text)}: the day of the month must be 1-31")
        return MonthlyDay(day=day), f"on the {_ordinal(day)} of every month"
    if words == ["last", "day"]:
        return MonthlyDay(day=-1), "on the last day of every month"
    if len(words) == 2 and words[0] in _ORDINALS:
        try:
            weekday = parse_weekday(words[1])
        except ValueError:
            pass
        else:
            position = _ORDINALS[words[0]]
            label = "last" if position == "last" else words[0]
            nth = -1 if position == "last" else int(position[0])
            return (MonthlyDay(weekday=weekday, nth=nth),
                    f"on the {label} {WEEKDAY_NAMES[weekday].capitalize()} of every month")
    raise ValueError(
        f'{quote(text)} is not a monthly schedule — use "monthly on 15 10:00" or "monthly on first mon 10:00"'
    )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _describe_days(days: frozenset[int]) -> str:
    if days == _ALL_DAYS:
        return "every day"
    if days == _WEEKDAYS:
        return "every weekday"
    return "every " + _join_names([WEEKDAY_NAMES[d].capitalize() for d in sorted(days)])


def _join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --- public entry points ---------------------------------------------------


def _parse(text: str, tz: tzinfo | str, anchor: date | None) -> tuple[LocalSchedule, str]:
    zone = parse_timezone(tz) if isinstance(tz, str) else tz
    if not text.strip():
        raise ValueError(f"{quote(text)} is not a schedule — {_FORMS_HINT}")
    nickname = text.strip().lower()
    if nickname == "@reboot":
        raise ValueError(f"{quote(text)} is not a schedule here — schedules run by the clock; use e.g. "
                         '"@daily" or "daily 09:00"')
    if nickname in _NICKNAMES:
        return _parse_cron(_NICKNAMES[nickname], zone)
    if _looks_like_cron(text):
        return _parse_cron(text, zone)
    return _parse_friendly(text, zone, anchor)


def parse_when(text: str, tz: tzinfo | str, anchor: date | None = None) -> LocalSchedule:
    """The schedule of a 5-field cron expression (standard weekday numbering, 0/7 =
    Sunday; crontab(5)'s nicknames "@daily", "@hourly", "@weekly", "@monthly", "@yearly") or a friendly form: "mon 09:00", "mon,wed,fri 9am", "weekdays 09:00",
    "daily 18:30", "weekly on tue 10:00", "every 2 weeks on tue 10:00",
    "monthly on 15 10:00", "monthly on first mon 10:00". Times are local to ``tz``.

    ``anchor`` only matters for "every N weeks": the week containing it is an "on"
    week (default: weeks counted from Monday 1970-01-05).
    """
    return _parse(text, tz, anchor)[0]


def describe_when(text: str, tz: tzinfo | str, anchor: date | None = None) -> str:
    """Human-readable form, e.g. "every Monday at 09:00 (Europe/Berlin)"."""
    zone = parse_timezone(tz) if isinstance(tz, str) else tz
    return f"{_parse(text, zone, anchor)[1]} ({getattr(zone, 'key', zone)})"
