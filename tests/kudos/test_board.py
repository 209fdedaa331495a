"""/kudos-board and "kudos received" in /stats me through the harness: only members who
joined the board are shown, ranked by this week's kudos; leave, opt-out and forget take them
off; bad input is one ephemeral line; the board can be turned off."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlmodel import select

from cogs.kudos.models import KudosBoardMember
from tests.kudos.test_kudos import YAML, start


def field(result: Any, name: str) -> str:
    return next(f.value for f in result.reply.content.fields if f.name == name)


async def thank(bot: Any, giver: str, receiver: str, times: int = 1) -> None:
    for _ in range(times):
        r = await bot.command(f"/kudos member:{receiver} reason:thanks", as_=giver)
        assert not r.error, r.text


async def test_the_board_shows_only_members_who_joined_ranked_by_this_weeks_kudos(make_bot: Any) -> None:
    bot = await start(make_bot)
    bot.clock.set(datetime(2026, 3, 11, 12, 0, tzinfo=timezone.utc))  # a Wednesday
    empty = await bot.command("/kudos-board", as_="ana")
    assert "Nobody has joined the board yet" in empty.text and not empty.reply.ephemeral
    joined = await bot.command("/kudos-board join", as_="ben")
    assert "You're on the kudos board" in joined.text and joined.reply.ephemeral
    assert "already on the kudos board" in (await bot.command("/kudos-board choice:join", as_="ben")).text
    await bot.command("/kudos-board join", as_="cat")
    assert "Nobody on the board has been thanked yet" in (await bot.command("/kudos-board", as_="ana")).text
    await thank(bot, "ana", "ben")
    await thank(bot, "ana", "cat", 2)
    await thank(bot, "ben", "ana", 3)  # ana did not join: never on the board
    board = await bot.command("/kudos-board show", as_="ana")
    assert board.reply.content.title == "Kudos board — this week"
    assert board.reply.content.text.splitlines() == ["1. cat — 2 kudos", "2. ben — 1 kudos"]
    assert "ana" not in board.reply.content.text and "(2 so far)" in board.text
    bot.clock.set(datetime(2026, 3, 16, 9, 0, tzinfo=timezone.utc))  # next Monday: a new week
    await thank(bot, "ana", "ben")
    assert (await bot.command("/kudos-board", as_="ana")).reply.content.text.splitlines() == ["1. ben — 1 kudos"]
    assert "You're off the kudos board" in (await bot.command("/kudos-board leave", as_="ben")).text
    assert "You're not on the kudos board" in (await bot.command("/kudos-board leave", as_="ben")).text
    assert "Nobody on the board has been thanked" in (await bot.command("/kudos-board", as_="ana")).text


async def test_opted_out_and_forgotten_members_leave_the_board(make_bot: Any) -> None:
    bot = await start(make_bot)
    for who in ("ben", "cat"):
        await bot.command("/kudos-board join", as_=who)
    await thank(bot, "ana", "ben")
    await thank(bot, "ana", "cat")
    await bot.command("/privacy optout", as_="ben")
    assert (await bot.command("/kudos-board", as_="ana")).reply.content.text.splitlines() == ["1. cat — 1 kudos"]
    assert "stay hidden until /privacy optin" in (await bot.command("/kudos-board join", as_="ben")).text
    assert (await bot.forget("cat"))["kudos"] == 2  # the kudos received and the board row
    ben_id = bot.member("ben").id
    with bot.session() as s:
        assert [r.member_id for r in s.exec(select(KudosBoardMember)).all()] == [ben_id]
    assert "Nobody on the board has been thanked" in (await bot.command("/kudos-board", as_="ana")).text


async def test_bad_input_is_one_ephemeral_line_and_the_board_can_be_off(make_bot: Any) -> None:
    bot = await start(make_bot)
    r = await bot.command("/kudos-board dance", as_="ana")
    assert r.error and len(r.replies) == 1 and r.reply.ephemeral and "show, join, leave" in r.text
    off = await start(make_bot, YAML + "    kudos: {board: false}\n")
    r = await off.command("/kudos-board join", as_="ana")
    assert "kudos board is off" in r.text and r.reply.ephemeral
    with off.session() as s:
        assert s.exec(select(KudosBoardMember)).all() == []


async def test_stats_me_shows_kudos_received_this_week_and_in_all(make_bot: Any) -> None:
    bot = await start(make_bot)
    bot.clock.set(datetime(2026, 3, 6, 12, 0, tzinfo=timezone.utc))  # a Friday
    await thank(bot, "ana", "ben", 2)
    bot.clock.set(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))  # the next Tuesday
    await thank(bot, "cat", "ben")
    me = await bot.command("/stats me", as_="ben")
    assert field(me, "Kudos received") == "this week: 1 kudos · in all: 3 kudos"
    assert "Kudos received" not in [f.name for f in (await bot.command("/stats me", as_="ana")).reply.content.fields]
    other = await bot.command("/stats member user:ben", as_="cat", role="instructor")
    assert field(other, "Kudos received") == "this week: 1 kudos · in all: 3 kudos"


async def test_a_cog_whose_stats_hook_fails_does_not_break_stats_me(make_bot: Any) -> None:
    bot = await start(make_bot)
    await thank(bot, "ana", "ben")

    def broken(*args: Any) -> list[Any]:
        raise RuntimeError("boom")

    bot.app.get_cog("kudos").member_stats_fields = broken
    me = await bot.command("/stats me", as_="ben")
    assert not me.error and "Kudos received" not in [f.name for f in me.reply.content.fields]
    assert "kudos received 1" in me.text  # participation's own numbers are all there
