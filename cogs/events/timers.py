"""The moments an event changes, as scheduler entries (claimed: exactly once across restarts
and processes):

- ``event:remind:<id>:24h`` / ``:15m`` — DM the members going (and maybe, if configured);
- ``event:open:<id>`` — 10 minutes before: the card gets its "I'm here" button;
- ``event:close:<id>`` — at the end: the card shows it ended (no buttons).

Entries are registered when an event is created, for every pending event at start, and by a
minute's background sync for events another process created. A reminder missed while the bot
was down is still sent within its grace (12 h for the 24 h one, until the start for 15 min).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from .logic import CHECK_IN_OPENS, REMINDERS, AtTrigger
from .models import Event

if TYPE_CHECKING:
    from .cog import Events

log = logging.getLogger("cogs.event.timers")


def entry_keys(event_id: int) -> list[str]:
    return [*(f"event:remind:{event_id}:{label}" for label, _, _ in REMINDERS),
            f"event:open:{event_id}", f"event:close:{event_id}"]


def schedule_event(cog: "Events", event: Event, owner: tuple[str, str]) -> None:
    scheduler = cog.app.scheduler
    assert event.id is not None
    since = event.created_at
    for label, before, grace in REMINDERS:
        key = f"event:remind:{event.id}:{label}"
        if key not in scheduler.entries:
            scheduler.add(key, AtTrigger(event.starts_at - before), _remind(cog, event.id, label),
                          grace=grace, since=since, owner=owner)
    length = event.ends_at - event.starts_at
    moments: list[tuple[str, datetime, timedelta, bool]] = [
        (f"event:open:{event.id}", event.starts_at - CHECK_IN_OPENS, CHECK_IN_OPENS + length, False),
        (f"event:close:{event.id}", event.ends_at, timedelta(days=1), True)]
    for key, moment, grace, last in moments:
        if key not in scheduler.entries:
            scheduler.add(key, AtTrigger(moment), _refresh(cog, event.id, last=last), grace=grace, since=since,
                          owner=owner)


def unschedule_event(cog: "Events", event_id: int) -> None:
    for key in entry_keys(event_id):
        cog.app.scheduler.remove(key)


def _remind(cog: "Events", event_id: int, label: str) -> Callable[[datetime], Awaitable[None]]:
    async def fire(due: datetime) -> None:
        await cog.send_reminders(event_id, label)

    return fire


def _refresh(cog: "Events", event_id: int, *, last: bool = False) -> Callable[[datetime], Awaitable[None]]:
    async def fire(due: datetime) -> None:
        await cog.refresh(event_id)
        await cog.announce(event_id, ended=last)
        if last:  # the event is over: nothing more will happen to it
            unschedule_event(cog, event_id)

    return fire


async def sync_pending(cog: "Events", pending: list[tuple[Event, Any]]) -> int:
    """Register the entries of every pending event this process serves; returns how many events."""
    count = 0
    for event, community in pending:
        owner = (community.platform, community.external_id)
        if cog.app.serves(*owner) or not cog.app.started:
            schedule_event(cog, event, owner)
            count += 1
    return count
