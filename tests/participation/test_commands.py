"""/stats commands as members and instructors see them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from bot.config import parse_config
from bot.errors import ConfigError

from .helpers import PARTICIPATION_COGS, YAML, publish, start

PNG = b"\x89PNG\r\n\x1a\n"



async def _activity(bot, who: str, days: int, per_day: int) -> None:
    """``per_day`` messages a minute apart on each of the next ``days`` days (clock moves on)."""
    for _ in range(days):
        for _ in range(per_day):
            await bot.message(who)
            bot.clock.advance(timedelta(minutes=2))
        bot.clock.advance(timedelta(days=1) - timedelta(minutes=2 * per_day))


async def test_me_compares_this_week_with_last_and_shows_streak_and_rank(make_bot) -> None:
    bot = await start(make_bot)  # Monday 2026-01-12 08:00
    await _activity(bot, "ana", 3, 2)  # Mon-Wed: 6 events, 6 points
    await _activity(bot, "ben", 1, 1)
    bot.clock.advance(timedelta(days=4))  # next Monday 08:00
    await _activity(bot, "ana", 1, 1)
    bot.clock.advance(timedelta(hours=-23))  # back on that Monday, later
    r = await bot.command("/stats me", as_="ana")
    assert r.ephemeral
    text = r.text
    assert "This week: 1 event · 1 pt" in text
    assert "Last week: 6 events · 6 pts" in text
    assert "Streak: 1 day" in text and "Points (all time): 7" in text and "Rank: #1" in text
    r = await bot.command("/stats me", as_="ben")
    assert "Rank: #2" in r.text


async def test_leaderboard_is_opt_in_and_never_shows_opted_out_members(make_bot) -> None:
    off = await start(make_bot, "communities:\n  - {id: console, platform: console}\n")
    await off.message("ana")
    r = await off.command("/stats leaderboard", as_="ana")
    assert "Leaderboards are off in this community" in r.text

    bot = await start(make_bot)
    await _activity(bot, "ana", 2, 3)
    await _activity(bot, "ben", 1, 2)
    await _activity(bot, "cy", 1, 1)
    r = await bot.command("/stats leaderboard days:7", as_="cy")
    lines = r.text.splitlines()
    assert lines[0] == "Leaderboard — last 7 days"
    assert lines[1:4] == ["1. ana — 6 pts", "2. ben — 2 pts", "3. cy — 1 pt"]
    await bot.command("/privacy optout", as_="ana")
    for days in ("7", "30", "all"):
        r = await bot.command(f"/stats leaderboard days:{days}", as_="cy")
        assert "ana" not in r.text and "1. ben — 2 pts" in r.text
    bot.clock.advance(timedelta(days=10))
    r = await bot.command("/stats leaderboard days:7", as_="cy")
    assert "No points yet" in r.text
    r = await bot.command("/stats leaderboard days:all", as_="cy")
    assert "1. ben — 2 pts" in r.text


async def test_member_and_inactive_are_for_instructors(make_bot) -> None:
    bot = await start(make_bot)
    await bot.message("ana")
    for command in ("/stats member user:ana", "/stats inactive", "/stats export since:2026-01-01"):
        r = await bot.command(command, as_="ben")
        assert r.error and "instructor" in r.text
    r = await bot.command("/stats member user:ana", as_="tess", role="instructor")
    assert r.ephemeral and "Activity of ana" in r.text and "This week: 1 event" in r.text


async def test_inactive_lists_silent_members_and_those_at_risk(make_bot) -> None:
    bot = await start(make_bot)  # term started 2025-12-01
    # four busy weeks for everyone: messages, prompt responses and votes
    for _ in range(28):
        for who in ("ana", "ben", "cy"):
            await bot.message(who)
            await bot.message(who)
            await publish(bot, "prompt_response", who)
        await publish(bot, "poll_vote", "ana")
        bot.clock.advance(timedelta(days=1))
    # then two weeks: ana keeps going, ben fades in every signal, cy goes silent
    for day in range(14):
        await bot.message("ana")
        await bot.message("ana")
        await publish(bot, "prompt_response", "ana")
        await publish(bot, "poll_vote", "ana")
        if day % 4 == 0:
            await bot.message("ben")
        bot.clock.advance(timedelta(days=1))
    r = await bot.command("/stats inactive days:10", as_="tess", role="instructor")
    silent, _, risky = r.text.partition("At risk")
    assert "Silent for 10+ days: 1" in silent and "cy — last seen" in silent and "ana" not in silent
    assert "ben" in risky and "cy" in risky and "ana" not in risky.split("\n", 1)[1].split("At risk =")[0]


async def test_export_is_a_csv_safe_against_formulas(make_bot) -> None:
    bot = await start(make_bot)
    await bot.message("=HYPERLINK(1)")  # a display name crafted as a formula
    await bot.message("ana")
    await publish(bot, "mentor_meeting", "ana")
    r = await bot.command("/stats export since:2026-01-01", as_="tess", role="instructor")
    [file] = r.reply.content.files
    assert file.filename == "participation-2026-01-01-2026-01-12.csv" and file.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(file.data.decode())))
    by_name = {row["name"]: row for row in rows}
    assert by_name["ana"]["message"] == "1" and by_name["ana"]["mentor_meeting"] == "1"
    assert list(rows[0])[:6] == ["member_id", "name", "message", "thread_reply", "reaction", "join"]
    assert by_name["ana"]["points"] == "11"
    assert "'=HYPERLINK(1)" in by_name and "=HYPERLINK(1)" not in by_name
    r = await bot.command("/stats export since:2026-01-10 until:2026-01-01", as_="tess", role="instructor")
    assert r.error and "until: 2026-01-01 is before since" in r.text


async def test_chart_is_a_png(make_bot) -> None:
    bot = await start(make_bot)
    await _activity(bot, "ana", 3, 2)
    await publish(bot, "poll_vote", "ana")
    r = await bot.command("/stats chart days:14", as_="ana")
    [file] = r.reply.content.files
    assert file.content_type == "image/png" and file.data.startswith(PNG) and len(file.data) > 1000


async def test_export_command_line_writes_the_same_csv(make_bot, tmp_path, capsys) -> None:
    bot = await start(make_bot)
    await bot.message("ana")
    await bot.message("@ben")
    r = await bot.command("/stats export since:2026-01-01", as_="tess", role="instructor")
    from_chat = r.reply.content.files[0].data.decode()
    db_url = bot.db_url
    await bot.stop()

    from argparse import Namespace

    from bot.app import BotApp
    from bot.storage import Database

    app = BotApp(config=parse_config(YAML, "schedules.yaml", cogs=PARTICIPATION_COGS), db=Database(db_url),
                 clock=bot.clock)
    app.load_cogs()
    out = tmp_path / "out.csv"
    args = Namespace(community="console", since="2026-01-01", until="2026-01-12", platform=None, out=str(out))
    assert app.get_cog("stats").export_cli(args) == 0
    assert out.read_bytes().decode() == from_chat and "'@ben" in from_chat
    args = Namespace(community="nope", since="2026-01-01", until=None, platform=None, out=None)
    assert app.get_cog("stats").export_cli(args) == 1
    err = capsys.readouterr().err.splitlines()[-1]
    assert err == "export: no community with id 'nope' (known: console 'console') — pass one with --community"
    app.db.dispose()


def test_unknown_point_kinds_fail_the_config_check() -> None:
    yaml = "communities:\n  - id: console\n    participation: {points: {mesages: 1, poll_vote: 2}}\n"
    with pytest.raises(ConfigError) as info:
        parse_config(yaml, "schedules.yaml", cogs=["cogs.participation"])
    [problem] = info.value.problems
    # poll_vote is unknown too: the polls cog that declares it is not loaded
    assert problem.startswith("schedules.yaml:3:") and "mesages, poll_vote" in problem and "thread_reply" in problem
    parse_config(yaml.replace("mesages", "message"), "schedules.yaml", cogs=["cogs.participation", "cogs.polls"])
