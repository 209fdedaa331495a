"""The Schedules page's calendar: the posts the cogs will make, laid out in local weeks.

Pure: the firings come from each cog (``ScheduleView.firings``, computed by the code that
fires them); this only puts them on local days, Monday first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Sequence
from zoneinfo import ZoneInfo

from .panels import ScheduleView

WEEKS = 4


@dataclass(frozen=True)
class Post:
    at: datetime  # local
    kind: str
    name: str
    zoned: bool = False  # its day's UTC offset changes: the time shows its zone (01:15 EDT, 01:15 EST)

    @property
    def clock(self) -> str:
        """The time as the page shows it: "09:00", or "01:15 EST" on a day the clocks change."""
        return self.at.strftime("%H:%M %Z" if self.zoned else "%H:%M")


@dataclass
class Day:
    day: date
    past: bool
    posts: list[Post] = field(default_factory=list)


def window(now: datetime, zone: ZoneInfo, weeks: int = WEEKS) -> tuple[date, datetime]:
    """(the Monday of this local week, the instant the last shown week ends)."""
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    return monday, datetime.combine(monday + timedelta(weeks=weeks), time(0), tzinfo=zone)


def weeks_of(views: Sequence[ScheduleView], now: datetime, zone: ZoneInfo, weeks: int = WEEKS) -> list[list[Day]]:
    monday, until = window(now, zone, weeks)
    today = now.astimezone(zone).date()
    days = {monday + timedelta(days=i): Day(monday + timedelta(days=i), monday + timedelta(days=i) < today)
            for i in range(7 * weeks)}
    changing = {d for d in days if clocks_change(d, zone)}
    for view in views:
        if view.paused:
            continue
        for moment in view.firings:
            local = moment.astimezone(zone)
            slot = days.get(local.date())
            if slot is not None and now < moment <= until:
                slot.posts.append(Post(local, view.kind, view.name, zoned=slot.day in changing))
    for slot in days.values():
        # in UTC: one zone's aware datetimes compare by wall reading (01:15 EST before 01:30 EDT)
        slot.posts.sort(key=lambda p: (p.at.astimezone(timezone.utc), p.kind, p.name))
    ordered = [days[d] for d in sorted(days)]
    return [ordered[i:i + 7] for i in range(0, len(ordered), 7)]


def clocks_change(day: date, zone: ZoneInfo) -> bool:
    """Whether the zone's UTC offset changes during this local day (a fall-back night repeats an
    hour, so a time alone is ambiguous; a spring-forward night skips one)."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.utcoffset() != end.utcoffset()


def sparkline(values: Sequence[float], width: int = 80, height: int = 20) -> str:
    """SVG polyline points for a small trend line (the page draws it; no script, no style)."""
    if not values:
        return ""
    top = max(max(values), 1e-9)
    step = width / max(len(values) - 1, 1)
    pad = 2
    return " ".join(f"{i * step:.1f},{height - pad - (v / top) * (height - 2 * pad):.1f}"
                    for i, v in enumerate(values))
