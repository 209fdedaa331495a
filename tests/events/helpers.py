"""Shared set-up for the events tests: a community in Berlin, an instructor, fast live updates."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.testing.harness import Harness
from cogs.events.models import Event, EventAttendance, EventRsvp

COGS = ["cogs.events"]
YAML = """
communities:
  - id: console
    platform: console
    name: Data Science Cohort 7
    timezone: Europe/Berlin
"""
# The harness clock starts Mon 2026-01-12 08:00 UTC (09:00 in Berlin).


async def start(make_bot: Any, yaml: str = YAML, **kwargs: Any) -> Harness:
    bot = await make_bot(yaml=yaml, cogs=kwargs.pop("cogs", COGS), **kwargs)
    events(bot).live.delay = 0
    return bot


def events(bot: Harness) -> Any:
    return bot.app.get_cog("event")


async def create(bot: Harness, options: str, *, as_: str = "ivy") -> Any:
    result = await bot.command(f"/event create {options}", as_=as_, role="instructor")
    assert not result.error, result.text
    return bot.last("general")


async def settled(bot: Harness) -> None:
    await events(bot).flush_updates()


def rsvps(bot: Harness, event_id: int = 1) -> dict[str, str]:
    from bot.models import Member

    with bot.session() as s:
        rows = s.exec(select(Member.external_id, EventRsvp.status).join(EventRsvp, EventRsvp.member_id == Member.id)
                      .where(EventRsvp.event_id == event_id)).all()
        return dict(rows)


def stored_events(bot: Harness) -> list[Event]:
    with bot.session() as s:
        return list(s.exec(select(Event).order_by(Event.starts_at)).all())


def attendance(bot: Harness) -> list[EventAttendance]:
    with bot.session() as s:
        return list(s.exec(select(EventAttendance)).all())


def reminder_dms(bot: Harness, user: str) -> list[str]:
    return [p.text for p in bot.dms(user) if p.text.startswith("⏰")]
