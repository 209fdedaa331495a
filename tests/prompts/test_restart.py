"""Exactly once: restarts, catch-up within the grace period, two processes on one database."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

from .helpers import PROMPTS, SUNDAY, community_yaml, posts

WARMUP = '- {id: warmup, channel: discussion, when: "mon 09:00", questions: ["A?", "B?"]}'
DUE = datetime(2026, 1, 12, 8, 0, tzinfo=timezone.utc)  # Monday 09:00 in Berlin


async def down_until(bot, when: datetime, yaml: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """The bot is down while the clock moves to ``when``, then starts again on the same database."""
    await bot.advance(DUE - timedelta(hours=1))
    bot.clock.set(when)
    await bot.restart(yaml=yaml)


async def test_a_firing_missed_while_down_is_posted_once_inside_the_grace_period(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(prompts=WARMUP, extra="grace: 2h"), cogs=PROMPTS, start=SUNDAY)
    await down_until(bot, DUE + timedelta(minutes=90))
    assert [(p.question, p.due_at) for p in posts(bot)] == [("A?", DUE)]
    assert len(bot.messages("general")) == 1
    await bot.restart()  # and not again after another restart
    await bot.advance(timedelta(minutes=10))
    assert len(posts(bot)) == 1


async def test_a_firing_missed_beyond_the_grace_period_is_skipped_and_logged(make_bot, caplog) -> None:
    bot = await make_bot(yaml=community_yaml(prompts=WARMUP, extra="grace: 2h"), cogs=PROMPTS, start=SUNDAY)
    with caplog.at_level(logging.WARNING, logger="cogs.prompt"):
        await down_until(bot, DUE + timedelta(hours=3))
    assert posts(bot) == []
    assert "prompt warmup missed its firing due 2026-01-12T09:00:00+01:00" in caplog.text
    assert "older than the grace period (2:00:00) and was skipped" in caplog.text
    await bot.advance(timedelta(days=7))  # the schedule carries on with the next firing
    assert [p.due_at for p in posts(bot)] == [DUE + timedelta(days=7)]


async def test_a_prompts_own_grace_overrides_the_communitys(make_bot) -> None:
    yaml = community_yaml(prompts=WARMUP.replace("}", ", grace: 30m}"), extra="grace: 2h")
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    await down_until(bot, DUE + timedelta(hours=1))
    assert posts(bot) == []


async def test_a_schedule_never_catches_up_a_firing_from_before_it_existed(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(extra="grace: 2h"), cogs=PROMPTS, start=DUE + timedelta(minutes=30))
    await bot.restart(yaml=community_yaml(prompts=WARMUP, extra="grace: 2h"))
    assert posts(bot) == []


async def two_instances(make_bot, db_url: str, tmp_path):  # type: ignore[no-untyped-def]
    yaml = community_yaml(prompts=WARMUP, extra="grace: 2h")
    first = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY, db_url=db_url, tmpdir=tmp_path / "a")
    second = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY, db_url=db_url, tmpdir=tmp_path / "b")
    return first, second


def bot_posts(*bots) -> int:  # type: ignore[no-untyped-def]
    return sum(len(b.messages("general")) for b in bots)


async def check_exactly_once(first, second) -> None:  # type: ignore[no-untyped-def]
    # both processes run the same firings at the same time: each is posted by one of them
    await asyncio.gather(first.advance(timedelta(days=14)), second.advance(timedelta(days=14)))
    assert bot_posts(first, second) == 2
    assert [p.question for p in posts(first)] == ["A?", "B?"]
    # both restart after missing a firing (within grace): it is caught up once
    for bot in (first, second):
        bot.clock.set(DUE + timedelta(days=14, minutes=30))
    # (one after the other: Alembic's migration context is global to a Python process)
    await first.restart()
    await second.restart()
    assert bot_posts(first, second) == 3 and len(posts(first)) == 3


async def test_exactly_once_with_two_instances_on_one_sqlite_file(make_bot, tmp_path) -> None:
    first, second = await two_instances(make_bot, f"sqlite:///{tmp_path / 'shared.db'}", tmp_path)
    await check_exactly_once(first, second)


async def test_exactly_once_with_two_instances_on_postgresql(make_bot, pg_url, tmp_path) -> None:
    first, second = await two_instances(make_bot, pg_url, tmp_path)
    await check_exactly_once(first, second)


async def test_a_schedule_cancelled_or_changed_in_one_instance_is_honoured_by_the_other(make_bot, tmp_path) -> None:
    first, second = await two_instances(make_bot, f"sqlite:///{tmp_path / 'shared.db'}", tmp_path)
    r = await first.command('/prompt schedule id:evening when:"daily 18:00" channel:#general questions:"E?"',
                            role="instructor")
    assert not r.error
    await second.restart()  # the second process registers the new schedule at its start
    await first.command('/prompt schedule id:evening when:"daily 20:00" channel:#general questions:"E?"',
                        role="instructor")
    await first.command("/prompt cancel warmup", role="instructor")
    await asyncio.gather(first.advance(timedelta(days=1)), second.advance(timedelta(days=1)))
    # no warmup on Monday 09:00, and evening only at the new time, once
    assert [(p.question, p.posted_at.astimezone(timezone.utc).strftime("%a %H:%M")) for p in posts(first)] == \
        [("E?", "Sun 19:00")]


async def test_a_schedule_made_in_one_instance_is_picked_up_by_the_other_without_restart(make_bot, tmp_path) -> None:
    first, second = await two_instances(make_bot, f"sqlite:///{tmp_path / 'shared.db'}", tmp_path)
    r = await first.command('/prompt schedule id:evening when:"daily 18:00" channel:#general questions:"E?"',
                            role="instructor")
    assert not r.error
    keys = lambda bot: {k for k in bot.app.scheduler.entries if k.startswith("prompt:")}  # noqa: E731
    assert keys(second) != keys(first)  # not yet known to the second process
    await second.app.scheduler.run_background()  # its once-a-minute upkeep
    assert keys(second) == keys(first)
