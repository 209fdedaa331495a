"""When a schedule fires: computed in local wall-clock time first, then turned into instants.

A ``LocalSchedule`` is a set of local days (a day rule) and times of day in a zone. Its
firings on a day are those wall-clock readings resolved in the zone (``zoneinfo``, ``fold``):

- a time the clock shows once fires then;
- a time inside a spring-forward gap (never shown on the clock) fires at the first instant
  after the gap, e.g. 02:30 on the New York spring-forward day fires at 03:00 EDT;
- a time inside a fall-back hour (shown twice) fires at its first occurrence only;
- unless the schedule *follows the clock* (cron with a minute or hour field starting with
  ``*``, e.g. ``* * * * *``, ``*/30 1-3 * * *``, ``0 * * * *``): it fires at every real
  minute whose reading matches, as Vixie cron runs such jobs — both occurrences of a
  repeated time, nothing for readings that never happen in a gap.

Several times that resolve to one instant fire once. No date arithmetic is ever done on
aware datetimes, so no DST change can move a firing to another day.

Every question about "when" — the timer, the fake clock's ``advance``, next firings,
firings in a window, the latest firing (restart catch-up) and listings — is answered by
``firings_after``, so they cannot disagree.

Firings are aware datetimes in the schedule's zone (they read as local times). Do arithmetic
and comparisons on them in UTC (``.astimezone(timezone.utc)``): Python adds a timedelta to a
zone's datetime in wall time (03:00 EDT minus a second is 02:59:59 "EST", an hour later),
compares two of one zone by wall reading with ``fold`` ignored (01:30 EDT == 01:30 EST), and
never finds a repeated-hour reading equal to any other zone's. The scheduler hands callbacks
their due time in UTC.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Protocol

from apscheduler.triggers.base import BaseTrigger

from .wallclock import reading as _wall, resolve

__all__ = ["CronDays", "DayRule", "EveryNWeeks", "LocalSchedule", "MonthlyDay", "fire_times_between",
           "firings_after", "latest_fire_time", "next_fire_times", "week_number"]

UTC = timezone.utc
_TICK = timedelta(microseconds=1)
# A rule that matches no day in this many years never fires (the parsers reject such rules;
# this only bounds the search).
_HORIZON_DAYS = 366 * 30
# Week numbers count from this Monday, so "every N weeks" has the same phase in every
# process and after every restart.
_FIRST_MONDAY = date(1970, 1, 5)


def week_number(day: date) -> int:
    """Whole weeks since Monday 1970-01-05 (weeks run Monday to Sunday)."""
    return (day - _FIRST_MONDAY).days // 7


# --- which local days -----------------------------------------------------------------------


class DayRule(Protocol):
    def matches(self, day: date) -> bool: ...


@dataclass(frozen=True)
class CronDays:
    """Cron's day fields. Vixie cron: when both day-of-month and day-of-week are restricted
    (neither starts with ``*``) a day matching EITHER fires; otherwise it must match both."""

    days: frozenset[int]  # 1-31
    months: frozenset[int]  # 1-12
    weekdays: frozenset[int]  # 0=Monday ... 6=Sunday, like date.weekday()
    either: bool

    def matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_month, in_week = day.day in self.days, day.weekday() in self.weekdays
        return (in_month or in_week) if self.either else (in_month and in_week)


@dataclass(frozen=True)
class EveryNWeeks:
    """Given weekdays of every ``weeks``-th week (week_number % weeks == phase)."""

    weekdays: frozenset[int]
    weeks: int = 1
    phase: int = 0

    def matches(self, day: date) -> bool:
        return day.weekday() in self.weekdays and week_number(day) % self.weeks == self.phase


@dataclass(frozen=True)
class MonthlyDay:
    """A day of every month: the ``day``-th (-1 = the last), or the ``nth`` ``weekday``
    (nth 1-5, -1 = the last one)."""

    day: int | None = None
    weekday: int | None = None
    nth: int = 1

    def matches(self, day: date) -> bool:
        length = calendar.monthrange(day.year, day.month)[1]
        if self.weekday is None:
            return day.day == (length if self.day == -1 else self.day)
        if day.weekday() != self.weekday:
            return False
        return day.day + 7 > length if self.nth == -1 else (day.day - 1) // 7 + 1 == self.nth


# --- resolving wall-clock readings ----------------------------------------------------------


def _is_plain_day(day: date, zone: tzinfo) -> bool:
    """True when the zone's offset is the same all day (no DST change that day)."""
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    offset = midnight.utcoffset()
    return (datetime.combine(day, time(12), tzinfo=zone).utcoffset() == offset
            and datetime.combine(day, time(23, 59, 59, fold=1), tzinfo=zone).utcoffset() == offset)


# --- the schedule -----------------------------------------------------------------------------


