"""/mentor join, me, leave, pause and avoid — including the input people get wrong."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.testing.harness import Harness
from cogs.mentors.models import MentorAvoid, MentorProfile
from cogs.mentors.profiles import normalise_topics
from bot import UserError

from .support import COGS, YAML, community_yaml, join, profile


async def start(make_bot, yaml: str = YAML) -> Harness:
    return await make_bot(yaml=yaml, cogs=COGS)


async def test_join_stores_a_normalised_profile_and_answers_privately(make_bot) -> None:
    bot = await start(make_bot)
    r = await bot.command('/mentor join role:mentor topics:"Python, SQL ;career, python" capacity:3 '
                          'goals:"help people get their first data job"', as_="mia")
    assert not r.error and r.ephemeral
    assert "You're in" in r.text and "Topics: python, sql, career" in r.text and "Capacity: 3 mentees" in r.text
    assert bot.messages("general") == []  # nothing public
    stored = profile(bot, "mia")
    assert stored is not None and stored.role == "mentor" and stored.capacity == 3
    assert stored.timezone == "Europe/Berlin"  # the community's time zone by default
    assert stored.goals == "help people get their first data job"


async def test_joining_again_updates_the_same_profile(make_bot) -> None:
    bot = await start(make_bot)
    await join(bot, "ann", role="mentee", topics="python")
    r = await join(bot, "ann", role="peer", topics="sql, statistics", tz="America/New_York")
    assert "Profile updated" in r.text
    with bot.session() as s:
        rows = s.exec(select(MentorProfile)).all()
    assert len(rows) == 1
    assert (rows[0].role, rows[0].topics, rows[0].timezone) == ("peer", "sql, statistics", "America/New_York")


@pytest.mark.parametrize("options, expected", [
    ('role:peer topics:"python" timezone:Mars/Olympus', "timezone"),
    ('role:mentor topics:"python" capacity:0', "capacity: must be at least 1"),
    ('role:mentor topics:"python" capacity:21', "capacity: must be at most 20"),
    ('role:peer topics:" , ;"', "name at least one topic"),
    ("role:peer", "missing topics"),
    ('role:guru topics:"python"', "not one of: mentor, mentee, peer"),
])
async def test_bad_join_input_is_refused_with_a_clear_message(make_bot, options: str, expected: str) -> None:
    bot = await start(make_bot)
    r = await bot.command(f"/mentor join {options}", as_="ann")
    assert r.error and expected in r.text
    with bot.session() as s:
        assert s.exec(select(MentorProfile)).all() == []


async def test_capacity_is_ignored_with_a_note_for_a_mentee(make_bot) -> None:
    bot = await start(make_bot)
    r = await join(bot, "ann", role="mentee", extra="capacity:4")
    assert not r.error and "capacity only applies to mentors" in r.text
    assert profile(bot, "ann").capacity == 1  # type: ignore[union-attr]


async def test_a_peers_only_community_refuses_other_roles(make_bot) -> None:
    bot = await start(make_bot, community_yaml("{mode: peers}"))
    r = await join(bot, "mia", role="mentor")
    assert r.error and "role:peer" in r.text
    assert not (await join(bot, "mia", role="peer")).error


async def test_me_shows_the_profile_or_how_to_join(make_bot) -> None:
    bot = await start(make_bot)
    r = await bot.command("/mentor me", as_="ann")
    assert r.error and "/mentor join" in r.text
    await join(bot, "ann", topics="python")
    r = await bot.command("/mentor me", as_="ann")
    assert r.ephemeral and "Topics: python" in r.text and "in the next round" in r.text


async def test_leave_keeps_the_profile_and_join_brings_you_back(make_bot) -> None:
    bot = await start(make_bot)
    assert (await bot.command("/mentor leave", as_="ann")).error  # never joined
    await join(bot, "ann")
    r = await bot.command("/mentor leave", as_="ann")
    assert not r.error and "left mentoring" in r.text
    assert profile(bot, "ann").active is False  # type: ignore[union-attr]
    assert "not taking part" in (await bot.command("/mentor me", as_="ann")).text
    await join(bot, "ann")
    assert profile(bot, "ann").active is True  # type: ignore[union-attr]


async def test_pause_needs_a_future_date(make_bot) -> None:
    bot = await start(make_bot)  # the clock starts on 2026-01-12
    await join(bot, "ann")
    assert "after today" in (await bot.command("/mentor pause until:2026-01-12", as_="ann")).text
    assert "YYYY-MM-DD" in (await bot.command("/mentor pause until:soon", as_="ann")).text
    r = await bot.command("/mentor pause until:2026-03-01", as_="ann")
    assert not r.error and "2026-03-01" in r.text
    assert profile(bot, "ann").paused_until == date(2026, 3, 1)  # type: ignore[union-attr]
    assert "paused until 2026-03-01" in (await bot.command("/mentor me", as_="ann")).text


async def test_avoid_is_private_and_checks_who(make_bot) -> None:
    bot = await start(make_bot)
    await join(bot, "ann")
    await join(bot, "ben")
    r = await bot.command("/mentor avoid user:ann", as_="ann")
    assert r.error and "can't avoid yourself" in r.text
    r = await bot.command("/mentor avoid user:nobody", as_="ann")
    assert r.error and "don't know a member" in r.text
    r = await bot.command("/mentor avoid user:<@ben>", as_="ann")
    assert not r.error and r.ephemeral and "never be matched with ben" in r.text
    assert bot.dms("ben") == [] and bot.messages("general") == []  # nobody is told
    await bot.command("/mentor avoid user:ben", as_="ann")  # twice is fine
    with bot.session() as s:
        assert len(s.exec(select(MentorAvoid)).all()) == 1
    r = await bot.command("/mentor avoid user:ben remove:true", as_="ann")
    assert "off your avoid list" in r.text
    with bot.session() as s:
        assert s.exec(select(MentorAvoid)).all() == []


def test_topics_are_normalised_and_checked() -> None:
    assert normalise_topics(" Python ,SQL;  machine   learning\n#career,python") == [
        "python", "sql", "machine learning", "career"]
    with pytest.raises(UserError, match="at least one topic"):
        normalise_topics(" , ")
    with pytest.raises(UserError, match="at most 12"):
        normalise_topics(",".join(f"t{i}" for i in range(13)))
    with pytest.raises(UserError, match="under 40 characters"):
        normalise_topics("x" * 41)
