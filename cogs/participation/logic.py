"""Pure participation rules: kinds and points, the cooldown, streaks, the at-risk rule, CSV cells.

Nothing here touches the database or the bot; tests call these functions directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping

from bot import ActivityKind
from bot import FORMULA_STARTS, format_number, iter_csv, safe_cell, to_csv  # noqa: F401  (CSV lives in the core)

# The kinds this cog records from platform events; every other kind is declared by the cog
# that publishes it (``bot.ActivityKind``) and arrives as a ``bot.Activity`` event.
PLATFORM_KINDS: tuple[ActivityKind, ...] = (
    ActivityKind("message", 1, "messages", signal="messages", cooldown=True),
    ActivityKind("thread_reply", 2, "thread replies", signal="messages", cooldown=True),
    ActivityKind("reaction", 0.5, "reactions", signal="messages", cooldown=True),
    ActivityKind("join", 0, "joins", signal=None, active=False),
)


def weights_of(kinds: Mapping[str, ActivityKind], overrides: Mapping[str, float]) -> dict[str, float]:
    """Points per kind: each declared kind's default, then schedules.yaml's ``points``."""
    return {**{name: float(k.points) for name, k in kinds.items()}, **overrides}


def signal_columns(kinds: Mapping[str, ActivityKind]) -> dict[str, tuple[str, ...]]:
    """At-risk signal -> the kinds summed into it (kinds without a signal left out)."""
    out: dict[str, list[str]] = {}
    for name, kind in kinds.items():
        if kind.signal_name:
            out.setdefault(kind.signal_name, []).append(name)
    return {signal: tuple(names) for signal, names in out.items()}


class Cooldown:
    """Last time each (community, member, kind) scored points; decides in memory, no database."""

    def __init__(self, max_entries: int = 200_000) -> None:
        self._last: dict[tuple[int, int, str], datetime] = {}
        self.max_entries = max_entries

    def points(self, community_id: int, member_id: int, kind: str, at: datetime, weight: float,
               period: timedelta, *, cooled: bool = True) -> float:
        """``weight`` now, or 0 if this kind (``cooled``: one with a cooldown) scored within ``period``."""
        if not cooled or period <= timedelta(0) or weight == 0:
            return weight
        key = (community_id, member_id, kind)
        last = self._last.get(key)
        if last is not None and timedelta(0) <= at - last < period:
            return 0.0
        if len(self._last) >= self.max_entries:  # bounded memory: forgetting only ever gives points early
            self._last.clear()
        self._last[key] = at
        return weight

    def forget_member(self, community_id: int, member_id: int) -> None:
        for key in [k for k in self._last if k[0] == community_id and k[1] == member_id]:
            del self._last[key]


def week_start(day: date) -> date:
    """The Monday of the week ``day`` is in."""
    return day - timedelta(days=day.weekday())


def streak(active_days: Iterable[date], today: date) -> int:
    """Consecutive active days ending today (or yesterday, so a streak is not lost before the day ends)."""
    days = set(active_days)
    cursor = today if today in days else today - timedelta(days=1)
    count = 0
    while cursor in days:
        count += 1
        cursor -= timedelta(days=1)
    return count


@dataclass
class MemberSignals:
    """One member's counts per signal in the earlier window and in the recent window."""

    member_id: int
    earlier: dict[str, float] = field(default_factory=dict)
    recent: dict[str, float] = field(default_factory=dict)


def signals_of(counts: Mapping[str, float], signals: Mapping[str, tuple[str, ...]]) -> dict[str, float]:
    """Counts by kind -> counts by at-risk signal (see ``signal_columns``)."""
    return {name: float(sum(counts.get(k, 0) for k in kinds)) for name, kinds in signals.items()}


def is_at_risk(activity: MemberSignals, earlier_weeks: float, recent_weeks: float, *,
               min_weekly: float = 1.0, ratio: float = 0.5) -> bool:
    """The at-risk rule.

    A member is at risk when they were active earlier (at least ``min_weekly`` events a week,
    all signals together) and, in the recent window, *every* signal's weekly rate is at most
    ``ratio`` (50%) of its earlier weekly rate. A signal they never used earlier cannot save
    them, and one still going strong (above half) means they are not drifting away.
    """
    if earlier_weeks <= 0 or recent_weeks <= 0:
        return False
    earlier_rate = {k: v / earlier_weeks for k, v in activity.earlier.items()}
    if sum(earlier_rate.values()) < min_weekly:
        return False
    for name in {*activity.earlier, *activity.recent}:  # a signal in neither window changes nothing
        before = earlier_rate.get(name, 0.0)
        now = activity.recent.get(name, 0.0) / recent_weeks
        if now > ratio * before:
            return False
    return True


def at_risk_windows(today: date, term_start: date | None, *, recent_weeks: int = 2,
                    max_earlier_weeks: int = 4) -> tuple[date, date, date] | None:
    """(earlier_start, recent_start, end_exclusive) or None when there is not a week of history.

    Whole weeks (Monday to Sunday), so the weekly trend ring answers exactly: the recent window
    is this week so far and the ``recent_weeks - 1`` weeks before it (8 to 14 days by default);
    the earlier window is the up to ``max_earlier_weeks`` weeks before that, starting no earlier
    than the term's first whole week.
    """
    end = today + timedelta(days=1)
    recent_start = week_start(today) - timedelta(weeks=recent_weeks - 1)
    earlier_start = recent_start - timedelta(weeks=max_earlier_weeks)
    if term_start is not None and term_start > earlier_start:
        earlier_start = term_start if term_start.weekday() == 0 else week_start(term_start) + timedelta(weeks=1)
    if (recent_start - earlier_start).days < 7:
        return None
    return earlier_start, recent_start, end


def percent(part: float, whole: float) -> str:
    return "—" if whole <= 0 else f"{round(100 * part / whole)}%"
