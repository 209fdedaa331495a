"""Report queries against brute force over the same rows."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

import pytest

from bot.models import Member
from cogs.participation import reports
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
        items.append(Item(community.id, mid, kind, None, at, day, points))
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
