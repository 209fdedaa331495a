"""Dispatch through the core: permissions, errors, buttons, events, jobs, cog loading."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import select

from bot.models import Member

SAMPLE = ["tests.fixtures.sample_cog"]


async def test_command_reply_is_public_by_default(make_bot) -> None:
    bot = await make_bot(cogs=SAMPLE)
    r = await bot.command("/sample echo hello times:2 mood:happy", as_="ana")
    assert r.text == "hello [happy] hello [happy]"
    assert not r.ephemeral
    assert bot.last("general").text == "hello [happy] hello [happy]"


async def test_bad_option_answers_with_usage_and_nothing_runs(make_bot) -> None:
    bot = await make_bot(cogs=SAMPLE)
    r = await bot.command("/sample echo hello times:9", as_="ana")
    assert r.error and r.ephemeral
    assert "times: must be at most 3 (got 9)" in r.text
    assert "Usage: /sample echo text:<text>" in r.text
    assert bot.messages("general") == []


async def test_unknown_command_and_subcommand(make_bot) -> None:
    bot = await make_bot(cogs=SAMPLE)
    assert 'unknown command "/nope"' in (await bot.command("/nope")).text
    r = await bot.command("/sample ech")
    assert "unknown subcommand" in r.text and "echo" in r.text


async def test_member_is_refused_an_instructor_command(make_bot) -> None:
    bot = await make_bot(cogs=SAMPLE)
    r = await bot.command("/sample secret", as_="ana", role="member")
    assert r.error and "only instructors can use /sample secret" in r.text
    assert "the secret" not in r.text
    r = await bot.command("/sample secret", as_="ivy", role="instructor")
    assert r.text == "the secret" and r.ephemeral


async def test_instructor_listed_by_user_id_in_yaml(make_bot) -> None:
    yaml = "communities:\n  - id: console\n    platform: console\n    instructors: {users: [ana]}\n"
    bot = await make_bot(cogs=SAMPLE, yaml=yaml)
    assert (await bot.command("/sample secret", as_="ana", role="member")).text == "the secret"
    assert (await bot.command("/sample secret", as_="bob", role="member")).error


async def test_handler_crash_gives_a_reference_and_the_bot_carries_on(make_bot, caplog) -> None:
    bot = await make_bot(cogs=SAMPLE)
    with caplog.at_level(logging.ERROR):
        r = await bot.command("/sample fail")
    assert r.error and "Something went wrong" in r.text
    ref = bot.app.errors.last_reference
    assert ref and ref in r.text and ref in caplog.text
    assert "Traceback" not in r.text
    assert (await bot.command("/sample echo still-here")).text == "still-here [calm]"


async def test_user_error_is_shown_as_is(make_bot) -> None:
    bot = await make_bot(cogs=SAMPLE)
    r = await bot.command("/sample fail kind:user")
    assert r.text == "⚠️ you asked for it" and r.ephemeral


async def test_buttons_carry_state_in_their_id_and_check_access(make_bot) -> None:
    bot = await make_bot(cogs=SAMPLE)
    await bot.command("/sample buttons", as_="ana")
    posted = bot.last("general")
    assert [b.action_id for b in posted.buttons] == ["sample:pick:1", "sample:staff:x"]
    refused = await bot.click(posted, "Staff", as_="ben", role="member")
    assert refused.error and "only instructors" in refused.text
    await bot.click(posted, "One", as_="ben")
    assert posted.text == "ben picked 1" and posted.edits == 1


async def test_stale_or_forged_button_ids_answer_clearly(make_bot) -> None:
    bot = await make_bot(cogs=SAMPLE)
    for action_id in ["sample:pick:notanumber", "sample:nope:1", "gone:pick:1", "sample:pick"]:
        r = await bot.click(action_id, as_="ben")
        assert r.error and "no longer works" in r.text


async def test_button_works_after_a_restart(make_bot) -> None:
    bot = await make_bot(cogs=SAMPLE)
    await bot.command("/sample buttons", as_="ana")
    posted = bot.last("general")
    await bot.restart()
    await bot.click(posted, "One", as_="cy")
    assert bot.adapter.messages[posted.ref.message_id].text == "cy picked 1"


async def test_events_reach_listeners_with_db_ids_and_no_text(make_bot) -> None:
    bot = await make_bot(cogs=SAMPLE)
    await bot.message("dee", channel="general", thread="t1", length=12)
    seen = bot.app.cogs["sample"].seen_events
    assert len(seen) == 1 and seen[0].is_thread_reply and seen[0].length == 12
    member = bot.member("dee")
    assert seen[0].member_id == member.id and seen[0].community_id == member.community_id
    assert not any(hasattr(e, "text") for e in seen)


async def test_a_failing_listener_does_not_stop_others(make_bot) -> None:
    bot = await make_bot(cogs=SAMPLE)
    sample = bot.app.cogs["sample"]

    async def broken(ctx, event):  # type: ignore[no-untyped-def]
        raise RuntimeError("listener bug")

    from bot.events import MessagePosted

    bot.app._listeners.insert(0, ((MessagePosted,), broken, sample))
    await bot.message("eve")
    assert len(sample.seen_events) == 1


async def test_jobs_fire_on_the_fake_clock_once_each(make_bot) -> None:
    bot = await make_bot(cogs=SAMPLE)
    runs = bot.app.cogs["sample"].job_runs
    assert [r.hour for r in runs] == [8]  # the tick due at start (08:00) runs once at start
    fired = await bot.advance(timedelta(hours=3))
    assert fired == 3 and [r.hour for r in runs] == [8, 9, 10, 11]
    await bot.restart()  # already claimed: not again
    assert [r.hour for r in bot.app.cogs["sample"].job_runs] == []


async def test_a_cog_that_fails_to_load_is_skipped_and_the_rest_run(make_bot) -> None:
    bot = await make_bot(cogs=["tests.fixtures.broken_cog", *SAMPLE])
    assert "setup failed half way" in bot.app.load_errors["tests.fixtures.broken_cog"]
    bot.app.load_cogs(["tests.fixtures.no_such_cog"])
    assert "tests.fixtures.no_such_cog" in bot.app.load_errors
    assert "half" not in bot.app.cogs  # atomic: its first cog was removed too
    assert (await bot.command("/sample echo ok")).text == "ok [calm]"
    assert 'unknown command "/half"' in (await bot.command("/half hello")).text


async def test_help_lists_what_the_caller_may_use(make_bot) -> None:
    bot = await make_bot(cogs=SAMPLE)
    member_help = (await bot.command("/help", as_="ana")).text
    assert "/sample echo" in member_help and "/sample secret" not in member_help
    assert "more for instructors" in member_help
    instructor_help = (await bot.command("/help", as_="ivy", role="instructor")).text
    assert "/sample secret" in instructor_help
    detail = (await bot.command("/help sample", as_="ana")).text
    assert "What to say" in detail


async def test_members_are_tracked_per_community(make_bot) -> None:
    bot = await make_bot(cogs=SAMPLE)
    await bot.message("fay", server="console")
    await bot.message("fay", server="other-server")
    with bot.session() as s:
        rows = s.exec(select(Member).where(Member.external_id == "fay")).all()
    assert len({r.community_id for r in rows}) == 2


async def test_member_changes_made_by_another_process_are_seen_after_the_cache_ttl(make_bot) -> None:
    bot = await make_bot(cogs=SAMPLE)
    await bot.message("gus")
    with bot.session() as s:  # another process opts gus out directly in the database
        row = s.exec(select(Member).where(Member.external_id == "gus")).one()
        row.opted_out = True
        s.add(row)
        s.commit()
    community = await bot.app.directory.community("console", "console")
    assert (await bot.app.directory.member(community, "gus")).opted_out is False  # still cached
    bot.app.directory.member_ttl = 0
    assert (await bot.app.directory.member(community, "gus")).opted_out is True


async def test_cogs_set_up_each_community_once_per_process(make_bot) -> None:
    yaml = "communities:\n  - id: listed\n    platform: console\n  - id: '*'\n"
    bot = await make_bot(cogs=SAMPLE, yaml=yaml)
    sample = bot.app.cogs["sample"]
    assert sample.communities == ["listed"]  # known from schedules.yaml at start
    await bot.message("ana", server="new-server")  # a server matched by "*", seen for the first time
    await bot.message("ben", server="new-server")
    assert sample.communities == ["listed", "new-server"]
    await bot.restart()
    assert sorted(bot.app.cogs["sample"].communities) == ["listed", "new-server"]  # from the database
