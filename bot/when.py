"""Schedule expressions ("when:") turned into APScheduler 3 triggers, plus the
fire-time arithmetic the scheduler core needs (next firings, firings in a window,
the latest missed firing for restart catch-up).

Pure logic, no IO. The duration / time zone / date parsers live in
``bot.timeparse`` and are re-exported here so callers have one import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

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
    "EveryNWeeksTrigger", "WallClockCronTrigger", "describe_when", "fire_times_between", "format_duration",
    "latest_fire_time", "next_fire_times", "parse_date", "parse_date_range", "parse_duration",
    "parse_time_of_day", "parse_timezone", "parse_when",
]

# APScheduler's day_of_week names, indexed like date.weekday() (Monday 0).
_APS_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ALL_DAYS = frozenset(range(7))
_WEEKDAYS = frozenset(range(5))
# Week numbers count from this Monday, so "every N weeks" has the same phase in
# every process and after every restart.
_FIRST_MONDAY = date(1970, 1, 5)
_MAX_WEEKS = 8

_FORMS_HINT = (
    'use a cron expression like "0 18 * * 1-5", or "mon 09:00", "mon,wed,fri 09:00", '
    '"weekdays 09:00", "daily 18:30", "every 2 weeks on tue 10:00", '
    '"monthly on 15 10:00" or "monthly on first mon 10:00"'
)


def week_number(day: date) -> int:
    """Whole weeks since Monday 1970-01-05 (weeks run Monday to Sunday)."""
    return (day - _FIRST_MONDAY).days // 7


class EveryNWeeksTrigger(BaseTrigger):
    """Fires on the given weekdays at a wall-clock time, every ``weeks`` weeks.

    Wraps a CronTrigger for the weekday/time and keeps only the weeks whose
    week_number % weeks == phase. Unlike IntervalTrigger it keeps local wall-clock
    time across DST, and unlike cron week="*/2" it stays in phase across new year.
    """

    __slots__ = ("weeks", "phase", "days", "at", "timezone", "_cron")

    def __init__(
        self,
        weeks: int,
        days: Iterable[int],
        at: time,
        timezone: ZoneInfo,
        anchor: date | None = None,
    ) -> None:
        if not 1 <= weeks <= _MAX_WEEKS:
            raise ValueError(f"every N weeks needs N from 1 to {_MAX_WEEKS}, got {weeks}")
        self.weeks = weeks
        self.phase = week_number(anchor) % weeks if anchor is not None else 0
        self.days = tuple(sorted(set(days)))
        if not self.days:
            raise ValueError("every N weeks needs at least one weekday")
        self.at = time(at.hour, at.minute)
        self.timezone = timezone
        self._cron = _weekly_cron(self.days, self.at, timezone)

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        candidate = self._cron.get_next_fire_time(previous_fire_time, now)
        while candidate is not None and not self._in_phase(candidate):
            candidate = self._cron.get_next_fire_time(None, self._next_on_week_start(candidate))
        return candidate

    def _in_phase(self, moment: datetime) -> bool:
        return week_number(moment.astimezone(self.timezone).date()) % self.weeks == self.phase

    def _next_on_week_start(self, off_moment: datetime) -> datetime:
        """Midnight starting the next "on" week after an off-week firing."""
        week = week_number(off_moment.astimezone(self.timezone).date())
        monday = _FIRST_MONDAY + timedelta(weeks=week + (self.phase - week) % self.weeks)
        midnight = datetime.combine(monday, time(0), tzinfo=self.timezone)
        # Always move forward, even where a DST change makes local midnight odd.
        return max(_to_utc(midnight), _to_utc(off_moment) + timedelta(seconds=1))

    # Pickled as its parameters (APScheduler job stores pickle triggers); the
    # inner cron is rebuilt on load.
    def __getstate__(self) -> dict[str, object]:
        return {"version": 1, "weeks": self.weeks, "phase": self.phase, "days": self.days,
                "at": self.at, "timezone": self.timezone.key}

    def __setstate__(self, state: dict) -> None:
        self.weeks, self.phase, self.days, self.at = state["weeks"], state["phase"], state["days"], state["at"]
        self.timezone = ZoneInfo(state["timezone"])
        self._cron = _weekly_cron(self.days, self.at, self.timezone)

    def __str__(self) -> str:
        days = ",".join(_APS_DAYS[d] for d in self.days)
        return f"every {self.weeks} weeks on {days} at {self.at:%H:%M} (phase {self.phase})"

    def __repr__(self) -> str:
        days = ",".join(_APS_DAYS[d] for d in self.days)
        return (
            f"<EveryNWeeksTrigger (weeks={self.weeks}, phase={self.phase}, "
            f"day_of_week='{days}', time='{self.at:%H:%M}', timezone='{self.timezone.key}')>"
        )


class WallClockCronTrigger(CronTrigger):
    """A CronTrigger that fires once per local wall-clock time: when clocks fall
    back, the repeated hour's times (fold=1) are skipped, as cron does, so a
    "02:30" schedule does not post twice that night."""

    __slots__ = ()

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        candidate = super().get_next_fire_time(previous_fire_time, now)
        while candidate is not None and _is_repeated_wall_time(candidate):
            candidate = super().get_next_fire_time(candidate, candidate)
        return candidate


def _is_repeated_wall_time(moment: datetime) -> bool:
    return moment.fold == 1 and moment.replace(fold=0).utcoffset() != moment.utcoffset()


def _weekly_cron(days: Sequence[int], at: time, tz: ZoneInfo) -> CronTrigger:
    return WallClockCronTrigger(
        day_of_week=",".join(_APS_DAYS[d] for d in sorted(days)),
        hour=at.hour,
        minute=at.minute,
        timezone=tz,
    )


# --- cron ------------------------------------------------------------------


def _looks_like_cron(text: str) -> bool:
    first = text.split(maxsplit=1)[0] if text.split() else ""
    return bool(re.fullmatch(r"[0-9*,/-]+", first, re.ASCII))


def _parse_cron(text: str, tz: ZoneInfo) -> tuple[BaseTrigger, str]:
    cron = parse_cron_fields(text)
    common = {
        "minute": _cron_list(cron.minutes, 60),
        "hour": _cron_list(cron.hours, 24),
        "month": _cron_list(cron.months, 12),
        "timezone": tz,
    }
    day_of_month = _cron_list(cron.days, 31)
    day_of_week = ",".join(_APS_DAYS[d] for d in sorted(cron.weekdays))
    # Cron rule: when both day fields are restricted, a day matching EITHER fires.
    if cron.days_restricted and cron.weekdays_restricted:
        trigger: BaseTrigger = OrTrigger(
            [WallClockCronTrigger(day=day_of_month, **common), WallClockCronTrigger(day_of_week=day_of_week, **common)]
        )
    else:
        trigger = WallClockCronTrigger(day=day_of_month, day_of_week=day_of_week, **common)
    return trigger, _describe_cron(cron)


def _cron_list(values: frozenset[int], size: int) -> str:
    return "*" if len(values) == size else ",".join(str(v) for v in sorted(values))


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


def _parse_friendly(text: str, tz: ZoneInfo, anchor: date | None) -> tuple[BaseTrigger, str]:
    tokens = _normalise(text)
    if len(tokens) < 2:
        raise ValueError(f"{quote(text)} is not a schedule — {_FORMS_HINT}")
    head, at = tokens[:-1], _time_in(text, tokens[-1])
    clock = f"{at:%H:%M}"

    if head[0] == "monthly" and len(head) >= 2:
        day, description = _monthly_day(text, head[1:])
        trigger = WallClockCronTrigger(day=day, hour=at.hour, minute=at.minute, timezone=tz)
        return trigger, f"{description} at {clock}"

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
        return _weekly_cron(sorted(days), at, tz), f"{_describe_days(days)} at {clock}"
    trigger = EveryNWeeksTrigger(weeks, days, at, tz, anchor=anchor)
    names = _join_names([WEEKDAY_NAMES[d].capitalize() for d in sorted(days)])
    return trigger, f"every {weeks} weeks on {names} at {clock}"


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


def _monthly_day(text: str, words: list[str]) -> tuple[str, str]:
    """APScheduler's day expression and a description for "15", "first mon", "last day"."""
    if len(words) == 1 and (match := re.fullmatch(r"([0-9]{1,2})(?:st|nd|rd|th)?", words[0], re.ASCII)):
        day = int(match.group(1))
        if not 1 <= day <= 31:
            raise ValueError(f"{quote(text)}: the day of the month must be 1-31")
        return str(day), f"on the {_ordinal(day)} of every month"
    if words == ["last", "day"]:
        return "last", "on the last day of every month"
    if len(words) == 2 and words[0] in _ORDINALS:
        try:
            weekday = parse_weekday(words[1])
        except ValueError:
            pass
        else:
            position = _ORDINALS[words[0]]
            label = "last" if position == "last" else words[0]
            return f"{position} {_APS_DAYS[weekday]}", f"on the {label} {WEEKDAY_NAMES[weekday].capitalize()} of every month"
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


