"""Recurring sessions from schedules.yaml (``events:``): each occurrence becomes its own event
with its own card, posted ``post_ahead`` before it starts (default 2 days), so members can
RSVP and get the 24 h reminder. Occurrences on a day outside the term or on a break are
skipped.

Each series is a scheduler entry whose trigger is the series' own schedule moved
``post_ahead`` earlier (claimed: one process posts each firing); a unique (community,
series, start) key makes each occurrence exactly once whatever else happens. A series
seen for the first time posts the occurrences already within ``post_ahead`` at once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from apscheduler.triggers.base import BaseTrigger

from bot import fire_times_between, parse_duration, parse_when

from . import store
from .models import Event

if TYPE_CHECKING:
    from .cog import Events

log = logging.getLogger("cogs.event.series")


def due_occurrences(entry: Any, cfg: Any, since: datetime, now: datetime) -> list[datetime]:
    """Starts (aware UTC) of the occurrences to post now: starting within ``post_ahead``,
    not before the series existed, on days of the term."""
    horizon = now + parse_duration(entry.post_ahead)
    starts = fire_times_between(parse_when(entry.when, cfg.tz), max(since, now), horizon, limit=100)
    # in UTC: a duration added to a zone's aware datetime would be wall time (4h across a change is 3 or 5)
    return [s.astimezone(timezone.utc) for s in starts if cfg.term.is_active(s.astimezone(cfg.tz).date())]


class EarlierTrigger(BaseTrigger):
    """Another trigger's firings, ``offset`` earlier in real time (computed in UTC: wall-time
    arithmetic on the zone's datetimes would move a firing an hour when the clocks change between
    it and its session, skipping it or returning one that is not after ``now``)."""

    def __init__(self, inner: BaseTrigger, offset: timedelta) -> None:
        self.inner, self.offset = inner, offset
        self.timezone = getattr(inner, "timezone", None)

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        previous = previous_fire_time.astimezone(timezone.utc) + self.offset if previous_fire_time else None
        found = self.inner.get_next_fire_time(previous, now.astimezone(timezone.utc) + self.offset)
        return None if found is None else found.astimezone(timezone.utc) - self.offset

    def __str__(self) -> str:
        return f"{self.inner} minus {self.offset}"


async def register_series(cog: "Events", community: Any, cfg: Any) -> int:
    """One scheduler entry per ``events:`` entry of this community; returns how many."""
    now = cog.app.clock.now()
    entries = cfg.section("events", [])
    for entry in entries:
        since = await cog.db.run(store.series_since, community.id, entry.id, now)
        ahead = parse_duration(entry.post_ahead)

        async def fire(due: datetime, entry: Any = entry, since: datetime = since) -> None:
            await post_series(cog, community, cfg, entry, since)

        # since moved back by post_ahead: occurrences already within reach when the series
        # appears are posted by the catch-up at start (never one starting before it existed)
        cog.app.scheduler.add(f"event:series:{community.id}:{entry.id}",
                              EarlierTrigger(parse_when(entry.when, cfg.tz), ahead), fire, grace=ahead,
                              since=since - ahead, owner=(community.platform, community.external_id))
    return len(entries)


async def post_series(cog: "Events", community: Any, cfg: Any, entry: Any, since: datetime) -> int:
    """Create and post the occurrences of one series that are due; returns how many."""
    posted = 0
    now = cog.app.clock.now()
    for starts_at in due_occurrences(entry, cfg, since, now):
        event = Event(community_id=community.id, title=entry.title, description=entry.description,
                      location=entry.where, starts_at=starts_at,
                      ends_at=starts_at + parse_duration(entry.duration), capacity=entry.capacity,
                      series_key=entry.id, created_at=now)
        row = await cog.db.run(store.insert_occurrence, event)
        if row is None:
            continue
        try:
            await cog.publish(community, row, entry.channel)
            posted += 1
        except Exception:
            log.exception("could not post occurrence %s of %s", starts_at.isoformat(), entry.id)
    return posted


def schedule_views(cfg: Any, now: datetime, until: datetime) -> list[Any]:
    """The Schedules page's view of each series: its sessions before ``until`` on term days,
    as due_occurrences picks them (the card goes out ``post_ahead`` before each)."""
    from bot import ScheduleView

    views = []
    for entry in cfg.section("events", []) or []:
        starts = fire_times_between(parse_when(entry.when, cfg.tz), now, until, limit=500)
        views.append(ScheduleView("event", entry.title, entry.when, entry.channel,
                                  [s for s in starts if cfg.term.is_active(s.astimezone(cfg.tz).date())],
                                  note=f"its card is posted {entry.post_ahead} before each session"))
    return views
