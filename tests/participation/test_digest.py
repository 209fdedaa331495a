"""The weekly digest and retention pruning."""

from __future__ import annotations

from datetime import timedelta


from .helpers import kind_counts, publish, count_events, daily_rows, start, stats

PNG = b"\x89PNG\r\n\x1a\n"



async def test_digest_posts_the_week_to_the_staff_channel(make_bot) -> None:
    bot = await start(make_bot)  # Monday 2026-01-12 08:00 UTC; digest fri 17:00
    for who in ("ana", "ben", "cy", "dee"):
        await bot.join(who)
    await bot.message("ana")
    await bot.message("ben")
    await publish(bot, "prompt_response", "ana")
    await publish(bot, "poll_vote", "ana")
    await publish(bot, "poll_vote", "ben")
    await publish(bot, "quiz_answer", "ana")
    await publish(bot, "quiz_correct", "ana")
    await publish(bot, "quiz_answer", "ben")
    await publish(bot, "quiz_answer", "cy")
    await publish(bot, "quiz_correct", "cy")
    await publish(bot, "quiz_answer", "dee")
    await publish(bot, "quiz_correct", "dee")
    await publish(bot, "mentor_meeting", "ben")
    await bot.advance(timedelta(days=4, hours=9))  # Friday 17:00
    digest = bot.last("staff")
    fields = {f.name: f.value for f in digest.content.fields}
    assert digest.content.title == "Weekly digest — Cohort"
    assert fields["Active members"] == "4 of 4"
    assert fields["New members"] == "4"
    # one field per declared kind, labelled by its cog
    assert fields["Prompt responses"] == "1 member (25%), 1 in all"
    assert fields["Poll votes"] == "2 members (50%), 2 in all"
    assert fields["Correct quiz answers"] == "75% of 4 quiz answers"
    assert fields["Mentor meetings"] == "1 member (25%), 1 in all"
    assert "Survey answers" not in fields  # none this week
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
            await publish(bot, "poll_vote", who)
        await bot.advance(timedelta(days=1))
    for _ in range(14):  # ben stops, ana keeps going
        await bot.message("ana")
        await publish(bot, "poll_vote", "ana")
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
    assert kind_counts(bot) == {"message": 2} and sum(r["events"] for r in daily_rows(bot)) == 2
    r = await bot.command("/stats me", as_="ana")
    assert "Points (all time): 2" in r.text
