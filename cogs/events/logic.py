"""Pure rules of events: reading a start time, checking a new event, RSVP transitions with a
capacity and a first-come waitlist, and the instants the card and reminders change at."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from bot import format_duration, local_instant, parse_date, parse_time_of_day, parse_weekday

MAX_DURATION = timedelta(hours=24)
CHECK_IN_OPENS = timedelta(minutes=10)  # "I'm here" appears this long before the start
REMINDERS = (("24h", timedelta(hours=24), timedelta(hours=12)),  # (label, before the start, grace)
             ("15m", timedelta(minutes=15), timedelta(minutes=15)))
RSVP_CHOICES = ("going", "maybe", "no")
LABELS = {"going": "Going", "maybe": "Maybe", "no": "Can't go", "waitlist": "Waitlist"}
_WHEN_HINT = 'use a date and time like "2026-03-05 15:00", or "thu 15:00", "tomorrow 10:00"'


def skipped_note(moment: datetime, day: date, at: time, tz: ZoneInfo) -> str | None:
    """What to tell when ``day`` ``at`` is not on the clock (a spring-forward gap): where it went."""
    local = moment.astimezone(tz)
    if (local.date(), local.time().replace(tzinfo=None)) == (day, at):
        return None
    return (f"{at:%H:%M} does not exist on {day:%d %b} in {tz.key} (clocks go forward): "
            f"the session starts at {local:%H:%M %Z}")


def parse_start(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """"2026-03-05 15:00", "2026-03-05T15:00", "thu 15:00" (the next Thursday at 15:00),
    "today 18:00", "tomorrow 9am" — wall time in ``tz``; returns aware UTC. The bot's one rule
    (``bot.local_instant``): a time the clocks skip is the first instant after the gap, a
    repeated one the first of the two."""
    return read_start(text, now, tz)[0]


def read_start(text: str, now: datetime, tz: ZoneInfo) -> tuple[datetime, str | None]:
    """``parse_start`` and, for a time inside a spring-forward gap, the note saying where it went."""
    words = re.sub(r"^(\d{4}-\d{2}-\d{2})t", r"\1 ", text.strip().lower()).split()
    if len(words) != 2:
        raise ValueError(f'"{text}" is not a date and time — {_WHEN_HINT}')
    day_word, clock = words
    today = now.astimezone(tz).date()
    weekday = None
    if not (re.fullmatch(r"\d{4}-\d{2}-\d{2}", day_word) or day_word in ("today", "tomorrow")):
        try:
            weekday = parse_weekday(day_word)
        except ValueError:
            raise ValueError(f'"{text}" is not a date and time — {_WHEN_HINT}') from None
    try:
        at = parse_time_of_day(clock)
    except ValueError as error:
        raise ValueError(f'"{text}": {error}') from None
    if weekday is None:
        day = today + timedelta(days=day_word == "tomorrow") if day_word in ("today", "tomorrow") \
            else parse_date(day_word)
    else:
        day = today + timedelta(days=(weekday - today.weekday()) % 7)
        if local_instant(day, at, tz) <= now:
            day += timedelta(days=7)
    moment = local_instant(day, at, tz)
    return moment, skipped_note(moment, day, at, tz)


def check_new_event(starts_at: datetime, duration: timedelta, capacity: int | None, now: datetime,
                    tz: ZoneInfo) -> None:
    """Raises ValueError with the one line the instructor sees."""
    if starts_at <= now:
        raise ValueError(f"{format_local(starts_at, tz)} is in the past — pick a time after now")
    if duration <= timedelta(0) or duration > MAX_DURATION:
        raise ValueError(f"duration must be more than 0 and at most 24h (got {format_duration(abs(duration))})")
    if capacity is not None and capacity < 1:
        raise ValueError("capacity must be at least 1 (leave it out for no limit)")


def format_local(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local:%a %d %b %Y %H:%M} ({tz.key})"


def format_span(starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> str:
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a %d %b %H:%M}"
    return f"{start:%a %d %b %Y %H:%M}–{until} ({tz.key})"


@dataclass(frozen=True)
class RsvpChange:
    """What a click did: the member's status before/after, and who got a spot from the waitlist."""

    before: str | None
    after: str
    promoted: tuple[int, ...] = ()  # member ids moved from the waitlist to going, in order


def decide_rsvp(choice: str, before: str | None, going: int, capacity: int | None) -> str:
    """The status a click on ``choice`` leads to. ``going`` counts others and this member."""
    if choice not in RSVP_CHOICES:
        raise ValueError(f"unknown RSVP {choice!r}")
    if choice != "going":
        return choice
    if before == "going":
        return "going"
    if capacity is not None and going >= capacity:
        return "waitlist"
    return "going"


def promotions(capacity: int | None, going: int, waitlist: list[int]) -> list[int]:
    """Members (in waitlist order) who get the spots now free."""
    if capacity is None:
        return list(waitlist)
    return waitlist[: max(0, capacity - going)]


def check_in_open(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    return starts_at - CHECK_IN_OPENS <= now < ends_at


class AtTrigger(BaseTrigger):
    """Fires once, at ``moment`` (APScheduler's DateTrigger ignores ``now``, which the
    scheduler's look-back search relies on)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment.astimezone(timezone.utc)

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        if previous_fire_time is not None and previous_fire_time >= self.moment:
            return None
        return self.moment if now <= self.moment else None

    def __str__(self) -> str:
        return f"at {self.moment.isoformat()}"
