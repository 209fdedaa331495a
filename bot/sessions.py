"""Live sessions as neutral events. A cog that runs sessions (cogs.events) publishes them when a
session opens (check-in starts, 10 minutes before) and when it ends; other cogs react without
importing it (cogs.officehours opens and closes its queue with office-hours sessions)."""

from __future__ import annotations

from dataclasses import dataclass

from .events import Event


@dataclass(frozen=True, kw_only=True)
class SessionOpened(Event):
    session_id: int
    title: str
    series: str | None = None  # the schedules.yaml id of a recurring session


@dataclass(frozen=True, kw_only=True)
class SessionEnded(Event):
    session_id: int
    series: str | None = None
