"""/queue through the harness: open, join, list, next with Done / No-show, stats, clear,
close; restarts; concurrent next; bad input as one clear line; forget."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.testing.harness import Harness
from cogs.officehours.models import QueueEntry

COGS = ["cogs.officehours"]


async def as_ivy(bot: Harness, line: str, who: str = "ivy") -> Any:
    return await bot.command(line, as_=who, role="instructor")


def entries(bot: Harness) -> list[QueueEntry]:
    with bot.session() as s:
        return list(s.exec(select(QueueEntry).order_by(QueueEntry.id)).all())


async def test_a_whole_office_hours_session(make_bot: Any) -> None:
    bot = await make_bot(cogs=COGS)
    opened = await as_ivy(bot, '/queue open topic:"Week 3 help"')
    assert not opened.ephemeral and "Office hours are open — Week 3 help" in opened.text
    first = await bot.command('/queue join topic:"pandas merge"', as_="ana")
    assert first.ephemeral and first.text == "You're #1 in the queue (you're next). I'll DM you when it's your turn."
    second = await bot.command("/queue join", as_="ben")
    assert "#2 in the queue (1 ahead of you)" in second.text
    listing = await bot.command("/queue list", as_="ben")
    assert "2 waiting. You're #2 — 1 ahead of you. Typical wait: —." in listing.text
    assert "ana" not in listing.text  # members don't see who else is waiting
    staff = await as_ivy(bot, "/queue list")
    assert "1. ana — pandas merge\n2. ben" in staff.text

    await bot.advance(timedelta(minutes=6))
    called = await as_ivy(bot, "/queue next")
    post = bot.last("general")
    assert post.text == "<@ana>, you're up with <@ivy> (pandas merge)." and not called.ephemeral
    assert "You're up!" in bot.dms("ana")[-1].text
    assert (await bot.command("/queue list", as_="ana")).text.count("You're being helped now.") == 1

    await bot.advance(timedelta(minutes=10))
    stranger = await bot.click(post, "Done", as_="ben")
    assert stranger.error and entries(bot)[0].status == "helping"
    await bot.click(post, "Done", as_="ivy", role="instructor")
    assert post.text == "✅ <@ana> was helped by <@ivy> (10m)." and post.buttons == []

    await as_ivy(bot, "/queue next")
    await bot.click(bot.last("general"), "No-show", as_="ivy", role="instructor")
    stats = await as_ivy(bot, "/queue stats")
    fields = {f.name: f.value for f in stats.reply.content.fields}
    assert fields == {"Helped": "1", "No-shows": "1", "Left the queue": "0", "Waiting now": "0",
                      "Typical wait": "11m", "Longest wait": "16m", "Typical time helped": "10m"}
    assert "Typical wait: 11m" in (await bot.command("/queue list", as_="cat")).text
    closed = await as_ivy(bot, "/queue close")
    assert closed.text == "Office hours are closed."


async def test_the_queue_survives_a_restart(make_bot: Any) -> None:
    bot = await make_bot(cogs=COGS)
    await as_ivy(bot, "/queue open")
    for who in ("ana", "ben", "cat"):
        await bot.command("/queue join", as_=who)
    await as_ivy(bot, "/queue next")
    post = bot.last("general")
    await bot.restart()
    assert "You're #1 — 0 ahead of you." in (await bot.command("/queue list", as_="ben")).text
    await bot.click(post, "Done", as_="ivy", role="instructor")  # a button from before the restart
    assert "was helped" in post.text
    await as_ivy(bot, "/queue next")
    assert bot.last("general").text.startswith("<@ben>, you're up")


async def test_two_instructors_pressing_next_at_once_call_two_different_people(make_bot: Any) -> None:
    bot = await make_bot(cogs=COGS)
    await as_ivy(bot, "/queue open")
    for who in ("ana", "ben", "cat"):
        await bot.command("/queue join", as_=who)
    results = await asyncio.gather(as_ivy(bot, "/queue next", "ivy"), as_ivy(bot, "/queue next", "tom"),
                                   as_ivy(bot, "/queue next", "uma"), as_ivy(bot, "/queue next", "vic"))
    called = sorted(r.text.split(",")[0] for r in results if not r.error)
    assert called == ["<@ana>", "<@ben>", "<@cat>"]
    assert [r.text for r in results if r.error] == ["⚠️ nobody is waiting in the queue"]
    assert sorted(e.called_by for e in entries(bot)) == sorted({e.called_by for e in entries(bot)})


@pytest.mark.parametrize("lines, message", [
    ([("ana", "/queue join")], "⚠️ the queue is closed — an instructor opens it with /queue open"),
    ([("ivy", "/queue open"), ("ana", "/queue join"), ("ana", "/queue join")],
     "⚠️ you're already in the queue (#1) — /queue leave to leave it"),
    ([("ivy", "/queue open"), ("ivy", "/queue next")], "⚠️ nobody is waiting in the queue"),
    ([("ivy", "/queue open"), ("ana", "/queue leave")], "⚠️ you're not waiting in the queue"),
    ([("ivy", "/queue open"), ("ivy", "/queue open")], "⚠️ the queue is already open — /queue close first to start a new one"),
    ([("ivy", "/queue close")], "⚠️ the queue is not open"),
    ([("ana", "/queue next")], "only instructors can use /queue next"),
])
async def test_bad_queue_input_is_one_clear_line(make_bot: Any, lines: list[tuple[str, str]], message: str) -> None:
    bot = await make_bot(cogs=COGS)
    result = None
    for who, line in lines:
        result = await bot.command(line, as_=who, role="instructor" if who == "ivy" else "member")
    assert result is not None and result.error and result.ephemeral
    assert message in result.text and "\n" not in result.text


async def test_leave_clear_and_close_take_people_off_in_order(make_bot: Any) -> None:
    bot = await make_bot(cogs=COGS)
    await as_ivy(bot, "/queue open")
    for who in ("ana", "ben", "cat", "dan"):
        await bot.command("/queue join", as_=who)
    assert (await bot.command("/queue leave", as_="ben")).text == "You left the queue."
    assert "You're #2 — 1 ahead of you." in (await bot.command("/queue list", as_="cat")).text
    rejoin = await bot.command("/queue join", as_="ben")
    assert "#4 in the queue (3 ahead of you)" in rejoin.text  # back of the line
    assert (await as_ivy(bot, "/queue clear")).text == "Cleared the queue (4 members were waiting)."
    await bot.command("/queue join", as_="eve")
    closed = await as_ivy(bot, "/queue close")
    assert "1 member still waiting was taken off the queue" in closed.text
    assert [e.status for e in entries(bot)] == ["cleared", "left", "cleared", "cleared", "cleared", "closed"]


async def test_forget_erases_a_members_visits(make_bot: Any) -> None:
    bot = await make_bot(cogs=COGS)
    await as_ivy(bot, "/queue open")
    await bot.command('/queue join topic:"help"', as_="ana")
    await bot.command("/queue join", as_="ben")
    await as_ivy(bot, "/queue next")
    ana, ivy = bot.member("ana"), bot.member("ivy")
    assert ana is not None and ivy is not None
    cog = bot.app.get_cog("queue")
    assert (await bot.forget("ana"))[cog.name] == 1
    assert [e.member_id for e in entries(bot)] == [bot.member("ben").id]  # type: ignore[union-attr]
    await as_ivy(bot, "/queue next")
    await bot.forget("ivy")
    assert [e.called_by for e in entries(bot)] == [None]


async def test_office_hours_sessions_open_and_close_the_queue(make_bot: Any) -> None:
    yaml = """
