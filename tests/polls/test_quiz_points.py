"""A quiz answer is final at the first click, down to the points (issue 14): with the
participation cog really loaded, `click 1, click 1, click 2` scores the first answer only —
wrong first stays wrong, right first stays right — and `/stats me` says so."""

from __future__ import annotations

import pytest

from tests.participation.helpers import events, stats

YAML = """
communities:
  - id: console
    platform: console
    timezone: UTC
    participation: {points: {poll_vote: 1, quiz_answer: 0, quiz_correct: 3}, cooldown: 0s}
"""
QUIZ = '/poll create question:"2 + 2?" options:"5; 4; 3" answer:2'


@pytest.mark.parametrize(("clicks", "points", "verdict"), [
    (["5", "5", "4"], 1, "❌ Not quite"),  # wrong first: the right answer later earns nothing
    (["4", "4", "5"], 4, "✅ Correct!"),  # right first: a wrong click later takes nothing away
])
async def test_the_first_click_is_the_answer_that_scores(make_bot, clicks: list[str], points: float,
                                                         verdict: str) -> None:
    bot = await make_bot(yaml=YAML, cogs=["cogs.polls", "cogs.participation"])
    bot.app.get_cog("poll").update_delay = 0
    await bot.command(QUIZ, as_="tess", role="instructor")
    quiz = bot.last("general")
    replies = [await bot.click(quiz, label, as_="ben") for label in clicks]
    assert all(r.text.startswith(verdict) for r in replies)
    assert all(f"You already answered **{clicks[0]}**" in r.text for r in replies[1:])
    await stats(bot).flush()
    correct = [("quiz_correct", 3)] if points > 1 else []  # once, and only for a right first answer
    assert sorted(events(bot, "ben")) == sorted([("poll_vote", 1), ("quiz_answer", 0), *correct])
    me = await bot.command("/stats me", as_="ben")
    assert not me.error and f"Points (all time): {points:g}\n" in me.text.replace("**", ""), me.text
    results = await bot.command("/poll results 1", as_="tess", role="instructor")
    first = clicks[0]
    assert f"{first}  `██████████` 100% (1)" in results.text
