"""What /prompt says in the cases that used to mislead: blank questions, nobody to count,
aliases, paused schedules, and members pointed at commands they cannot use."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot import Access

from .helpers import PROMPTS, SUNDAY, community_yaml, posts

WARMUP = '- {id: warmup, channel: discussion, when: "mon 09:00", questions: ["A?", "B?"]}'


async def instructor(bot, text: str):  # type: ignore[no-untyped-def]
    return await bot.command(text, as_="ivy", role="instructor")


@pytest.mark.parametrize("command", ['/prompt post question:""', '/prompt post question:"   "',
                                     '/prompt suggest question:"  "', '/prompt bank add bank:x question:""'])
async def test_a_blank_question_is_refused_and_nothing_is_posted(make_bot, command: str) -> None:
    bot = await make_bot(yaml=community_yaml(), cogs=PROMPTS, start=SUNDAY)
    r = await instructor(bot, command)
    assert r.error and re.search(r"question: must not be empty|missing question", r.text)
    assert posts(bot) == [] and bot.messages("general") == [] and bot.messages("instructors") == []


async def test_a_report_with_nobody_to_count_does_not_say_everyone_answered(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(), cogs=PROMPTS, start=SUNDAY)
    await instructor(bot, '/prompt post question:"Hello?"')
    r = await instructor(bot, "/prompt report")
    assert "everyone answered" not in r.text and "No members to count yet" in r.text
    await bot.message("ana")  # a member appears, has not answered
    r = await instructor(bot, "/prompt report")
    assert "Not yet: ana" in r.text and "Answered (0/1, 0%): nobody yet" in r.text


async def test_list_names_the_channel_a_schedule_posts_in_and_the_file_it_comes_from(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(prompts=WARMUP), cogs=PROMPTS, start=SUNDAY, config_file="course-7.yaml")
    r = await instructor(bot, "/prompt list")
    assert "**warmup** (from course-7.yaml) — every Monday at 09:00 (Europe/Berlin) in #general, 2 questions" in r.text
    assert "#discussion" not in r.text and "schedules.yaml" not in r.text
    r = await instructor(bot, "/prompt cancel id:warmup")
    assert "comes from course-7.yaml" in r.text and "/prompt resume id:warmup" in r.text


async def test_a_yaml_schedule_cancelled_in_chat_is_resumed_in_chat_without_catching_up(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(prompts=WARMUP), cogs=PROMPTS, start=SUNDAY)
    await instructor(bot, "/prompt cancel id:warmup")
    await bot.advance(timedelta(days=1))  # Monday 09:00 passes while paused
    assert posts(bot) == []
    r = await instructor(bot, "/prompt resume id:warmup")
    assert not r.error and "Resumed **warmup**" in r.text and "next: Mon 2026-01-19 09:00" in r.text
    assert posts(bot) == []  # the firing missed while paused is not posted now
    await bot.advance(timedelta(days=7))
    assert [p.question for p in posts(bot)] == ["A?"]
    r = await instructor(bot, "/prompt resume id:warmup")
    assert r.error and "is running — nothing to resume" in r.text
    await bot.restart()  # still running after a restart: the file did not change
    await bot.advance(timedelta(days=7))
    assert [p.question for p in posts(bot)] == ["A?", "B?"]


async def test_resume_is_for_instructors_and_names_unknown_ids(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(prompts=WARMUP), cogs=PROMPTS, start=SUNDAY)
    r = await bot.command("/prompt resume id:warmup", as_="ana")
    assert r.error and "instructor" in r.text
    r = await instructor(bot, "/prompt resume id:nope")
    assert r.error and 'no prompt schedule "nope"' in r.text


async def test_what_members_are_told_names_no_command_they_cannot_use(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(banks='weekly: ["A?"]\nother: ["B?"]'), cogs=PROMPTS, start=SUNDAY)
    instructor_only = [f"/{spec.full_name}" for _, spec in bot.app.tree.specs() if spec.access > Access.MEMBER]
    r = await bot.command('/prompt suggest question:"Mine?"', as_="ben")
    assert r.error and "bank:<name>" in r.text  # two banks: which one is asked for...
    suggest = next(spec for _, spec in bot.app.tree.specs() if spec.full_name == "prompt suggest")
    assert "needed when there are several" in next(o.help for o in suggest.options if o.name == "bank")  # ...as help says
    await bot.command('/prompt suggest question:"Mine?" bank:weekly', as_="ben")
    await bot.click(bot.last("instructors"), "Approve", as_="ivy", role="instructor")
    told = bot.dms("ben")[-1].text
    assert "approved" in told and not [name for name in instructor_only if name in told]


async def test_a_long_bank_is_listed_whole_in_pages(make_bot) -> None:
    questions = [f"Question {n:03d}: " + "what would you explain to a friend about this topic? " * 3 for n in range(1, 151)]
    bank = "big: [" + ", ".join(f'"{q.strip()}"' for q in questions) + "]"
    bot = await make_bot(yaml=community_yaml(banks=bank), cogs=PROMPTS, start=SUNDAY)
    r = await instructor(bot, "/prompt bank list bank:big")
    pages = [reply.content for reply in r.replies]
    assert len(pages) > 1 and all(len(p.text) <= 3800 for p in pages)
    assert pages[0].title == f"Bank big (150) — 1/{len(pages)}"
    listed = [line for p in pages for line in p.text.splitlines()]
    assert listed == [f"{n}. {q.strip()}" for n, q in enumerate(questions, 1)]
