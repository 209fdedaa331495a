"""Every neutral event becomes a participation event; weights, cooldown, opt-out."""

from __future__ import annotations

from datetime import timedelta


from .helpers import kind_counts, publish, count_events, daily_rows, events, start, state_rows, stats



async def test_each_event_kind_is_recorded_with_its_points(make_bot) -> None:
    bot = await start(make_bot)
    await bot.join("ana")
    msg = await bot.message("ana")
    bot.clock.advance(timedelta(minutes=2))
    await bot.message("ana", thread="t1")
    await bot.react("ana", msg.message_id)
    await bot.react("ana", msg.message_id, removed=True)  # records nothing
    await publish(bot, "prompt_response", "ana")
    await publish(bot, "poll_vote", "ana")
    await publish(bot, "quiz_answer", "ana")
    await publish(bot, "quiz_correct", "ana")
    await publish(bot, "quiz_answer", "ana")
    await publish(bot, "survey_answer", "ana")
    await publish(bot, "mentor_meeting", "ana")
    await stats(bot).flush()
    assert events(bot, "ana") == [
        ("join", 0), ("message", 1), ("thread_reply", 2), ("reaction", 0.5), ("prompt_response", 5),
        ("poll_vote", 1), ("quiz_answer", 0), ("quiz_correct", 3), ("quiz_answer", 0), ("survey_answer", 2),
        ("mentor_meeting", 10)]
    [state] = state_rows(bot)
    assert state["points_total"] == 24.5 and state["joined_at"] is not None


async def test_cooldown_records_the_event_but_scores_it_once_a_minute(make_bot) -> None:
    bot = await start(make_bot)
    for _ in range(3):
        await bot.message("ben")
        bot.clock.advance(timedelta(seconds=20))
    bot.clock.advance(timedelta(seconds=10))  # 70 s after the first message
    await bot.message("ben")
    await bot.message("cy")  # another member has their own cooldown
    await stats(bot).flush()
    assert events(bot, "ben") == [("message", 1), ("message", 0), ("message", 0), ("message", 1)]
    assert events(bot, "cy") == [("message", 1)]


async def test_points_follow_the_yaml_weights(make_bot) -> None:
    yaml = """
communities:
  - id: console
    platform: console
    participation: {points: {message: 4, prompt_response: 0}, cooldown: 0s}
"""
    bot = await start(make_bot, yaml)
    await bot.message("ana")
    await bot.message("ana")
    await publish(bot, "prompt_response", "ana")
    await publish(bot, "poll_vote", "ana")  # default weight 1
    await stats(bot).flush()
    assert events(bot, "ana") == [("message", 4), ("message", 4), ("prompt_response", 0), ("poll_vote", 1)]


async def test_opted_out_members_are_never_recorded(make_bot) -> None:
    bot = await start(make_bot)
    await bot.message("ana")
    r = await bot.command("/privacy optout", as_="ana")
    assert r.ephemeral and "opted out" in r.text
    await bot.message("ana")
    await publish(bot, "poll_vote", "ana")
    await stats(bot).flush()
    assert len(events(bot, "ana")) == 1
    await bot.command("/privacy optin", as_="ana")
    await bot.message("ana")
    await stats(bot).flush()
    assert len(events(bot, "ana")) == 2


async def test_no_event_is_lost_on_a_clean_stop(make_bot) -> None:
    bot = await start(make_bot)
    stats(bot).writer.interval = 3600  # no timed flush during the test: only stop() can write them
    for i in range(1200):
        await bot.message(f"m{i % 40}")
    writer = stats(bot).writer
    assert writer.queue.qsize() > 0  # still queued: nothing was written per event
    await bot.restart()
    assert count_events(bot) == 1200


async def test_rollups_agree_with_raw_events(make_bot) -> None:
    bot = await start(make_bot)
    for day in range(3):
        for i in range(30):
            await bot.message(f"m{i % 7}", thread="t" if i % 3 == 0 else None)
            bot.clock.advance(timedelta(seconds=17))
        await publish(bot, "poll_vote", "m1")
        bot.clock.advance(timedelta(days=1))
    await stats(bot).flush()
    rows = daily_rows(bot)
    assert sum(r["events"] for r in rows) == len(events(bot)) == 93
    counts = kind_counts(bot)
    assert counts["message"] + counts["thread_reply"] == 90 and counts["poll_vote"] == 3
    assert sum(counts.values()) == 93
    assert abs(sum(r["points"] for r in rows) - sum(p for _, p in events(bot))) < 1e-9
    assert len({r["day"] for r in rows}) == 3
    totals = {s["member_id"]: s["points_total"] for s in state_rows(bot)}
    for member_id, total in totals.items():
        assert abs(sum(r["points"] for r in rows if r["member_id"] == member_id) - total) < 1e-9
