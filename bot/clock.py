"""Time sources. Everything asks ``app.clock.now()``; tests inject a FakeClock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


class Clock:
    fake = False

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FakeClock(Clock):
    """A clock that only moves when told to (``app.scheduler.advance`` moves it)."""

    fake = True

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime(2026, 1, 12, 8, 0, tzinfo=timezone.utc)).astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = when.astimezone(timezone.utc)

    def advance(self, delta: timedelta) -> None:
        self._now += delta