def _parse(text: str, tz: ZoneInfo | str, anchor: date | None) -> tuple[BaseTrigger, str]:
    zone = parse_timezone(tz) if isinstance(tz, str) else tz
    if not text.strip():
        raise ValueError(f"{quote(text)} is not a schedule — {_FORMS_HINT}")
    if _looks_like_cron(text):
        return _parse_cron(text, zone)
    return _parse_friendly(text, zone, anchor)


def parse_when(text: str, tz: ZoneInfo | str, anchor: date | None = None) -> BaseTrigger:
    """A trigger for a 5-field cron expression (standard weekday numbering, 0/7 =
    Sunday) or a friendly form: "mon 09:00", "mon,wed,fri 9am", "weekdays 09:00",
    "daily 18:30", "weekly on tue 10:00", "every 2 weeks on tue 10:00",
    "monthly on 15 10:00", "monthly on first mon 10:00". Times are local to ``tz``.

    ``anchor`` only matters for "every N weeks": the week containing it is an "on"
    week (default: weeks counted from Monday 1970-01-05).
    """
    return _parse(text, tz, anchor)[0]


def describe_when(text: str, tz: ZoneInfo | str, anchor: date | None = None) -> str:
    """Human-readable form, e.g. "every Monday at 09:00 (Europe/Berlin)"."""
    zone = parse_timezone(tz) if isinstance(tz, str) else tz
    return f"{_parse(text, zone, anchor)[1]} ({zone.key})"


