"""A cron reference written from the manual pages, for differential tests of bot.firings.

Nothing here imports project code. It walks real time minute by minute, reads the local
clock, and applies the rules as crontab(5) and cron(8) (Vixie / Debian cron) state them:

crontab(5): fields minute 0-59, hour 0-23, day of month 1-31, month 1-12 (or names), day of
week 0-7 (0 or 7 is Sunday, or names). A field is "*" (first-last), a number, an inclusive
range "a-b", a list "a,b", with "/n" stepping through a range or "*". "If both fields are
restricted (i.e., don't start with *), the command will be run when either field matches
the current time." (Otherwise both must match.)

cron(8): "If the time has moved forwards, those jobs which would have run in the time that
was skipped will be run soon after the change. Conversely, if the time has moved backwards
by less than 3 hours, those jobs that fall into the repeated time will not be re-run. Only
jobs that run at a particular time (not specified as @hourly, nor with '*' in the hour or
minute specifier) are affected by this. Jobs which are specified with wildcards are run
based on the new time immediately."

Extension the project documents (crontab(5) leaves it open): a range whose start is past
its end wraps around the field's cycle ("sat-tue", "22-2"; days of week cycle over 7 days).
"Run soon after the change" is read as: at the first minute after the jump; a job runs at
most once per minute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

MINUTE = timedelta(minutes=1)
MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


def _number(token: str, names: list[str], first: int) -> int:
    return names.index(token) + first if token in names else int(token)


def _field(text: str, low: int, high: int, names: list[str] | None = None, *, weekday: bool = False) -> set[int]:
    names = names or []
    first_name = 1 if names is MONTH_NAMES else 0
    values: set[int] = set()
    for item in text.split(","):
        span, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            start, end = low, high
        elif "-" in span:
            start, end = (_number(part, names, first_name) for part in span.split("-"))
        else:
            start = _number(span, names, first_name)
            end = high if step_text else start
        if start <= end:
            sequence = list(range(start, end + 1))
        else:  # wraps around the cycle; the week's cycle is Sunday (0 or 7) .. Saturday
            cycle_low, size = (0, 7) if weekday else (low, high - low + 1)
            if weekday:
                start, end = start % 7, end % 7
            sequence, value = [start], start
            while value != end:
                value = cycle_low + (value - cycle_low + 1) % size
                sequence.append(value)
        values.update(sequence[::step])
    return {v % 7 for v in values} if weekday else values


@dataclass(frozen=True)
class CronJob:
    minutes: set[int]
    hours: set[int]
    days: set[int]
    months: set[int]
    weekdays: set[int]  # 0 = Sunday
    either_day: bool  # both day fields restricted
    wildcard: bool  # "*" in the minute or hour specifier

    @classmethod
    def parse(cls, expression: str) -> "CronJob":
        minute, hour, day, month, weekday = expression.lower().split()
        return cls(_field(minute, 0, 59), _field(hour, 0, 23), _field(day, 1, 31), _field(month, 1, 12, MONTH_NAMES),
                   _field(weekday, 0, 7, DAY_NAMES, weekday=True), either_day=not day.startswith("*") and not weekday.startswith("*"),
                   wildcard=minute.startswith("*") or hour.startswith("*"))

    def matches(self, reading: datetime) -> bool:
        if reading.minute not in self.minutes or reading.hour not in self.hours or reading.month not in self.months:
            return False
        on_day, on_weekday = reading.day in self.days, reading.isoweekday() % 7 in self.weekdays
        return (on_day or on_weekday) if self.either_day else (on_day and on_weekday)


def clock_readings(zone: tzinfo, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """(instant, local clock reading) for every real minute from a few hours before ``start`` to ``end``."""
    instant = start.astimezone(timezone.utc).replace(second=0, microsecond=0) - timedelta(hours=4)
    readings = []
    while instant <= end:
        readings.append((instant, instant.astimezone(zone).replace(tzinfo=None)))
        instant += MINUTE
    return readings


def runs(matches: Callable[[datetime], bool], wildcard: bool, readings: list[tuple[datetime, datetime]],
         start: datetime) -> list[datetime]:
    """The instants (UTC) after ``start`` at which cron(8) runs a job, walking the clock minute by minute."""
    highest: datetime | None = None  # the latest clock reading seen so far
    found: list[datetime] = []
    for instant, reading in readings:
        run = False
        if highest is None or reading > highest:
            run = matches(reading)
            if not wildcard and highest is not None:  # readings the clock jumped over
                skipped = highest + MINUTE
                while skipped < reading and not run:
                    run = matches(skipped)
                    skipped += MINUTE
            highest = reading
        elif wildcard:  # the clock went back: only wildcard jobs run again
            run = matches(reading)
        if run and instant > start:
            found.append(instant)
    return found


def transitions(zone: tzinfo, first: date, last: date) -> list[datetime]:
    """UTC instants (to the minute) where the zone's UTC offset changes, between two dates."""
    found: list[datetime] = []
    moment = datetime.combine(first, datetime.min.time(), tzinfo=timezone.utc)
    stop = datetime.combine(last, datetime.min.time(), tzinfo=timezone.utc)
    step = timedelta(hours=6)
    while moment < stop:
        later = moment + step
        if moment.astimezone(zone).utcoffset() != later.astimezone(zone).utcoffset():
            low, high = moment, later
            while high - low > MINUTE:
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high.replace(second=0, microsecond=0))
        moment = later
    return found
