"""Rounds: preview -> Confirm/Cancel, intros in private groups, why-not notes, no repeats."""

from __future__ import annotations

from sqlmodel import select

from bot.testing.harness import Harness
from cogs.mentors import matching
from cogs.mentors.models import MentorAvoid, MentorMatch, MentorMatchMember, MentorProfile, MentorRound

from .support import COGS, YAML, buttons, groups_of, intros, join, preview, run_round


async def start(make_bot, yaml: str = YAML) -> Harness:
    return await make_bot(yaml=yaml, cogs=COGS)


async def test_preview_posts_nothing_until_an_instructor_confirms(make_bot) -> None:
    bot = await start(make_bot)
    await join(bot, "mia", role="mentor", topics="python, sql", extra="capacity:2")
    for who in ("ann", "ben", "cat"):
        await join(bot, who, role="mentee", topics="python")
    r = await preview(bot)
    assert r.ephemeral
    assert "2 groups" in r.text and r.text.count("**mia** (mentor) + ") == 2
    assert "Not matched (1)" in r.text and matching.MENTORS_FULL in r.text
    assert set(buttons(r)) == {"Confirm", "Cancel"}
    assert intros(bot) == [] and bot.adapter.groups == {}  # a preview posts nothing

    done = await bot.click(buttons(r)["Confirm"], as_="ivy", role="instructor")
    assert "Confirmed by ivy: 2 groups posted." in done.text
    assert buttons(done) == {}  # the preview loses its buttons
    posted = intros(bot)
    assert len(posted) == 2
    groups = groups_of(posted, bot)
    assert all("mia" in g and len(g) == 2 for g in groups)  # capacity 2 respected
    matched = {x for g in groups for x in g} - {"mia"}
    assert len(matched) == 2
    intro = posted[0].text
    assert "meet your mentor <@mia>" in intro and "You share: python" in intro
    assert "Time-zone overlap: 8h" in intro and "A first question:" in intro and "python" in intro.split("A first")[1]
    (left_out,) = {"ann", "ben", "cat"} - matched
    assert matching.MENTORS_FULL in bot.dms(left_out)[-1].text and "first in line" in bot.dms(left_out)[-1].text


async def test_members_cannot_preview_or_confirm(make_bot) -> None:
    bot = await start(make_bot)
    for who in ("ann", "ben"):
        await join(bot, who)
    r = await bot.command("/mentor match", as_="ann")
    assert r.error and "only instructors" in r.text
    r = await preview(bot)
    refused = await bot.click(buttons(r)["Confirm"], as_="ann", role="member")
    assert refused.error and "only instructors" in refused.text
    assert intros(bot) == []
    with bot.session() as s:
        assert s.exec(select(MentorRound)).one().status == "preview"


async def test_cancel_posts_nothing_and_a_round_is_confirmed_once(make_bot) -> None:
    bot = await start(make_bot)
    for who in ("ann", "ben"):
        await join(bot, who)
    r = await preview(bot)
    cancelled = await bot.click(buttons(r)["Cancel"], as_="ivy", role="instructor")
    assert "Cancelled by ivy" in cancelled.text
    again = await bot.click(buttons(r)["Confirm"], as_="ivy", role="instructor")
    assert again.error and "cancelled" in again.text
    assert intros(bot) == []

    r = await preview(bot)
    await bot.click(buttons(r)["Confirm"], as_="ivy", role="instructor")
    twice = await bot.click(buttons(r)["Confirm"], as_="tia", role="instructor")
    assert twice.error and "already confirmed" in twice.text
    assert len(intros(bot)) == 1


async def test_a_newer_preview_replaces_an_open_one(make_bot) -> None:
    bot = await start(make_bot)
    for who in ("ann", "ben"):
        await join(bot, who)
    old = await preview(bot)
    new = await preview(bot, as_="tia")
    stale = await bot.click(buttons(old)["Confirm"], as_="ivy", role="instructor")
    assert stale.error and "replaced by a newer preview" in stale.text
    assert not (await bot.click(buttons(new)["Confirm"], as_="ivy", role="instructor")).error
    assert len(intros(bot)) == 1


