"""Recurring sessions from schedules.yaml (``events:``): each occurrence becomes its own event
with its own card, posted ``post_ahead`` before it starts (default 2 days), so members can
RSVP and get the 24 h reminder. Occurrences on a day outside the term or on a break are
skipped. An hourly claimed job does it; a unique (community, series, start) key makes each
occurrence exactly once whichever process or run gets there first."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.when import fire_times_between, parse_duration, parse_when

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
    return [s for s in starts if cfg.term.is_active(s.astimezone(cfg.tz).date())]


async def post_series(cog: "Events", community: Any, cfg: Any) -> int:
    """Create and post the occurrences of a community's series that are due; returns how many."""
    posted = 0
    now = cog.app.clock.now()
    for entry in cfg.section("events", []):
        since = await cog.db.run(store.series_since, community.id, entry.id, now)
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