class LocalSchedule(BaseTrigger):
    """Fires on the days of ``days`` at each of ``times`` (minutes after local midnight) in
    ``zone``. Also an APScheduler trigger, so APScheduler can be the timer; it never
    decides the calendar."""

    def __init__(self, days: DayRule, times: Iterable[int], zone: tzinfo, *, follow_clock: bool = False,
                 label: str = "") -> None:
        self.days = days
        self.times = tuple(sorted(set(times)))
        if not self.times or not all(0 <= t < 24 * 60 for t in self.times):
            raise ValueError("a schedule needs times of day between 00:00 and 23:59")
        self.zone = zone
        self.follow_clock = follow_clock
        self.label = label
        self._transition_day: tuple[date, list[datetime]] | None = None  # one-day cache

    @property
    def timezone(self) -> tzinfo:
        return self.zone

    def firings_after(self, after: datetime, until: datetime | None = None) -> Iterator[datetime]:
        """Firings t with after < t (<= until), in order, as aware datetimes in the zone."""
        after_utc = to_utc(after)
        until_utc = to_utc(until) if until is not None else None
        start = _wall(after_utc, self.zone)
        last_day = start.date() + timedelta(days=_HORIZON_DAYS)
        if until_utc is not None:
            last_day = min(last_day, _wall(until_utc, self.zone).date() + timedelta(days=1))
        day, previous = start.date(), after_utc
        while day <= last_day:
            if self.days.matches(day):
                for instant in self._on_day(day, start if day == start.date() else None, after_utc):
                    if until_utc is not None and instant > until_utc:
                        return
                    if instant > previous:
                        previous = instant
                        yield instant.astimezone(self.zone)
            day += timedelta(days=1)

    def _on_day(self, day: date, later_than: datetime | None, after: datetime) -> Iterator[datetime]:
        """The day's firings as UTC instants in order; on the first day (``later_than``, the
        reading of ``after``) only those past ``after``."""
        if _is_plain_day(day, self.zone):
            first = 0
            if later_than is not None:
                first = bisect_right(self.times, later_than.hour * 60 + later_than.minute)
            midnight = datetime.combine(day, time(0))
            for minutes in self.times[first:]:
                yield (midnight + timedelta(minutes=minutes)).replace(tzinfo=self.zone).astimezone(UTC)
            return
        instants = self._transition_firings(day)
        yield from instants[bisect_right(instants, after) if later_than is not None else 0:]

    def _transition_firings(self, day: date) -> list[datetime]:
        cached = self._transition_day
        if cached is not None and cached[0] == day:
            return cached[1]
        midnight = datetime.combine(day, time(0))
        instants = sorted({instant for minutes in self.times
                           for instant in resolve(midnight + timedelta(minutes=minutes), self.zone,
                                                  follow_clock=self.follow_clock)})
        self._transition_day = (day, instants)
        return instants

    # APScheduler's calling convention, as its CronTrigger reads it: the first firing at or
    # after min(now, previous + 1 µs), never the previous one again.
    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        start = to_utc(now)
        if previous_fire_time is not None:
            start = min(start, to_utc(previous_fire_time) + _TICK)
            if start == to_utc(previous_fire_time):
                start += _TICK
        return next(self.firings_after(start - _TICK), None)

    def __getstate__(self) -> dict[str, object]:
        return {"days": self.days, "times": self.times, "zone": self.zone, "follow_clock": self.follow_clock,
                "label": self.label}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["days"], state["times"], state["zone"],  # type: ignore[misc]
                      follow_clock=state["follow_clock"], label=state["label"])

    def __str__(self) -> str:
        return self.label or repr(self)

    def __repr__(self) -> str:
        zone = getattr(self.zone, "key", str(self.zone))
        clock = ", follows the clock" if self.follow_clock else ""
        return f"<LocalSchedule {self.days!r} at {len(self.times)} time(s) of day in {zone}{clock}>"


# --- the one function that answers "when" ---------------------------------------------------


def to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; pass an aware datetime")
    return moment.astimezone(UTC)


def firings_after(trigger: BaseTrigger, after: datetime, until: datetime | None = None) -> Iterator[datetime]:
    """Firings strictly after ``after`` (and not after ``until``), in order."""
    if isinstance(trigger, LocalSchedule):
        yield from trigger.firings_after(after, until)
        return
    # Other triggers (a fixed interval): step them in UTC.
    cursor = to_utc(after)
    end = to_utc(until) if until is not None else None
    while True:
        fire_time = trigger.get_next_fire_time(None, cursor + _TICK)
        if fire_time is None or (end is not None and to_utc(fire_time) > end):
            return
        yield fire_time
        cursor = max(to_utc(fire_time), cursor + _TICK)


def next_fire_times(trigger: BaseTrigger, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` firings strictly after ``after`` (fewer if the schedule ends)."""
    times: list[datetime] = []
    if count <= 0:
        return times
    for fire_time in firings_after(trigger, after):
        times.append(fire_time)
        if len(times) >= count:
            break
    return times


def fire_times_between(trigger: BaseTrigger, start: datetime, end: datetime, limit: int = 10000) -> list[datetime]:
    """Firings t with start < t <= end, at most ``limit`` of them (the earliest)."""
    times: list[datetime] = []
    for fire_time in firings_after(trigger, start, end):
        if len(times) >= limit:
            break
        times.append(fire_time)
    return times


def latest_fire_time(trigger: BaseTrigger, not_after: datetime, not_before: datetime) -> datetime | None:
    """The most recent firing t with not_before < t <= not_after, or None.

    Firings are computed forwards only (the same ``firings_after`` as everything else), so
    this looks in windows ending at ``not_after`` that double in length until one holds a
    firing: the work stays proportional to the firings near the answer.
    """
    lower, window_end = to_utc(not_before), to_utc(not_after)
    window = timedelta(hours=1)
    while window_end > lower:
        window_start = max(lower, window_end - window)
        latest = None
        for fire_time in firings_after(trigger, window_start, window_end):
            latest = fire_time
        if latest is not None:
            return latest
        window_end, window = window_start, window * 2
    return None