def _to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; pass an aware datetime")
    return moment.astimezone(timezone.utc)


def _fire_times_after(trigger: BaseTrigger, after: datetime) -> Iterator[datetime]:
    """Firings strictly after ``after``, in order. Arithmetic is done in UTC because
    adding to a local time across a DST change is wall-clock arithmetic."""
    cursor = _to_utc(after)
    zone = getattr(trigger, "timezone", None)
    while True:
        fire_time = trigger.get_next_fire_time(None, cursor + timedelta(microseconds=1))
        if fire_time is None:
            return
        yield fire_time.astimezone(zone) if zone is not None else fire_time
        cursor = max(_to_utc(fire_time), cursor + timedelta(microseconds=1))


def next_fire_times(trigger: BaseTrigger, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` firings strictly after ``after`` (fewer if the schedule ends)."""
    times: list[datetime] = []
    for fire_time in _fire_times_after(trigger, after):
        if len(times) >= count:
            break
        times.append(fire_time)
    return times


def fire_times_between(
    trigger: BaseTrigger, start: datetime, end: datetime, limit: int = 10000
) -> list[datetime]:
    """Firings t with start < t <= end, at most ``limit`` of them (the earliest)."""
    times: list[datetime] = []
    end_utc = _to_utc(end)
    for fire_time in _fire_times_after(trigger, start):
        if len(times) >= limit or _to_utc(fire_time) > end_utc:
            break
        times.append(fire_time)
    return times


def latest_fire_time(
    trigger: BaseTrigger, not_after: datetime, not_before: datetime
) -> datetime | None:
    """The most recent firing t with not_before < t <= not_after, or None.

    Triggers only run forwards, so this searches windows ending at ``not_after``
    that double in length until one holds a firing; the work stays proportional
    to the firings near the answer, not to the length of the whole span.
    """
    lower, window_end = _to_utc(not_before), _to_utc(not_after)
    window = timedelta(hours=1)
    while window_end > lower:
        window_start = lower if window >= window_end - lower else window_end - window
        latest = None
        for fire_time in _fire_times_after(trigger, window_start):
            if _to_utc(fire_time) > window_end:
                break
            latest = fire_time
        if latest is not None:
            return latest
        window_end, window = window_start, window * 2
    return None