async def test_nobody_to_match_is_explained(make_bot) -> None:
    bot = await start(make_bot)
    r = await bot.command("/mentor match", as_="ivy", role="instructor")
    assert r.error and "nobody is available" in r.text


async def test_odd_peer_count_makes_one_group_of_three(make_bot) -> None:
    bot = await start(make_bot)
    for who in ("ann", "ben", "cat", "dan", "eve"):
        await join(bot, who)
    await run_round(bot)
    sizes = sorted(len(g) for g in groups_of(intros(bot), bot))
    assert sizes == [2, 3]
    assert {x for g in groups_of(intros(bot), bot) for x in g} == {"ann", "ben", "cat", "dan", "eve"}
    three = next(p for p in intros(bot) if len(bot.adapter.groups[p.ref.channel_id]) == 3)
    assert "peer group" in three.text


async def test_no_pair_repeats_across_rounds_and_the_last_one_explains_why(make_bot) -> None:
    bot = await start(make_bot)
    people = ("ann", "ben", "cat", "dan")
    for who in people:
        await join(bot, who)
    seen: set[frozenset[str]] = set()
    for _ in range(3):  # four people can be paired in exactly three different ways
        before = len(intros(bot))
        await run_round(bot)
        new = groups_of(intros(bot)[before:], bot)
        assert len(new) == 2 and not (set(new) & seen)
        seen |= set(new)
    assert len(seen) == 6
    r = await preview(bot)  # everyone has met everyone within no_repeat_within (8w)
    assert "0 groups" in r.text and r.text.count(matching.PEERS_ALL_RECENT) == 4


async def test_avoid_lists_are_never_matched(make_bot) -> None:
    bot = await start(make_bot)
    for who in ("ann", "ben"):
        await join(bot, who)
    await bot.command("/mentor avoid user:ben", as_="ann")
    r = await preview(bot)
    assert "0 groups" in r.text and r.text.count(matching.PEERS_BLOCKED) == 2
    await bot.click(buttons(r)["Confirm"], as_="ivy", role="instructor")
    assert intros(bot) == []
    assert "No mentoring match for you this round" in bot.dms("ann")[-1].text


async def test_unmatched_with_closed_dms_are_told_in_the_mentoring_channel(make_bot) -> None:
    bot = await start(make_bot)
    await join(bot, "ann", role="mentee", topics="rust")
    await join(bot, "mia", role="mentor", topics="python")
    bot.adapter.closed_dms.add("ann")
    await run_round(bot)
    note = bot.last("mentoring")
    assert note.text.startswith("<@ann>") and matching.MENTORS_NO_TOPIC in note.text


async def test_time_zone_overlap_decides_between_equal_mentors(make_bot) -> None:
    bot = await start(make_bot)
    await join(bot, "far", role="mentor", topics="python", tz="Pacific/Auckland")
    await join(bot, "near", role="mentor", topics="python", tz="Europe/Paris")
    await join(bot, "ann", role="mentee", topics="python", tz="Europe/Berlin")
    r = await preview(bot)
    assert "**near** (mentor) + **ann** (mentee)" in r.text and "8h overlap" in r.text
    assert "**far**" not in r.text  # the other mentor is simply not needed this round


async def test_left_and_paused_members_are_not_matched(make_bot) -> None:
    bot = await start(make_bot)
    for who in ("ann", "ben", "cat", "dan"):
        await join(bot, who)
    await bot.command("/mentor leave", as_="cat")
    await bot.command("/mentor pause until:2026-02-01", as_="dan")
    await run_round(bot)
    assert groups_of(intros(bot), bot) == [frozenset({"ann", "ben"})]


