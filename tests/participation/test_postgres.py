"""The same writer upserts and report queries on PostgreSQL (skipped without TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import timedelta


from .helpers import PARTICIPATION_COGS, YAML, publish, count_events, daily_rows, events, stats


async def test_tracking_reports_and_forget_on_postgres(make_bot, pg_url) -> None:
    bot = await make_bot(yaml=YAML, cogs=PARTICIPATION_COGS, db_url=pg_url)
    for i in range(30):
        await bot.message(f"m{i % 3}")
        bot.clock.advance(timedelta(seconds=30))
    await publish(bot, "poll_vote", "m1")
    await stats(bot).flush()
    await bot.message("m1")  # a second batch: the upserts add to existing rows
    await stats(bot).flush()
    assert count_events(bot) == 32
    assert sum(r["events"] for r in daily_rows(bot)) == 32
    r = await bot.command("/stats leaderboard days:7", as_="m0")
    assert "1. m1 — 12 pts" in r.text and "2. m0 — 10 pts" in r.text
    r = await bot.command("/stats me", as_="m1")
    assert "This week: 12 events" in r.text and "Rank: #1" in r.text
    r = await bot.command("/stats inactive days:1", as_="t", role="instructor")
    assert "Silent for 1+ days: 0" in r.text
    r = await bot.command("/stats export since:2026-01-01", as_="t", role="instructor")
    assert "m1,m1,11,0,0,0,0,1," in r.reply.content.files[0].data.decode()
    r = await bot.command("/stats chart", as_="m1")
    assert r.reply.content.files[0].data.startswith(b"\x89PNG")
    forget = await bot.command("/privacy forget", as_="m2")
    await bot.click(forget.reply.content.buttons[0].action_id, as_="m2")
    assert bot.member("m2") is None and count_events(bot) == 22
    assert events(bot, "m0")
