"""Schedules through the bot: friendly and cron forms, rotation, term and skip dates, DST."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from .helpers import PROMPTS, SUNDAY, community_yaml, local_times, posts


async def test_friendly_weekdays_schedule_posts_on_those_days_at_local_time(make_bot) -> None:
    yaml = community_yaml(prompts='- {id: mwf, channel: discussion, when: "mon,wed,fri 09:00", questions: ["Q?"]}')
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    assert await bot.advance(timedelta(days=7)) == 3
    assert local_times(bot) == ["2026-01-12 09:00", "2026-01-14 09:00", "2026-01-16 09:00"]
    assert [m.text for m in bot.messages("general")] == ["💬 Discussion prompt\nQ?\nReply to this message to answer."] * 3


async def test_cron_schedule_uses_standard_weekday_numbers(make_bot) -> None:
    yaml = community_yaml(prompts='- {id: daily-check, channel: discussion, when: "0 18 * * 1-5", questions: ["Q?"]}')
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    await bot.advance(timedelta(days=7))
    assert local_times(bot) == [f"2026-01-{d} 18:00" for d in (12, 13, 14, 15, 16)]


async def test_daily_and_every_two_weeks_forms(make_bot) -> None:
    yaml = community_yaml(
        extra="term: {start: 2026-01-12}",
        prompts='- {id: evening, channel: discussion, when: "daily 18:30", questions: ["E?"]}\n'
                '- {id: fortnight, channel: discussion, when: "every 2 weeks on tue 10:00", questions: ["F?"]}')
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    await bot.advance(timedelta(days=28))
    rows = posts(bot)
    evenings = [p for p in rows if p.question == "E?"]
    fortnights = [p.posted_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M") for p in rows if p.question == "F?"]
    assert len(evenings) == 27  # Sunday 11 Jan is before the term: 12 Jan .. 7 Feb
    # the term's first week is an "on" week: Tue 13 Jan, then every other Tuesday (10:00 CET = 09:00 UTC)
    assert fortnights == ["2026-01-13 09:00", "2026-01-27 09:00"]


async def test_shuffled_bank_posts_each_question_once_per_cycle(make_bot) -> None:
    yaml = community_yaml(banks='reflection: ["A?", "B?", "C?", "D?"]',
                          prompts='- {id: warmup, channel: discussion, when: "daily 09:00", bank: reflection, order: shuffle}')
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    await bot.advance(timedelta(days=12))
    asked = [p.question for p in posts(bot)]
    assert len(asked) == 12
    for cycle in range(3):
        assert sorted(asked[cycle * 4:(cycle + 1) * 4]) == ["A?", "B?", "C?", "D?"]
    assert all(a != b for a, b in zip(asked, asked[1:]))


async def test_in_order_rotation_survives_a_restart(make_bot) -> None:
    yaml = community_yaml(prompts='- {id: warmup, channel: discussion, when: "daily 09:00", questions: ["A?", "B?", "C?"]}')
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    await bot.advance(timedelta(days=2))
    await bot.restart()
    await bot.advance(timedelta(days=3))
    assert [p.question for p in posts(bot)] == ["A?", "B?", "C?", "A?", "B?"]


async def test_term_dates_breaks_and_own_skip_dates_are_honoured(make_bot) -> None:
    yaml = community_yaml(
        extra='term: {start: 2026-01-14, end: 2026-01-23, breaks: ["2026-01-19..2026-01-20"]}',
        prompts='- {id: daily, channel: discussion, when: "daily 09:00", questions: ["Q?"], skip: ["2026-01-22"]}')
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    await bot.advance(timedelta(days=20))
    days = [t[:10] for t in local_times(bot)]
    assert days == ["2026-01-14", "2026-01-15", "2026-01-16", "2026-01-17", "2026-01-18", "2026-01-21", "2026-01-23"]


async def test_a_prompts_own_start_and_end_override_the_term(make_bot) -> None:
    yaml = community_yaml(
        extra="term: {start: 2026-01-12, end: 2026-03-20}",
        prompts='- {id: short, channel: discussion, when: "daily 09:00", questions: ["Q?"], start: 2026-01-20, end: 2026-01-21}')
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    await bot.advance(timedelta(days=14))
    assert [t[:10] for t in local_times(bot)] == ["2026-01-20", "2026-01-21"]


@pytest.mark.parametrize("start, utc_hours", [
    (datetime(2026, 3, 22, 12, tzinfo=timezone.utc), ["08:00", "07:00", "07:00"]),  # clocks go forward 29 March
    (datetime(2026, 10, 18, 12, tzinfo=timezone.utc), ["07:00", "08:00", "08:00"]),  # clocks go back 25 October
])
async def test_nine_oclock_berlin_stays_nine_oclock_across_dst(make_bot, start: datetime, utc_hours: list[str]) -> None:
    yaml = community_yaml(prompts='- {id: warmup, channel: discussion, when: "mon 09:00", questions: ["Q?"]}')
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=start)
    await bot.advance(timedelta(days=21))
    assert [t[11:] for t in local_times(bot)] == ["09:00"] * 3
    assert [p.posted_at.astimezone(timezone.utc).strftime("%H:%M") for p in posts(bot)] == utc_hours


async def test_a_prompt_can_use_its_own_time_zone(make_bot) -> None:
    yaml = community_yaml(prompts='- {id: ny, channel: discussion, when: "mon 09:00", questions: ["Q?"], '
                                  "timezone: America/New_York}")
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    await bot.advance(timedelta(days=7))
    assert local_times(bot) == ["2026-01-12 15:00"]  # 09:00 in New York is 15:00 in Berlin


async def test_thread_and_mention(make_bot) -> None:
    yaml = community_yaml(prompts='- {id: t, channel: discussion, when: "mon 09:00", questions: ["Q?"], thread: true, '
                                  'mention: "Cohort 7"}')
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    await bot.advance(timedelta(days=7))
    message = bot.last("general")
    assert "@Cohort 7 Q?" in message.text and "Answer in the thread" in message.text
    assert posts(bot)[0].thread_id == f"t{message.ref.message_id}"
