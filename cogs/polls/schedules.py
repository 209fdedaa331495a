"""Recurring polls and surveys from schedules.yaml.

For each community (listed by id, or a server matched by ``"*"``), every ``polls:``/``surveys:``
entry becomes a scheduler entry ``poll:<community_id>:<id>`` (surveys:
``poll:<community_id>:survey:<id>``). The first time an entry is seen is recorded in
``poll_schedule`` so a restart never posts a firing from before the entry existed, while
one missed within the grace period is still posted (once: the scheduler claims it).
Firings on days outside the community's term (or on a break) are skipped.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from bot import parse_duration, parse_when

from . import store

if TYPE_CHECKING:
    from .cog import Polls

log = logging.getLogger("cogs.poll.schedules")


async def register_schedules(cog: "Polls", community: Any, cfg: Any) -> int:
    """Add a community's YAML poll/survey schedules to the scheduler; returns how many.

    Called through ``Cog.on_community``: at start for every known community, and the first
    time the bot sees a server matched by the ``"*"`` entry.
    """
    app = cog.app
    added = 0
    polls, surveys = cfg.section("polls", []), cfg.section("surveys", [])
    if polls or surveys:
        for kind, entries in (("poll", polls), ("survey", surveys)):
            for entry in entries:
                since = await cog.db.run(store.schedule_since, community.id, kind, entry.id, app.clock.now())
                key = f"poll:{community.id}:{entry.id}" if kind == "poll" else f"poll:{community.id}:survey:{entry.id}"
                fire = _firing(cog, cfg, community, kind, entry)
                app.scheduler.add(key, parse_when(entry.when, cfg.tz), fire, grace=cfg.grace_period,
                                  since=since, owner=(community.platform, community.external_id))
                added += 1
    return added


def _firing(cog: "Polls", cfg: Any, community: Any, kind: str, entry: Any) -> Callable[[datetime], Awaitable[None]]:
    async def fire(due: datetime) -> None:
        if not cfg.term.is_active(due.astimezone(cfg.tz).date()):
            log.info("skipping %s %s due %s: outside the term", kind, entry.id, due.isoformat())
            return
        if kind == "poll":
            await cog.publish_poll(community, entry.spec(), entry.channel, schedule_key=entry.id)
        else:
            closes_at = cog.app.clock.now() + parse_duration(entry.closes_in) if entry.closes_in else None
            await cog.publish_survey(community, entry.heading, entry.question_specs(), entry.anonymous, closes_at,
                                     entry.channel, schedule_key=entry.id)

    return fire
