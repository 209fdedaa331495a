"""Report queries against brute force over the same rows."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlmodel import select

from bot import ActivityKind
from bot.models import Member
from cogs.participation import reports
from cogs.participation.logic import MemberSignals, at_risk_windows, is_at_risk, signal_columns
from cogs.participation.writer import BatchStore, Item

from .helpers import start

TODAY = date(2026, 3, 1)


async def _fill(bot, seed: int) -> tuple[dict, set[int]]:
    """Random events for 60 members over 40 days (skewed, with ties); some members hidden."""
    rnd = random.Random(seed)
    community = await bot.app.directory.community("console", "console")
    ids = [(await bot.app.directory.member(community, f"u{i}")).id for i in range(60)]
    hidden = set(rnd.sample(ids, 6))

    def hide(session) -> None:
        for i, mid in enumerate(sorted(hidden)):
            row = session.get(Member, mid)
            row.opted_out, row.is_bot = i % 2 == 0, i % 2 == 1
            session.add(row)

    await bot.db.run(hide)
    items = []
    for _ in range(3000):
        mid = ids[min(int(len(ids) * rnd.random() ** 2), len(ids) - 1)]
        day = TODAY - timedelta(days=rnd.randrange(40))
        kind, points = rnd.choice([("message", 1.0), ("reaction", 0.5), ("prompt_response", 5.0), ("join", 0.0)])
        at = datetime.combine(day, time(12), timezone.utc)
        items.append(Item(community.id, mid, kind, None, at, day, points, kind != "join"))
    store = BatchStore(bot.db)
    for i in range(0, len(items), 700):  # several batches: the upserts accumulate
        await bot.db.call(store.write, items[i:i + 700])
    return {"community": community.id, "items": items}, hidden


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_leaderboard_equals_brute_force(make_bot, seed: int) -> None:
    bot = await start(make_bot)
    data, hidden = await _fill(bot, seed)
    for days in (1, 7, 30):
        since = TODAY - timedelta(days=days - 1)
        totals: dict[int, float] = defaultdict(float)
        for it in data["items"]:
            if since <= it.day <= TODAY:
                totals[it.member_id] += it.points
        expected = sorted(((m, p) for m, p in totals.items() if m not in hidden and p > 0),
                          key=lambda r: (-r[1], r[0]))[:10]
        with bot.db.engine.connect() as conn:
            got = reports.leaderboard(conn, data["community"], since, TODAY, 10)
        assert [(r.member_id, r.points) for r in got] == expected, days
    with bot.db.engine.connect() as conn:
        everyone = reports.leaderboard(conn, data["community"], None, TODAY, 100)
    all_time: dict[int, float] = defaultdict(float)
    for it in data["items"]:
        all_time[it.member_id] += it.points
    assert [(r.member_id, r.points) for r in everyone] == sorted(
        ((m, p) for m, p in all_time.items() if m not in hidden and p > 0), key=lambda r: (-r[1], r[0]))


async def test_rank_ignores_hidden_members(make_bot) -> None:
    bot = await start(make_bot)
    data, hidden = await _fill(bot, 4)
    all_time: dict[int, float] = defaultdict(float)
    for it in data["items"]:
        all_time[it.member_id] += it.points
    visible = sorted((p, m) for m, p in all_time.items() if m not in hidden)
    with bot.db.engine.connect() as conn:
        for points, member in visible[::7]:
            expected = 1 + sum(1 for p, _ in visible if p > points)
            assert reports.rank_of(conn, data["community"], member) == expected


KINDS = {"message": ActivityKind("message", 1, "messages", signal="messages", cooldown=True),
         "reaction": ActivityKind("reaction", 0.5, "reactions", signal="messages"),
         "join": ActivityKind("join", 0, "joins", signal=None, active=False),
         "kudos": ActivityKind("kudos", 4, "kudos received"),  # kinds a new cog might declare
         "queue_visit": ActivityKind("queue_visit", 3, "office-hours visits", signal="visits")}


async def _fill_kinds(bot, seed: int) -> tuple[int, list[Item]]:
    rnd = random.Random(seed)
    community = await bot.app.directory.community("console", "console")
    ids = [(await bot.app.directory.member(community, f"u{i}")).id for i in range(25)]
    items = []
    for _ in range(2500):
        mid = ids[min(int(len(ids) * rnd.random() ** 1.5), len(ids) - 1)]
        day = TODAY - timedelta(days=min(int(rnd.random() ** 0.7 * 45), 44))  # more activity long ago
        kind = rnd.choice(list(KINDS))
        at = datetime.combine(day, time(12), timezone.utc)
        items.append(Item(community.id, mid, kind, None, at, day, KINDS[kind].points, KINDS[kind].active))
    store = BatchStore(bot.db)
    for i in range(0, len(items), 600):
        await bot.db.call(store.write, items[i:i + 600])
    return community.id, items


@pytest.mark.parametrize("seed", [5, 6])
async def test_reports_by_kind_equal_brute_force_for_any_kind(make_bot, seed: int) -> None:
    bot = await start(make_bot)
    cid, items = await _fill_kinds(bot, seed)
    since = TODAY - timedelta(days=20)
    with bot.db.engine.connect() as conn:
        header, rows = reports.export_rows(conn, cid, since, TODAY, ["message", "reaction", "join", "kudos"])
        series = reports.daily_series(conn, cid, since, TODAY)
        some = items[0].member_id
        me = reports.member_stats(conn, cid, some, TODAY)
        risky = reports.at_risk(conn, cid, TODAY, None, signal_columns(KINDS))
        names = dict(conn.execute(select(Member.__table__.c.id, Member.__table__.c.external_id)).all())
    # export: declared kinds in order, then the ones found in the data
    assert header[2:7] == ["message", "reaction", "join", "kudos", "queue_visit"]
    expected: dict[str, Counter] = defaultdict(Counter)
    for it in items:
        if since <= it.day <= TODAY:
            expected[names[it.member_id]][it.kind] += 1
    assert {r[0]: dict(zip(header[2:7], r[2:7])) for r in rows} == {
        m: {k: c.get(k, 0) for k in header[2:7]} for m, c in expected.items()}
    # the chart's series
    for day in series:
        todays = [it for it in items if it.day == day.day]
        assert day.counts == dict(Counter(it.kind for it in todays))
        assert day.active == len({it.member_id for it in todays if it.active})
    # one member's week
    monday = TODAY - timedelta(days=TODAY.weekday())
    week = Counter(it.kind for it in items if it.member_id == some and it.day >= monday)
    assert {k: v for k, v in me.this_week.items() if k not in ("events", "points") and v} == dict(week)
    # at risk: the same rule over counts summed per signal straight from the items
    earlier_start, recent_start, end = at_risk_windows(TODAY, None)
    signals = signal_columns(KINDS)
    signal_of = {k: s for s, ks in signals.items() for k in ks}
    people: dict[int, MemberSignals] = {}
    for it in items:
        if it.kind in signal_of and earlier_start <= it.day < end:
            person = people.setdefault(it.member_id, MemberSignals(it.member_id))
            window = person.recent if it.day >= recent_start else person.earlier
            window[signal_of[it.kind]] = window.get(signal_of[it.kind], 0) + 1
    weeks = ((recent_start - earlier_start).days / 7, (end - recent_start).days / 7)
    assert sorted(r.member_id for r in risky) == sorted(m for m, p in people.items() if is_at_risk(p, *weeks))
    assert risky, "the data should put someone at risk, or this test proves little"