async def test_a_group_is_left_out_when_someone_leaves_after_the_preview(make_bot) -> None:
    bot = await start(make_bot)
    for who in ("ann", "ben", "cat", "dan"):
        await join(bot, who)
    r = await preview(bot)
    await bot.command("/mentor leave", as_="dan")
    done = await bot.click(buttons(r)["Confirm"], as_="ivy", role="instructor")
    assert "1 group posted" in done.text and "1 left out" in done.text
    assert all("dan" not in g for g in groups_of(intros(bot), bot))


async def test_pairs_overview_for_instructors(make_bot) -> None:
    bot = await start(make_bot)
    assert "No mentoring round has been confirmed" in (await bot.command("/mentor pairs", as_="ivy",
                                                                          role="instructor")).text
    for who in ("ann", "ben"):
        await join(bot, who)
    await run_round(bot)
    assert (await bot.command("/mentor pairs", as_="ann")).error
    r = await bot.command("/mentor pairs", as_="ivy", role="instructor")
    assert "ann + ben — no answer" in r.text or "ben + ann — no answer" in r.text
    assert "1 no answer" in r.text
    me = await bot.command("/mentor me", as_="ann")
    assert "Current match: ben — no answer" in me.text


async def test_forgetting_a_member_removes_their_mentoring_data(make_bot) -> None:
    bot = await start(make_bot)
    for who in ("ann", "ben", "cat"):
        await join(bot, who)
    await bot.command("/mentor avoid user:cat", as_="ben")
    await bot.command("/mentor avoid user:ann", as_="cat")
    await run_round(bot)  # the only possible group: ann + ben
    assert groups_of(intros(bot), bot) == [frozenset({"ann", "ben"})]
    ann, ben, cat = bot.member("ann"), bot.member("ben"), bot.member("cat")
    assert ann is not None and ann.id is not None and ben is not None and cat is not None
    removed = (await bot.forget("ann"))["mentor"]
    assert removed >= 4  # profile, cat's avoid entry about ann, her membership, the pair left with one person
    with bot.session() as s:
        assert s.exec(select(MentorProfile).where(MentorProfile.member_id == ann.id)).all() == []
        assert [(a.member_id, a.avoided_member_id) for a in s.exec(select(MentorAvoid)).all()] == [
            (ben.id, cat.id)]
        assert s.exec(select(MentorMatchMember)).all() == []
        assert s.exec(select(MentorMatch)).all() == []  # no group is left with one person
    r = await bot.command("/mentor pairs", as_="ivy", role="instructor")
    assert "ann" not in r.text


async def test_someone_who_leaves_the_server_is_not_matched(make_bot) -> None:
    bot = await start(make_bot)
    for who in ("ann", "ben", "cat"):
        await join(bot, who)
    await bot.join("cat", left=True)
    await run_round(bot)
    assert groups_of(intros(bot), bot) == [frozenset({"ann", "ben"})]


async def test_a_big_round_preview_stays_short(make_bot) -> None:
    bot = await start(make_bot)
    for i in range(60):
        await join(bot, f"p{i:02d}", topics="python" if i % 2 else "sql")
    r = await preview(bot)
    assert "30 groups" in r.text and "… and 10 more groups" in r.text
    assert len(r.reply.content.text) < 4096


async def test_buttons_and_check_ins_survive_a_restart(make_bot) -> None:
    from datetime import timedelta

    from .support import check_ins

    bot = await start(make_bot)
    for who in ("ann", "ben"):
        await join(bot, who)
    r = await preview(bot)
    await bot.restart()
    done = await bot.click(buttons(r)["Confirm"], as_="ivy", role="instructor")
    assert "Confirmed by ivy: 1 group posted." in done.text
    groups = dict(bot.adapter.groups)
    await bot.restart()
    # the platform keeps its private groups (Harness.restart only carries messages over)
    bot.adapter.groups.update(groups)
    for channel in groups:
        bot.adapter.add_channel("console", channel)
    await bot.advance(timedelta(days=5))
    assert len(check_ins(bot)) == 1
