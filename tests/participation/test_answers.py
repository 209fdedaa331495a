"""What /stats says in the cases that used to read wrong: right after forget, one of a thing,
nobody at risk, times in the community's zone, and which date of an export is wrong."""

from __future__ import annotations

from datetime import timedelta

from .helpers import YAML, start

BERLIN = YAML.replace("timezone: UTC", "timezone: Europe/Berlin")


async def test_right_after_forget_stats_me_says_nothing_is_recorded(make_bot) -> None:
    bot = await start(make_bot)
    await bot.message("zoe")
    asked = await bot.command("/privacy forget", as_="zoe")
    await bot.click(asked.reply.content.buttons[0].action_id, as_="zoe")
    r = await bot.command("/stats me", as_="zoe")
    assert "You have opted out" in r.text and "I count what you do" not in r.text
    await bot.message("zoe")  # and indeed nothing is recorded
    r = await bot.command("/stats me", as_="zoe")
    assert "This week: 0 events · 0 pts" in r.text


async def test_one_of_a_thing_is_singular(make_bot) -> None:
    bot = await start(make_bot)
    await bot.message("ana")
    me = await bot.command("/stats me", as_="ana")
    assert "This week: 1 event · 1 pt" in me.text and "Streak: 1 day" in me.text
    board = await bot.command("/stats leaderboard", as_="ana")
    assert "1. ana — 1 pt" in board.text
    export = await bot.command("/stats export since:2026-01-01", as_="tess", role="instructor")
    assert export.text.startswith("1 member, 2026-01-01 to 2026-01-12")


async def test_nobody_at_risk_reads_as_a_sentence(make_bot) -> None:
    bot = await start(make_bot)
    r = await bot.command("/stats inactive", as_="tess", role="instructor")
    assert "At risk: nobody" in r.text and "At risk: 0" not in r.text


async def test_last_seen_is_in_the_communitys_time_zone(make_bot) -> None:
    bot = await start(make_bot, BERLIN)  # clock: Monday 2026-01-12 08:00 UTC = 09:00 in Berlin
    await bot.message("ana")
    r = await bot.command("/stats member user:ana", as_="tess", role="instructor")
    assert "Last seen: 2026-01-12 09:00 (Europe/Berlin)" in r.text and "UTC" not in r.text
    bot.clock.advance(timedelta(days=20))
    r = await bot.command("/stats inactive", as_="tess", role="instructor")
    assert "ana — last seen 2026-01-12" in r.text


async def test_an_export_in_the_future_blames_since_not_until(make_bot) -> None:
    bot = await start(make_bot)
    r = await bot.command("/stats export since:2030-01-01", as_="tess", role="instructor")
    assert r.error and "since: 2030-01-01 is in the future (today is 2026-01-12)" in r.text and "until" not in r.text


async def test_an_export_over_every_date_there_is_reads_only_the_days_with_data(make_bot) -> None:
    from sqlalchemy import event

    bot = await start(make_bot)
    await bot.message("ana")
    statements: list[str] = []
    event.listen(bot.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    r = await bot.command("/stats export since:0001-01-01 until:9999-12-31", as_="tess", role="instructor")
    assert r.text.startswith("1 member, 0001-01-01 to 9999-12-31") and r.reply.content.files
    assert len(statements) < 30  # was one query per 100 days: 29,000 of them, answering never
