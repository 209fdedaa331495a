"""The generic activity event: a cog declares its kinds, publishes ``bot.Activity``, and
participation scores any kind by name — without the core or participation knowing it."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from bot import Activity, ActivityKind, Cog
from bot.config import parse_config
from bot.errors import ConfigError

COGS = ["cogs.participation", "tests.fixtures.kudos_cog"]
YAML = """
communities:
  - id: console
    platform: console
    name: Cohort
    participation: {cooldown: 0s, leaderboard: true}
"""


async def test_a_new_cogs_kind_is_recorded_scored_and_reported_by_its_label(make_bot) -> None:
    bot = await make_bot(yaml=YAML, cogs=COGS)
    await bot.message("ana")
    await bot.message("ben")
    r = await bot.command("/kudos give user:ana", as_="ben")
    assert r.text == "Kudos to ana!"
    await bot.command("/kudos give user:ana times:3", as_="ben")  # weight 3: three times the points
    me = await bot.command("/stats me", as_="ana")
    assert "This week: 3 events · 17 pts" in me.text  # 1 message + 4 + 3 × 4
    assert "kudos received 2" in me.text and "messages 1" in me.text
    board = await bot.command("/stats leaderboard", as_="ben")
    assert board.text.index("ana — 17 pts") < board.text.index("ben — 1 pt")
    export = await bot.command("/stats export since:2026-01-01", as_="tess", role="instructor")
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(export.reply.content.files[0].data.decode()))}
    assert rows["ana"]["kudos"] == "2" and rows["ana"]["points"] == "17"


async def test_yaml_points_override_a_declared_kinds_default(make_bot) -> None:
    yaml = YAML.replace("cooldown: 0s", "cooldown: 0s, points: {kudos: 10}")
    bot = await make_bot(yaml=yaml, cogs=COGS)
    await bot.message("ben")
    await bot.command("/kudos give user:ben", as_="cy")
    me = await bot.command("/stats me", as_="ben")
    assert "11 pts" in me.text


async def test_publishing_an_undeclared_kind_is_refused_with_the_declared_ones(make_bot) -> None:
    bot = await make_bot(yaml=YAML, cogs=COGS)
    r = await bot.command("/kudos typo", as_="ana")
    assert r.error and "traceback" not in r.text.lower()  # the member sees a plain error
    kudos = bot.app.get_cog("kudos")
    with pytest.raises(ValueError, match="'kudo' but does not declare it.*declared: kudos"):
        await kudos.publish_activity("kudo", community_id=1, member_id=1)


async def test_a_kind_no_loaded_cog_declares_is_still_recorded_without_points(make_bot) -> None:
    bot = await make_bot(yaml=YAML, cogs=["cogs.participation"])
    await bot.message("ana")
    ana = bot.member("ana")
    await bot.app.publish(Activity(kind="kudos", community_id=ana.community_id, member_id=ana.id, at=bot.clock.now()))
    me = await bot.command("/stats me", as_="ana")
    assert "This week: 2 events · 1 pt" in me.text and "kudos 1" in me.text


def test_two_cogs_declaring_one_kind_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config("", "schedules.yaml", cogs=["cogs.participation", "tests.fixtures.kudos_cog",
                                                 "tests.fixtures.kudos_twin_cog"])
    assert "activity kind 'kudos' is declared by both" in str(info.value.problems)


def test_declarations_are_checked_when_the_class_is_made() -> None:
    with pytest.raises(ValueError, match="lower-case"):
        ActivityKind("Kudos!")
    with pytest.raises(ValueError, match="from 0 to 1000"):
        ActivityKind("kudos", points=-1)
    with pytest.raises(ValueError, match="twice"):
        type("Twice", (Cog,), {"activities": [ActivityKind("a"), ActivityKind("a")]})
    with pytest.raises(ValueError, match="weight"):
        Activity(kind="a", weight=float("nan"))
    assert ActivityKind("office_visit").label == "office visits"


def test_bot_check_lists_points_for_kinds_no_loaded_cog_declares(tmp_path: Path) -> None:
    path = tmp_path / "schedules.yaml"
    path.write_text("communities:\n  - id: console\n    participation:\n      points: {kudos: 2, poll_vote: 1}\n"
                    "cogs: [cogs.participation, cogs.polls]\n")
    result = subprocess.run([sys.executable, "-m", "bot", "check", str(path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{path}:4:" in result.stderr and "unknown point kind(s) kudos" in result.stderr
    assert "poll_vote" not in result.stderr.split("known kinds")[0]


async def test_about_lists_each_cog_by_its_own_summary(make_bot) -> None:
    bot = await make_bot(yaml=YAML, cogs=COGS)
    r = await bot.command("/about", as_="ana")
    [features] = [f.value for f in r.reply.content.fields if f.name == "Features"]
    lines = features.splitlines()
    assert "**kudos** — Thank someone: kudos count towards their participation." in lines
    assert "**stats** — Participation: your activity, leaderboards, and engagement reports for instructors." in lines
    assert not any(line.startswith(("**help**", "**about**")) for line in lines)