communities:
  - id: console
    platform: console
    timezone: Europe/Berlin
    office_hours: {with_events: [office-hours]}
    events:
      - {id: office-hours, title: "Office hours", when: "tue 16:00", duration: 1h}
      - {id: lecture, title: "Lecture", when: "mon 10:00", duration: 1h}
"""
    from datetime import datetime, timezone

    bot = await make_bot(yaml=yaml, cogs=["cogs.events", "cogs.officehours"])
    await bot.advance(datetime(2026, 1, 13, 14, 49, tzinfo=timezone.utc))
    assert (await bot.command("/queue join", as_="ana")).error  # not yet
    await bot.advance(datetime(2026, 1, 13, 14, 50, tzinfo=timezone.utc))  # check-in opens: so does the queue
    assert bot.last("general").text == "🙋 Office hours: the help queue is open. Join it with `/queue join`."
    assert "#1 in the queue" in (await bot.command("/queue join", as_="ana")).text
    await bot.advance(datetime(2026, 1, 13, 16, 0, tzinfo=timezone.utc))  # the session ends
    assert bot.last("general").text == "The help queue is closed for today. (1 still waiting were taken off.)"
    await bot.advance(datetime(2026, 1, 19, 10, 0, tzinfo=timezone.utc))  # a lecture is not office hours
    assert (await bot.command("/queue join", as_="ana")).error
    await bot.command("/queue open", as_="ivy", role="instructor")  # opened by hand: a session leaves it alone
    await bot.advance(datetime(2026, 1, 20, 16, 0, tzinfo=timezone.utc))
    assert not (await bot.command("/queue join", as_="ana")).error


async def test_a_helped_visit_is_a_participation_activity(make_bot: Any) -> None:
    bot = await make_bot(cogs=["cogs.officehours", "tests.fixtures.event_recorder"])
    await as_ivy(bot, "/queue open")
    await bot.command("/queue join", as_="ana")
    await bot.command("/queue join", as_="ben")
    await as_ivy(bot, "/queue next")
    await bot.click(bot.last("general"), "Done", as_="ivy", role="instructor")
    await as_ivy(bot, "/queue next")
    await bot.click(bot.last("general"), "No-show", as_="ivy", role="instructor")  # no-shows don't count
    recorded = bot.app.get_cog("recorder").of_kind("officehours_help")
    assert [(a.member_id, a.subject) for a in recorded] == [(bot.member("ana").id, "queue:1")]  # type: ignore[union-attr]
