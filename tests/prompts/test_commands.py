"""Instructor commands: post now, schedule, list, cancel — and every bad input answered clearly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from .helpers import PROMPTS, SUNDAY, community_yaml, local_times, posts, schedule

BANK = 'reflection: ["A?", "B?"]\nempty-ish: ["only?"]'


async def instructor(bot, text: str):  # type: ignore[no-untyped-def]
    return await bot.command(text, as_="ivy", role="instructor")


async def test_post_now_with_a_question_and_a_reference_in_the_reply(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(), cogs=PROMPTS, start=SUNDAY)
    r = await instructor(bot, '/prompt post question:"What surprised you?" thread:true channel:#random')
    assert not r.error and r.ephemeral
    message = bot.last("random")
    assert "What surprised you?" in message.text
    assert f"Posted prompt #1 (#random, message {message.ref.message_id}, thread t{message.ref.message_id})" in r.text


async def test_post_now_from_a_bank_and_from_a_schedule(make_bot) -> None:
    yaml = community_yaml(banks=BANK, prompts='- {id: warmup, channel: discussion, when: "mon 09:00", bank: reflection}')
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    await instructor(bot, "/prompt post bank:reflection")
    await instructor(bot, "/prompt post bank:reflection")
    assert [p.question for p in posts(bot)] == ["A?", "B?"]  # least posted first
    await instructor(bot, "/prompt post schedule:warmup")
    await bot.advance(timedelta(days=1))  # the Monday firing continues the schedule's own rotation
    assert [p.question for p in posts(bot)] == ["A?", "B?", "A?", "B?"]


@pytest.mark.parametrize("command, message", [
    ("/prompt post", "give one of"),
    ('/prompt post question:"Q?" bank:reflection', "give one of"),
    ("/prompt post bank:nope", 'no question bank "nope" (banks: empty-ish, reflection)'),
    ("/prompt post schedule:nope", 'no prompt schedule "nope"'),
    ('/prompt post question:"Q?" channel:#nowhere', 'unknown channel "nowhere"'),
])
async def test_post_bad_input(make_bot, command: str, message: str) -> None:
    bot = await make_bot(yaml=community_yaml(banks=BANK), cogs=PROMPTS, start=SUNDAY)
    r = await instructor(bot, command)
    assert r.error and message in r.text
    assert posts(bot) == []


async def test_members_cannot_post_or_schedule(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(), cogs=PROMPTS, start=SUNDAY)
    r = await bot.command('/prompt post question:"Q?"', as_="ben")
    assert r.error and "only instructors can use /prompt post" in r.text


async def test_schedule_by_command_then_list_then_cancel(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(banks=BANK), cogs=PROMPTS, start=SUNDAY)
    r = await instructor(bot, '/prompt schedule id:evening when:"daily 18:30" channel:#general '
                              'questions:"What did you practise?; What was hard?" thread:true')
    assert not r.error, r.text
    assert "Scheduled **evening** (by command) — every day at 18:30 (Europe/Berlin)" in r.text
    assert "next: Sun 2026-01-11 18:30 CET; Mon 2026-01-12 18:30 CET; Tue 2026-01-13 18:30 CET" in r.text
    await bot.advance(timedelta(days=2))
    assert [p.question for p in posts(bot)] == ["What did you practise?", "What was hard?"]
    r = await instructor(bot, "/prompt cancel evening")
    assert "Cancelled **evening**" in r.text
    await bot.advance(timedelta(days=2))
    assert len(posts(bot)) == 2
    r = await instructor(bot, "/prompt list")
    assert "**evening** (by command)" in r.text and "cancelled" in r.text
    r = await instructor(bot, "/prompt cancel evening")
    assert r.error and "already cancelled" in r.text


async def test_list_shows_source_and_next_three_runs_in_the_community_time_zone(make_bot) -> None:
    yaml = community_yaml(banks=BANK, prompts='- {id: warmup, channel: discussion, when: "mon 09:00", bank: reflection, '
                                              "order: shuffle, timezone: America/New_York}")
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    await instructor(bot, '/prompt schedule id:check when:"0 18 * * 1-5" channel:#general bank:reflection')
    r = await instructor(bot, "/prompt list")
    assert "**warmup** (from schedules.yaml) — every Monday at 09:00 (America/New_York)" in r.text
    assert "next: Mon 2026-01-12 15:00 CET; Mon 2026-01-19 15:00 CET; Mon 2026-01-26 15:00 CET" in r.text
    assert "**check** (by command) — every weekday at 18:00 (Europe/Berlin)" in r.text
    assert "next: Mon 2026-01-12 18:00 CET; Tue 2026-01-13 18:00 CET; Wed 2026-01-14 18:00 CET" in r.text


async def test_empty_list_says_how_to_add_one(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(), cogs=PROMPTS, start=SUNDAY)
    r = await instructor(bot, "/prompt list")
    assert "No prompt schedules yet — add one with /prompt schedule" in r.text


@pytest.mark.parametrize("options, message", [
    ('when:"61 * * * *" channel:#general bank:reflection', "when:"),
    ('when:"mon 25:00" channel:#general bank:reflection', "not a time of day"),
    ('when:"mon 09:00" channel:#general bank:reflection timezone:Europe/Berln',
     'unknown time zone "Europe/Berln" — did you mean "Europe/Berlin"?'),
    ('when:"mon 09:00" channel:#nowhere bank:reflection', 'unknown channel "nowhere"'),
    ('when:"mon 09:00" channel:#general bank:nope', 'no question bank "nope"'),
    ('when:"mon 09:00" channel:#general', "give the questions"),
    ('when:"mon 09:00" channel:#general questions:";;"', "give the questions"),
    ('when:"mon 09:00" channel:#general bank:reflection questions:"Q?"', "not both"),
    ('when:"mon 09:00" channel:#general bank:reflection skip:"2026-02-30"', "skip:"),
    ('when:"mon 09:00" channel:#general bank:reflection order:random', '"random" is not one of: in-order, shuffle'),
])
async def test_schedule_bad_input_is_explained_and_nothing_is_stored(make_bot, options: str, message: str) -> None:
    bot = await make_bot(yaml=community_yaml(banks=BANK), cogs=PROMPTS, start=SUNDAY)
    r = await instructor(bot, f"/prompt schedule id:x {options}")
    assert r.error and message in r.text, r.text
    assert "No prompt schedules yet" in (await instructor(bot, "/prompt list")).text


async def test_schedule_on_an_emptied_bank_is_refused(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(), cogs=PROMPTS, start=SUNDAY)
    await instructor(bot, '/prompt bank add bank:mine question:"Only one?"')
    await instructor(bot, "/prompt bank remove bank:mine number:1")
    r = await instructor(bot, '/prompt schedule id:x when:"mon 09:00" channel:#general bank:mine')
    assert r.error and 'bank "mine" is empty' in r.text


async def test_a_yaml_schedule_id_cannot_be_overwritten_by_command(make_bot) -> None:
    yaml = community_yaml(prompts='- {id: warmup, channel: discussion, when: "mon 09:00", questions: ["Q?"]}')
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    r = await instructor(bot, '/prompt schedule id:warmup when:"tue 09:00" channel:#general questions:"X?"')
    assert r.error and "defined in schedules.yaml" in r.text


async def test_rescheduling_by_command_replaces_the_schedule(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(), cogs=PROMPTS, start=SUNDAY)
    await instructor(bot, '/prompt schedule id:x when:"mon 09:00" channel:#general questions:"Q?"')
    r = await instructor(bot, '/prompt schedule id:x when:"tue 10:00" channel:#general questions:"Q?"')
    assert "Updated **x**" in r.text
    await bot.advance(timedelta(days=7))
    assert local_times(bot) == ["2026-01-13 10:00"]


async def test_an_empty_bank_at_firing_time_warns_the_staff(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(), cogs=PROMPTS, start=SUNDAY)
    await instructor(bot, '/prompt bank add bank:mine question:"One?"')
    await instructor(bot, '/prompt bank add bank:mine question:"Two?"')
    await instructor(bot, '/prompt schedule id:x when:"mon 09:00" channel:#general bank:mine')
    await instructor(bot, "/prompt bank remove bank:mine number:1")
    await instructor(bot, "/prompt bank remove bank:mine number:1")
    await bot.advance(timedelta(days=7))
    assert posts(bot) == []
    assert 'The scheduled prompt **x** was not posted: bank "mine" is empty' in bot.last("instructors").text
    assert schedule(bot, "x").active
