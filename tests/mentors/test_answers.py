"""What mentoring tells people in the cases that used to read wrong: a mentor with several
mentees, and a match whose working hours do not overlap."""

from __future__ import annotations

from .support import COGS, YAML, intros, join, run_round


async def test_a_mentor_with_two_mentees_sees_both_in_mentor_me(make_bot) -> None:
    bot = await make_bot(yaml=YAML, cogs=COGS)
    await join(bot, "mia", role="mentor", extra="capacity:2")
    await join(bot, "ann", role="mentee")
    await join(bot, "ben", role="mentee")
    await run_round(bot)
    mine = await bot.command("/mentor me", as_="mia")
    field = next(f for f in mine.reply.content.fields if f.name.startswith("Current match"))
    assert field.name == "Current matches (2)"
    assert sorted(line.split(" — ")[0] for line in field.value.splitlines()) == ["ann", "ben"]
    theirs = await bot.command("/mentor me", as_="ann")
    assert "Current match: mia — no answer" in theirs.text


async def test_an_intro_without_overlapping_working_hours_says_so_in_words(make_bot) -> None:
    bot = await make_bot(yaml=YAML, cogs=COGS)
    await join(bot, "tom", tz="Asia/Tokyo")
    await join(bot, "lea", tz="America/New_York")  # 00-08 vs 14-22 UTC
    await run_round(bot)
    [intro] = intros(bot)
    overlap = next(f.value for f in intro.content.fields if f.name == "Time-zone overlap")
    assert overlap.startswith("none: your working hours do not overlap") and "no of" not in intro.text
