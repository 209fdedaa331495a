"""Shared helpers for the polls tests."""

from typing import Any

from sqlmodel import select

from bot.testing.harness import Harness
from cogs.polls.models import Poll, PollOption, PollVote

COGS = ["cogs.polls", "tests.fixtures.event_recorder"]


async def start(make_bot: Any, yaml: str = "", **kwargs: Any) -> Harness:
    bot = await make_bot(yaml=yaml, cogs=COGS, **kwargs)
    live(bot).update_delay = 0
    return bot


def live(bot: Harness) -> Any:
    return bot.app.get_cog("poll")


def recorder(bot: Harness) -> Any:
    return bot.app.get_cog("recorder")


async def settled(bot: Harness) -> None:
    await live(bot).flush_updates()


def counts(bot: Harness, poll_id: int) -> list[int]:
    with bot.session() as s:
        rows = s.exec(select(PollOption).where(PollOption.poll_id == poll_id).order_by(PollOption.position)).all()
        return [r.votes for r in rows]


def polls(bot: Harness) -> list[Poll]:
    with bot.session() as s:
        return list(s.exec(select(Poll)).all())


def ballots(bot: Harness, poll_id: int) -> list[tuple[str, int]]:
    """(member external id, option) of stored ballots."""
    from bot.models import Member

    with bot.session() as s:
        rows = s.exec(select(Member.external_id, PollVote.position).join(PollVote, PollVote.member_id == Member.id)
                      .where(PollVote.poll_id == poll_id)).all()
        return sorted((m, p) for m, p in rows)
