"""Check-ins after a round: buttons in each group's space, meetings published once, auto-pause."""

from __future__ import annotations

from datetime import timedelta

from bot.testing.harness import Harness

from .support import COGS, YAML, check_ins, community_yaml, intros, join, profile, run_round


async def start(make_bot, yaml: str = YAML) -> Harness:
    return await make_bot(yaml=yaml, cogs=COGS)


async def pair_round(bot: Harness) -> tuple[str, str]:
    for who in ("ann", "ben"):
        await join(bot, who)
    await run_round(bot)
    return "ann", "ben"


async def test_check_in_is_posted_in_the_group_after_the_configured_days(make_bot) -> None:
    bot = await start(make_bot)  # check_in_after: 5d
    await pair_round(bot)
    await bot.advance(timedelta(days=4, hours=23))
    assert check_ins(bot) == []
    await bot.advance(timedelta(hours=1))
    (check_in,) = check_ins(bot)
    assert check_in.ref.channel_id == intros(bot)[0].ref.channel_id  # inside the group's private space
    assert [b.label for b in check_in.buttons] == ["We met", "Not yet", "Not going to happen"]
    assert "<@ann>" in check_in.text and "<@ben>" in check_in.text
    await bot.advance(timedelta(days=3))
    assert len(check_ins(bot)) == 1  # asked once


async def test_we_met_publishes_the_meeting_once(make_bot) -> None:
    bot = await start(make_bot)
    await pair_round(bot)
    await bot.advance(timedelta(days=5))
    (check_in,) = check_ins(bot)
    r = await bot.click(check_in, "We met", as_="ann")
    assert not r.error and "glad you met" in r.text
    assert "ann: We met" in bot.adapter.messages[check_in.ref.message_id].text  # the check-in shows answers
    await bot.click(check_in, "We met", as_="ben")
    await bot.click(check_in, "Not yet", as_="ben")  # changing your mind does not undo a meeting
    events = bot.app.get_cog("recorder").of_kind("mentor_meeting")  # type: ignore[union-attr]
    ann, ben = bot.member("ann"), bot.member("ben")
    assert sorted(e.member_id for e in events) == sorted([ann.id, ben.id])  # type: ignore[union-attr]
    assert len({e.subject for e in events}) == 1 and events[0].subject.startswith("match:")
    r = await bot.command("/mentor pairs", as_="ivy", role="instructor")
    assert "met ✅" in r.text and "1 met ✅" in r.text


async def test_only_the_group_may_answer_its_check_in(make_bot) -> None:
    bot = await start(make_bot)
    await pair_round(bot)
    await join(bot, "eve")
    await bot.advance(timedelta(days=5))
    (check_in,) = check_ins(bot)
    r = await bot.click(check_in, "We met", as_="eve")
    assert r.error and "only the people in this match" in r.text
    assert bot.app.get_cog("recorder").of_kind("mentor_meeting") == []  # type: ignore[union-attr]
    stale = await bot.click("mentor:checkin:999:met", as_="ann")
    assert stale.error and "no longer exists" in stale.text
    forged = await bot.click(f"{check_in.buttons[0].action_id[:-3]}maybe", as_="ann")
    assert forged.error


async def test_not_yet_and_wont_happen_are_recorded(make_bot) -> None:
    bot = await start(make_bot)
    await pair_round(bot)
    await bot.advance(timedelta(days=5))
    (check_in,) = check_ins(bot)
    await bot.click(check_in, "Not going to happen", as_="ben")
    r = await bot.command("/mentor pairs", as_="ivy", role="instructor")
    assert "not going to happen" in r.text and "ben: Not going to happen" in r.text
    assert bot.app.get_cog("recorder").of_kind("mentor_meeting") == []  # type: ignore[union-attr]


async def test_check_ins_are_posted_once_even_if_two_processes_try(make_bot) -> None:
    bot = await start(make_bot)
    await pair_round(bot)
    bot.clock.advance(timedelta(days=6))  # due, but no job has run yet
    rounds = bot.app.get_cog("mentor").rounds  # type: ignore[union-attr]
    assert await rounds.post_check_ins() == 1
    assert await rounds.post_check_ins() == 0
    assert len(check_ins(bot)) == 1


async def test_three_ignored_check_ins_in_a_row_pause_a_member(make_bot) -> None:
    yaml = community_yaml("{check_in_after: 1d, answer_within: 1d, no_repeat_within: 8w}")
    bot = await start(make_bot, yaml)
    for who in ("ann", "ben", "cat", "dan"):
        await join(bot, who)
    for _ in range(3):
        before = len(check_ins(bot))
        await run_round(bot)
        await bot.advance(timedelta(days=1))  # check-ins posted
        for check_in in check_ins(bot)[before:]:
            if "<@ann>" in check_in.text:
                await bot.click(check_in, "Not yet", as_="ann")  # ann answers, the others never do
        await bot.advance(timedelta(days=1))  # answers close
    assert profile(bot, "ann").active is True  # type: ignore[union-attr]
    for who in ("ben", "cat", "dan"):
        assert profile(bot, who).active is False  # type: ignore[union-attr]
        assert "/mentor join" in bot.dms(who)[-1].text and "paused" in bot.dms(who)[-1].text
    assert "paused after unanswered check-ins" in (await bot.command("/mentor me", as_="ben")).text
    await join(bot, "ben")  # rejoining brings them back
    assert profile(bot, "ben").active is True and profile(bot, "ben").ignored_rounds == 0  # type: ignore[union-attr]


async def test_answering_resets_the_ignored_count(make_bot) -> None:
    yaml = community_yaml("{check_in_after: 1d, answer_within: 1d}")
    bot = await start(make_bot, yaml)
    for who in ("ann", "ben", "cat", "dan"):
        await join(bot, who)
    for answer_in_round in (False, False, True):
        before = len(check_ins(bot))
        await run_round(bot)
        await bot.advance(timedelta(days=1))
        if answer_in_round:
            for check_in in check_ins(bot)[before:]:
                if "<@ben>" in check_in.text:
                    await bot.click(check_in, "Not yet", as_="ben")
        await bot.advance(timedelta(days=1))
    assert profile(bot, "ben").active is True and profile(bot, "ben").ignored_rounds == 0  # type: ignore[union-attr]
    paused = {who for who in ("ann", "cat", "dan") if not profile(bot, who).active}  # type: ignore[union-attr]
    assert paused == {"ann", "cat", "dan"}  # "Not yet" from ben does not answer for his partner
