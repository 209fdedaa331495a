"""Pure figures of the help queue: typical wait, and the instructors' stats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Iterable

from bot import format_duration


@dataclass(frozen=True)
class Visit:
    status: str
    joined_at: datetime
    called_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class QueueStats:
    helped: int
    no_shows: int
    left: int
    waiting: int
    median_wait: timedelta | None
    median_help: timedelta | None
    longest_wait: timedelta | None


def typical_wait(visits: Iterable[Visit]) -> timedelta | None:
    """Median time from joining to being called, over visits that were called."""
    waits = [v.called_at - v.joined_at for v in visits if v.called_at is not None]
    return _median(waits)


def queue_stats(visits: list[Visit]) -> QueueStats:
    called = [v for v in visits if v.called_at is not None]
    helped = [v for v in called if v.status == "done" and v.finished_at is not None]
    waits = [v.called_at - v.joined_at for v in called]  # type: ignore[operator]
    return QueueStats(helped=len(helped), no_shows=sum(v.status == "no_show" for v in visits),
                      left=sum(v.status == "left" for v in visits), waiting=sum(v.status == "waiting" for v in visits),
                      median_wait=_median(waits),
                      median_help=_median([v.finished_at - v.called_at for v in helped]),  # type: ignore[operator]
                      longest_wait=max(waits) if waits else None)


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=round(median(v.total_seconds() for v in values)))


def short(value: timedelta | None) -> str:
    if value is None:
        return "—"
    return format_duration(value) if value >= timedelta(minutes=1) else "under 1m"


@dataclass(frozen=True)
class QueueSession:
    """One opening of the queue (from /queue open or a live session) and its visits."""
    topic: str
    opened_at: datetime
    visits: list[Visit]


def session_line(s: QueueSession, local: str) -> str:
    figures = queue_stats(s.visits)
    parts = [f"{len(s.visits)} joined", f"{figures.helped} helped"]
    if figures.median_wait is not None:
        parts.append(f"typical wait {short(figures.median_wait)}")
    if figures.median_help is not None:
        parts.append(f"typical time helped {short(figures.median_help)}")
    if figures.no_shows:
        parts.append(f"{figures.no_shows} no-show{'s' if figures.no_shows != 1 else ''}")
    if figures.left:
        parts.append(f"{figures.left} left")
    name = f"{s.topic} ({local})" if s.topic else local
    return f"{name}: {', '.join(parts)}"
