"""Responses: a message in the prompt's thread or a reply to it counts, once per member; the report."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.models import Member

from .helpers import PROMPTS, SUNDAY, community_yaml, posts, responses

WITH_CAPTURE = [*PROMPTS, "tests.fixtures.event_recorder"]
THREADED = '- {id: warmup, channel: discussion, when: "mon 09:00", questions: ["A?", "B?"], thread: true}'
TERM = "term: {start: 2026-01-12, end: 2026-03-20}"


async def started(make_bot, prompts: str = THREADED):  # type: ignore[no-untyped-def]
    bot = await make_bot(yaml=community_yaml(prompts=prompts, extra=TERM), cogs=WITH_CAPTURE, start=SUNDAY)
    for name in ("ana", "ben", "cai"):
        await bot.join(name)
    await bot.advance(timedelta(days=1))
    return bot


def captured(bot):  # type: ignore[no-untyped-def]
    return bot.app.get_cog("recorder").of_kind("prompt_response")


async def test_a_message_in_the_thread_is_a_response_recorded_once(make_bot) -> None:
    bot = await started(make_bot)
    post = posts(bot)[0]
    await bot.message("ana", thread=post.thread_id)
    await bot.message("ana", thread=post.thread_id)  # a second message is not a second response
    await bot.message("ben", channel="general")  # not in the thread, not a reply
    await bot.message("cai", thread="t-elsewhere")
    ana = bot.member("ana")
    assert [(r.post_id, r.member_id) for r in responses(bot)] == [(post.id, ana.id)]
    assert [(e.subject, e.member_id) for e in captured(bot)] == [(f"prompt:{post.id}", ana.id)]


async def test_a_reply_to_the_prompt_is_a_response(make_bot) -> None:
    bot = await started(make_bot, THREADED.replace(", thread: true", ""))
    post = posts(bot)[0]
    assert post.thread_id is None
    await bot.message("ben", reply_to=post.message_id)
    await bot.message("cai", reply_to="m-some-other-message")
    assert [r.member_id for r in responses(bot)] == [bot.member("ben").id]
    assert len(captured(bot)) == 1


async def test_members_who_opted_out_are_not_tracked(make_bot) -> None:
    bot = await started(make_bot)
    with bot.session() as s:
        ben = s.exec(select(Member).where(Member.external_id == "ben")).one()
        ben.opted_out = True
        s.add(ben)
        s.commit()
    bot.app.directory.clear()
    await bot.message("ben", thread=posts(bot)[0].thread_id)
    assert responses(bot) == [] and captured(bot) == []
    r = await bot.command("/prompt report", as_="ivy", role="instructor")
    assert "ben" not in r.text and "1 member opted out of tracking" in r.text


async def test_report_shows_who_answered_and_the_rate_over_the_term(make_bot) -> None:
    bot = await started(make_bot)
    first = posts(bot)[0]
    await bot.message("ana", thread=first.thread_id)
    await bot.message("ben", thread=first.thread_id)
    await bot.advance(timedelta(days=7))
    second = posts(bot)[1]
    await bot.message("cai", reply_to=second.message_id)
    r = await bot.command("/prompt report", as_="ivy", role="instructor")  # default: the latest prompt
    assert r.ephemeral
    assert f"**Prompt #{second.id}** (schedule warmup, Mon 2026-01-19 09:00 CET): B?" in r.text
    assert "Answered (1/3, 33%): cai" in r.text
    assert "Not yet: ana, ben" in r.text
    assert "**This term**: 2 prompts, 3 responses from 3 members — response rate 50%" in r.text
    r = await bot.command(f"/prompt report prompt:{first.id}", as_="ivy", role="instructor")
    assert "Answered (2/3, 67%): ana, ben" in r.text and "Not yet: cai" in r.text
    r = await bot.command("/prompt report schedule:warmup", as_="ivy", role="instructor")
    assert f"**Prompt #{second.id}**" in r.text


async def test_report_bad_input(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(), cogs=PROMPTS, start=SUNDAY)
    r = await bot.command("/prompt report", as_="ivy", role="instructor")
    assert r.error and "no prompt has been posted yet" in r.text
    r = await bot.command("/prompt report prompt:99", as_="ivy", role="instructor")
    assert r.error and "no prompt #99 here" in r.text
    r = await bot.command("/prompt report", as_="ben")
    assert r.error and "only instructors" in r.text


async def test_forgetting_a_member_erases_their_responses(make_bot) -> None:
    bot = await started(make_bot)
    await bot.message("ana", thread=posts(bot)[0].thread_id)
    await bot.message("ben", thread=posts(bot)[0].thread_id)
    erased = await bot.forget("ana")
    assert erased["prompt"] == 1
    assert [r.member_id for r in responses(bot)] == [bot.member("ben").id]
