"""Wall-clock readings and the instants they name, by one rule used everywhere a local time is
turned into an instant (schedules, working hours):

- a reading shown twice (the fall-back hour) is its first occurrence (or both, for schedules
  that follow the clock);
- a reading never shown (inside a spring-forward gap) is the first instant after the gap, e.g.
  02:30 on the Berlin spring-forward day is 03:00 CEST.

Plain functions, no scheduler imports: cogs use ``bot.local_instant``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo

UTC = timezone.utc


def local_instant(day: date, at: time, zone: tzinfo) -> datetime:
    """``day`` at ``at`` on the wall clock of ``zone``, as aware UTC (by the rule above)."""
    return resolve(datetime.combine(day, at), zone, follow_clock=False)[0]


def reading(moment: datetime, zone: tzinfo) -> datetime:
    """What a wall clock in ``zone`` shows at ``moment`` (naive)."""
    return moment.astimezone(zone).replace(tzinfo=None)


def resolve(wall: datetime, zone: tzinfo, *, follow_clock: bool) -> list[datetime]:
    """The UTC instants at which a naive local reading ``wall`` fires (see the module doc)."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return [first]
    if reading(first, zone) == wall:  # shown twice: fall-back hour
        return [first, second] if follow_clock else [first]
    return [] if follow_clock else [_gap_end(second, first, zone, wall)]


def _gap_end(before: datetime, after: datetime, zone: tzinfo, wall: datetime) -> datetime:
    """The first instant whose reading is past ``wall`` (a reading inside a gap), searched
    to the second between an instant that reads earlier and one that reads later."""
    low, high = before, after
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) // 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            break
        if reading(middle, zone) > wall:
            high = middle
        else:
            low = middle
    return high
