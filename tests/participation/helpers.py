"""Shared setup for the participation tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot import Activity

from cogs.participation.models import ParticipantState, ParticipationDaily, ParticipationDailyKind, ParticipationEvent

# participation, and a fixture cog declaring the prompt, poll and mentor activity kinds
PARTICIPATION_COGS = ["cogs.participation", "tests.fixtures.kinds_cog"]

YAML = """
communities:
  - id: console
    platform: console
    name: Cohort
    timezone: UTC
    term: {start: 2025-12-01}
    channels: {staff: staff}
    participation:
      points: {message: 1, thread_reply: 2, prompt_response: 5, reaction: 0.5, poll_vote: 1,
               quiz_correct: 3, survey_answer: 2, mentor_meeting: 10}
      cooldown: 60s
      leaderboard: true
      retention: 30d
    digest: {channel: staff, when: "fri 17:00"}
"""


async def start(make_bot: Any, yaml: str = YAML, cogs: list[str] | None = None) -> Any:
    return await make_bot(yaml=yaml, cogs=PARTICIPATION_COGS if cogs is None else cogs)


async def publish(bot: Any, kind: str, member: str, weight: float = 1.0) -> None:
    """The ``bot.Activity`` a cog would publish for ``member`` now."""
    m = bot.member(member)
    await bot.app.publish(Activity(kind=kind, community_id=m.community_id, member_id=m.id, weight=weight,
                                   at=bot.clock.now()))


def stats(bot: Any) -> Any:
    return bot.app.get_cog("stats")


def events(bot: Any, member: str | None = None) -> list[tuple[str, float]]:
    """(kind, points) of every stored event, in order (optionally one member's)."""
    t = ParticipationEvent.__table__
    q = select(t.c.kind, t.c.points).order_by(t.c.id)
    if member is not None:
        q = q.where(t.c.member_id == bot.member(member).id)
    with bot.db.engine.connect() as conn:
        return [(r.kind, r.points) for r in conn.execute(q)]


def count_events(bot: Any) -> int:
    with bot.db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(ParticipationEvent.__table__)).scalar_one()


def daily_rows(bot: Any) -> list[dict]:
    with bot.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(ParticipationDaily.__table__)).mappings()]


def state_rows(bot: Any) -> list[dict]:
    with bot.db.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(ParticipantState.__table__)).mappings()]


def kind_counts(bot: Any) -> dict[str, int]:
    """Total count per kind in the rollup by kind."""
    k = ParticipationDailyKind.__table__.c
    with bot.db.engine.connect() as conn:
        return {r.kind: int(r.n) for r in conn.execute(select(k.kind, func.sum(k.count).label("n")).group_by(k.kind))}


def by_kind(bot: Any) -> dict[tuple[int, Any, str], int]:
    """{(member_id, day, kind): count} of the rollup by kind."""
    k = ParticipationDailyKind.__table__.c
    with bot.db.engine.connect() as conn:
        return {(r.member_id, r.day, r.kind): r.count for r in conn.execute(select(k.member_id, k.day, k.kind, k.count))}
