"""/mentor groups through the harness: group sizes (one smaller group; a single leftover joins a
group), topics and time zones kept together, no repeats of earlier study groups, avoid lists,
preview -> Confirm/Cancel with a private group and an intro each, bad input as one ephemeral
line, and forget covering the new tables. Plus the pure splitter against a brute force."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.testing.harness import Harness
from cogs.mentors.groups import form_groups, group_sizes
from cogs.mentors.models import StudyGroup, StudyGroupMember, StudyGroupSet
from cogs.mentors.scoring import Candidate, MatchRules
from cogs.mentors.studygroups import sizes_text

from .support import COGS, YAML, buttons, join

PEOPLE = ["ann", "ben", "cat", "dan", "eve", "fay", "gus", "hal", "ivo", "jon"]


async def start(make_bot, yaml: str = YAML) -> Harness:
    return await make_bot(yaml=yaml, cogs=COGS)


async def groups_preview(bot: Harness, line: str = "/mentor groups size:4") -> object:
    r = await bot.command(line, as_="ivy", role="instructor")
    assert not r.error, r.text
    return r


def study_intros(bot: Harness) -> list:
    return [p for p in bot.adapter.messages.values()
            if p.ref.channel_id.startswith("group-") and (p.content.title or "") == "Your study group 📚"]


def intro_groups(bot: Harness) -> list[frozenset[str]]:
    return [frozenset(bot.adapter.groups[p.ref.channel_id]) for p in study_intros(bot)]


@pytest.mark.parametrize(("count", "size", "sizes"), [
    (8, 4, [4, 4]), (10, 4, [4, 4, 2]), (9, 4, [5, 4]), (11, 4, [4, 4, 3]), (4, 4, [4]), (5, 4, [5]),
    (7, 2, [3, 2, 2]), (6, 2, [2, 2, 2]), (13, 6, [7, 6]), (14, 6, [6, 6, 2]), (3, 2, [3]),
])
def test_group_sizes(count: int, size: int, sizes: list[int]) -> None:
    assert group_sizes(count, size) == sizes


def test_sizes_are_explained() -> None:
    assert sizes_text(10, 4) == "10 people in groups of 4: 4 + 4 + 2 (the rest make one smaller group)"
    assert sizes_text(9, 4) == "9 people in groups of 4: 5 + 4 (the one left over joins a group — nobody studies alone)"
    assert sizes_text(8, 4) == "8 people in groups of 4: 4 + 4"


async def test_preview_then_confirm_opens_a_private_group_with_an_intro_each(make_bot) -> None:
    bot = await start(make_bot)
    for who in PEOPLE[:5]:
        await join(bot, who, topics="python, statistics")
    for who in PEOPLE[5:]:
        await join(bot, who, topics="sql, career", tz="America/New_York")
    r = await groups_preview(bot)
    assert r.ephemeral and r.reply.content.title == "Study groups #1 — 3 groups"
    assert "10 people in groups of 4: 4 + 4 + 2 (the rest make one smaller group)" in r.text
    assert set(buttons(r)) == {"Confirm", "Cancel"} and study_intros(bot) == []  # a preview posts nothing
    done = await bot.click(buttons(r)["Confirm"], as_="ivy", role="instructor")
    assert "Confirmed by ivy: 3 groups introduced." in done.text and buttons(done) == {}
    groups = intro_groups(bot)
    assert sorted(len(g) for g in groups) == [2, 4, 4]
    assert sorted(x for g in groups for x in g) == sorted(PEOPLE)  # everyone once
    berlin, new_york = set(PEOPLE[:5]), set(PEOPLE[5:])
    assert all(g <= berlin or g <= new_york for g in groups if len(g) == 4)  # topics and time zones together
    intro = next(p for p in study_intros(bot) if len(bot.adapter.groups[p.ref.channel_id]) == 4)
    assert "\nHi <@" in intro.text and "You're study group" in intro.text and "of 3." in intro.text
    assert "You share:" in intro.text and "Time-zone overlap: 8h" in intro.text and "A first question:" in intro.text
    again = await bot.click(buttons(r)["Confirm"], as_="ivy", role="instructor")
    assert again.error and "already confirmed" in again.text and len(study_intros(bot)) == 3
    ann_group = next(g for g in groups if "ann" in g)
    mine = next(f.value for f in (await bot.command("/mentor me", as_="ann")).reply.content.fields
                if f.name == "Study group")
    assert mine.startswith(", ".join(sorted(ann_group - {"ann"})) + " — since ")


async def test_a_topic_groups_only_members_who_list_it(make_bot) -> None:
    bot = await start(make_bot)
    for who in PEOPLE[:4]:
        await join(bot, who, topics="python")
    for who in PEOPLE[4:7]:
        await join(bot, who, topics="sql")
    r = await groups_preview(bot, "/mentor groups size:2 topic:Python")
    assert r.reply.content.title == "Study groups #1 — 2 groups · python"
    await bot.click(buttons(r)["Confirm"], as_="ivy", role="instructor")
    assert {x for g in intro_groups(bot) for x in g} == set(PEOPLE[:4])
    assert "for python." in study_intros(bot)[0].text


async def test_confirmed_groups_are_not_repeated(make_bot) -> None:
    bot = await start(make_bot)
    for who in PEOPLE[:9]:
        await join(bot, who, topics="python")
    first = await groups_preview(bot, "/mentor groups size:3")
    await bot.click(buttons(first)["Confirm"], as_="ivy", role="instructor")
    earlier = intro_groups(bot)
    assert sorted(len(g) for g in earlier) == [3, 3, 3]
    await bot.advance(timedelta(days=7))
    second = await groups_preview(bot, "/mentor groups size:3")
    assert "Repeats" not in second.text
    await bot.click(buttons(second)["Confirm"], as_="ivy", role="instructor")
    later = intro_groups(bot)[3:]
    assert len(later) == 3
    for group in later:  # nobody is with anyone from their earlier group
        assert all(len(group & old) <= 1 for old in earlier)


async def test_unavoidable_repeats_are_shown_in_the_preview(make_bot) -> None:
    bot = await start(make_bot)
    for who in PEOPLE[:4]:
        await join(bot, who, topics="python")
    first = await groups_preview(bot, "/mentor groups size:4")
    assert "Repeats" not in first.text
    await bot.click(buttons(first)["Confirm"], as_="ivy", role="instructor")
    again = await groups_preview(bot, "/mentor groups size:4")  # the same four: every pair again
    assert "Repeats: 6 pairs were in a study group together recently — no split of these sizes avoids it" in again.text
    await bot.advance(timedelta(weeks=9))  # past no_repeat_within: 8w
    assert "Repeats" not in (await groups_preview(bot, "/mentor groups size:4")).text


async def test_an_avoid_list_is_respected_and_cancel_posts_nothing(make_bot) -> None:
    bot = await start(make_bot)
    for who in PEOPLE[:4]:
        await join(bot, who, topics="python")
    await bot.command("/mentor avoid user:ben", as_="ann")
    r = await groups_preview(bot, "/mentor groups size:2")
    shown = [line for line in r.reply.content.text.splitlines() if "**ann**" in line]
    assert len(shown) == 1 and "**ben**" not in shown[0]
    cancelled = await bot.click(buttons(r)["Cancel"], as_="ivy", role="instructor")
    assert "Cancelled by ivy — nothing was posted." in cancelled.text and study_intros(bot) == []
    late = await bot.click(buttons(r)["Confirm"], as_="ivy", role="instructor")
    assert late.error and "cancelled or replaced by a newer preview — run /mentor groups again" in late.text
    with bot.session() as s:
        assert s.exec(select(StudyGroupSet)).one().status == "cancelled"


async def test_a_new_preview_replaces_the_old_and_leavers_drop_out_on_confirm(make_bot) -> None:
    bot = await start(make_bot)
    for who in PEOPLE[:5]:
        await join(bot, who, topics="python")
    old = await groups_preview(bot, "/mentor groups size:2")
    new = await groups_preview(bot, "/mentor groups size:2")
    stale = await bot.click(buttons(old)["Confirm"], as_="ivy", role="instructor")
    assert stale.error and "replaced by a newer preview" in stale.text
    await bot.command("/mentor leave", as_="ann")
    done = await bot.click(buttons(new)["Confirm"], as_="ivy", role="instructor")
    assert "1 left out: they left or paused mentoring since the preview." in done.text
    assert "ann" not in {x for g in intro_groups(bot) for x in g}
    await bot.restart()  # the state is in the database: the preview's buttons still answer
    after = await bot.click(buttons(new)["Cancel"], as_="ivy", role="instructor")
    assert after.error and "already confirmed" in after.text


async def test_bad_input_is_one_ephemeral_line(make_bot) -> None:
    bot = await start(make_bot)
    nobody = await bot.command("/mentor groups size:3", as_="ivy", role="instructor")
    assert nobody.error and len(nobody.replies) == 1 and "nobody has opted in to study groups" in nobody.text
    for who in PEOPLE[:3]:
        await join(bot, who, topics="python")
    cases = {
        "/mentor groups size:1": "size",
        "/mentor groups size:4": "size:4 is more than the 3 members who opted in — pick size:3 or less",
        "/mentor groups size:2 topic:rust": 'nobody who opted in lists the topic "rust"',
        "/mentor groups": "size",
        "/mentor groups size:two": "size",
    }
    for line, expected in cases.items():
        r = await bot.command(line, as_="ivy", role="instructor")
        assert r.error and len(r.replies) == 1 and r.reply.ephemeral and expected in r.text, (line, r.text)
        assert "Traceback" not in r.text
    member = await bot.command("/mentor groups size:2", as_="ann")
    assert member.error and "only instructors" in member.text
    with bot.session() as s:
        assert s.exec(select(StudyGroupSet)).all() == []


async def test_forget_covers_study_groups(make_bot) -> None:
    bot = await start(make_bot)
    for who in PEOPLE[:4]:
        await join(bot, who, topics="python")
    r = await groups_preview(bot, "/mentor groups size:2")
    await bot.click(buttons(r)["Confirm"], as_="ivy", role="instructor")
    ann = bot.member("ann").id
    removed = await bot.forget("ann")
    assert removed["mentor"] >= 2  # the profile and the group membership
    with bot.session() as s:
        assert all(m.member_id != ann for m in s.exec(select(StudyGroupMember)).all())
        assert len(s.exec(select(StudyGroup)).all()) == 2  # ann's partner keeps their group's history
    ivy = bot.member("ivy").id
    await bot.forget("ivy")  # the instructor who created and confirmed it
    with bot.session() as s:
        row = s.exec(select(StudyGroupSet)).one()
        assert (row.created_by, row.confirmed_by) != (ivy, ivy) and row.created_by is None


# --- the pure splitter ----------------------------------------------------------------------
def _best_by_brute_force(n: int, size: int, weight) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    """(fewest repeats, best score) over every split into group_sizes(n, size)."""
    sizes = group_sizes(n, size)
    best: tuple[int, float] | None = None

    def splits(rest: list[int], sizes: list[int]):  # type: ignore[no-untyped-def]
        if not sizes:
            yield []
            return
        first, others = rest[0], rest[1:]
        for mates in itertools.combinations(others, sizes[0] - 1):
            remaining = [x for x in others if x not in mates]
            for tail in splits(remaining, sizes[1:]):
                yield [(first, *mates), *tail]

    for order in set(itertools.permutations(sizes)):
        for split in splits(list(range(n)), list(order)):
            repeats = sum(weight[a][b][0] for g in split for a, b in itertools.combinations(g, 2))
            score = sum(weight[a][b][1] for g in split for a, b in itertools.combinations(g, 2))
            key = (repeats, -score)
            if best is None or key < (best[0], -best[1]):
                best = (repeats, score)
    assert best is not None
    return best


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.integers(4, 8).flatmap(lambda n: st.tuples(
    st.just(n), st.integers(2, n),
    st.lists(st.sampled_from(["python", "sql", "stats"]), min_size=n, max_size=n),
    st.lists(st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Tokyo"]), min_size=n, max_size=n),
    st.sets(st.tuples(st.integers(1, n), st.integers(1, n)).filter(lambda p: p[0] < p[1]), max_size=6))))
def test_splitter_finds_the_fewest_repeats_and_the_best_score(case) -> None:  # type: ignore[no-untyped-def]
    n, size, topics, zones, met = case
    members = [Candidate(i + 1, frozenset({topics[i]}), zones[i]) for i in range(n)]
    on = date(2026, 3, 2)
    rules = MatchRules(past_pairs={frozenset(p): on - timedelta(days=7) for p in met},
                       no_repeat_within=timedelta(weeks=8), on=on)
    from cogs.mentors.scoring import pair_score

    recent = rules.recent_pairs()  # a repeat adds nothing to the score (groups.py)
    weight = [[(1, 0.0) if frozenset((a.member_id, b.member_id)) in recent else (0, pair_score(a, b, rules))
               for b in members] for a in members]
    plan = form_groups(members, size, rules, seed=1)
    assert sorted(len(g.members) for g in plan.groups) == sorted(group_sizes(n, size)) and plan.unplaced == []
    assert sorted(m for g in plan.groups for m in g.members) == list(range(1, n + 1))
    best_repeats, best_score = _best_by_brute_force(n, size, weight)
    assert plan.repeats == best_repeats
    got = sum(weight[a - 1][b - 1][1] for g in plan.groups for a, b in itertools.combinations(g.members, 2))
    assert got == pytest.approx(best_score)


def _clash_free_split_exists(n: int, size: int, avoid: frozenset) -> bool:  # type: ignore[type-arg]
    weight = [[(int(frozenset((a, b)) in avoid), 0.0) for b in range(1, n + 1)] for a in range(1, n + 1)]
    return _best_by_brute_force(n, size, weight)[0] == 0


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.integers(5, 9).flatmap(lambda n: st.tuples(
    st.just(n), st.integers(2, 4), st.lists(st.sampled_from(["Europe/Berlin", "Asia/Tokyo"]), min_size=n, max_size=n),
    st.sets(st.tuples(st.integers(1, n), st.integers(1, n)).filter(lambda p: p[0] < p[1]), min_size=3, max_size=9))))
def test_nobody_is_left_out_of_study_groups_when_a_split_without_an_avoided_pair_exists(case) -> None:  # type: ignore[no-untyped-def]
    """Placement first, as in rounds: an avoid-list pair only costs someone their group when no split avoids it."""
    n, size, zones, pairs = case
    avoid = frozenset(frozenset(p) for p in pairs)
    if not _clash_free_split_exists(n, size, avoid):
        return
    members = [Candidate(i + 1, frozenset({"python"}), zones[i]) for i in range(n)]
    plan = form_groups(members, size, MatchRules(avoid=avoid, on=date(2026, 3, 2)), seed=1)
    assert plan.unplaced == [] and sorted(m for g in plan.groups for m in g.members) == list(range(1, n + 1))
    assert not any(frozenset(p) in avoid for g in plan.groups for p in itertools.combinations(g.members, 2))


@pytest.mark.parametrize("avoid", [
    [(1, 4), (1, 6), (2, 3), (3, 4), (3, 5), (4, 7), (6, 7)],  # the swaps alone got stuck with 4 left out
    [(1, 5), (1, 6), (1, 7), (2, 4), (2, 5), (3, 4), (3, 7)],  # ... and with 6 left out
])
def test_seven_in_fours_with_avoid_lists_that_one_swap_cannot_untangle(avoid: list[tuple[int, int]]) -> None:
    members = [Candidate(i, frozenset({"python"}), "Europe/Berlin") for i in range(1, 8)]
    rules = MatchRules(avoid=frozenset(frozenset(p) for p in avoid), on=date(2026, 3, 2))
    assert _clash_free_split_exists(7, 4, rules.avoid)
    plan = form_groups(members, 4, rules, seed=1)
    assert plan.unplaced == [] and sorted(len(g.members) for g in plan.groups) == [3, 4]


def test_large_sets_are_solved_in_blocks_with_the_same_sizes() -> None:
    zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo"]
    members = [Candidate(i, frozenset({("python", "sql", "stats")[i % 3]}), zones[i % 3]) for i in range(1, 651)]
    plan = form_groups(members, 4, MatchRules(on=date(2026, 3, 2)))
    assert sorted(len(g.members) for g in plan.groups) == sorted(group_sizes(650, 4)) and plan.unplaced == []
    assert sorted(m for g in plan.groups for m in g.members) == list(range(1, 651))
    mixed = [g for g in plan.groups if len({m % 3 for m in g.members}) > 1]
    assert len(mixed) <= 2  # same topic and zone together, but where a block boundary cuts a kind


def test_study_groups_in_the_console(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.core.test_console import run_console

    lines = []
    for who in ("ann", "ben", "cat", "dan", "eve"):
        lines += [f":as {who} member", '/mentor join role:peer topics:"python, sql"']
    lines += [":as ivy instructor", "/mentor groups size:9", "/mentor groups size:2", "click 1"]
    result = run_console(tmp_path, "\n".join(lines) + "\n", config="cogs: [cogs.mentors]\n")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "size:9 is more than the 5 members who opted in — pick size:5 or less" in out
    assert "5 people in groups of 2: 3 + 2 (the one left over joins a group — nobody studies alone)" in out
    assert "Confirmed by ivy: 2 groups introduced." in out and out.count("Your study group 📚") == 2
    assert "Traceback" not in out + result.stderr


async def test_a_big_preview_stays_readable(make_bot) -> None:
    bot = await start(make_bot)
    names = [f"member-with-a-rather-long-name-{n:03d}" for n in range(120)]
    for who in names:
        await join(bot, who, topics="python")
    r = await groups_preview(bot, "/mentor groups size:12")
    text = r.reply.content.text
    assert len(text) <= 4096 and "+2 more" in text and "120 people in groups of 12" in r.text
    r = await groups_preview(bot, "/mentor groups size:2")
    assert len(r.reply.content.text) <= 4096 and "… and 40 more groups" in r.reply.content.text
