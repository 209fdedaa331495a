"""The weekly digest and retention pruning."""

from __future__ import annotations

from datetime import timedelta

from bot.events import MentorMeetingConfirmed, PollVoted, PromptResponded, QuizAnswered

from .helpers import count_events, daily_rows, start, stats

PNG = b"\x89PNG\r\n\x1a\n"


async def _publish(bot, cls, member: str, **kw) -> None:
    m = bot.member(member)
    await bot.app.publish(cls(community_id=m.community_id, member_id=m.id, at=bot.clock.now(), **kw))


async def test_digest_posts_the_week_to_the_staff_channel(make_bot) -> None:
    bot = await start(make_bot)  # Monday 2026-01-12 08:00 UTC; digest fri 17:00
    for who in ("ana", "ben", "cy", "dee"):
        await bot.join(who)
    await bot.message("ana")
    await bot.message("ben")
    await _publish(bot, PromptResponded, "ana", prompt_post_id=1)
    await _publish(bot, PollVoted, "ana", poll_id=1)
    await _publish(bot, PollVoted, "ben", poll_id=1)
    await _publish(bot, QuizAnswered, "ana", poll_id=2, correct=True)
    await _publish(bot, QuizAnswered, "ben", poll_id=2, correct=False)
    await _publish(bot, QuizAnswered, "cy", poll_id=2, correct=True)
    await _publish(bot, QuizAnswered, "dee", poll_id=2, correct=True)
    await _publish(bot, MentorMeetingConfirmed, "ben", match_id=1)
    await bot.advance(timedelta(days=4, hours=9))  # Friday 17:00
    digest = bot.last("staff")
    fields = {f.name: f.value for f in digest.content.fields}
    assert digest.content.title == "Weekly digest — Cohort"
    assert fields["Active members"] == "4 of 4"
    assert fields["New members"] == "4"
    assert fields["Prompt response rate"] == "25% (1 members)"
    assert fields["Poll turnout"] == "50% (2 members)"
    assert fields["Quiz average"] == "75% correct (4 answers)"
    assert fields["Mentor meetings"] == "1"
    assert fields["At risk"] == "nobody"
    [chart] = digest.content.files
    assert chart.data.startswith(PNG)
    assert len(bot.messages("staff")) == 1
    await bot.restart()  # no second post for the same Friday
    await bot.advance(timedelta(hours=1))
    assert len(bot.messages("staff")) == 1


async def test_digest_lists_members_at_risk(make_bot) -> None:
    bot = await start(make_bot)
    for _ in range(21):
        for who in ("ana", "ben"):
            await bot.message(who)
            await _publish(bot, PollVoted, who, poll_id=1)
        await bot.advance(timedelta(days=1))
    for _ in range(14):  # ben stops, ana keeps going
        await bot.message("ana")
        await _publish(bot, PollVoted, "ana", poll_id=1)
        await bot.advance(timedelta(days=1))
    digest = bot.last("staff")
    fields = {f.name: f.value for f in digest.content.fields}
    assert fields["At risk"] == "<@ben>"


async def test_prune_deletes_old_raw_events_and_keeps_rollups(make_bot) -> None:
    bot = await start(make_bot)  # retention: 30d
    await bot.message("ana")
    await stats(bot).flush()
    await bot.advance(timedelta(days=20))
    await bot.message("ana")
    await stats(bot).flush()
    assert count_events(bot) == 2
    await bot.advance(timedelta(days=12))  # the first event is now 32 days old
    assert count_events(bot) == 1
    assert sum(r["messages"] for r in daily_rows(bot)) == 2
    r = await bot.command("/stats me", as_="ana")
    assert "Points (all time): 2" in r.text
