"""The weekly trend ring the at-risk rule reads: kept by the writer, filled by the migration,
and answering exactly what the daily counts by kind answer."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
import pytest
from sqlalchemy import select

from cogs.participation import risk
from cogs.participation.logic import signal_columns
from cogs.participation.models import TREND_WEEKS, ParticipationRing
from cogs.participation.rollups import ring_slots, week_number
from cogs.participation.trend import signal_map
from cogs.participation.writer import BatchStore, Item

from .helpers import start
from .test_reports import KINDS

TODAY = date(2026, 3, 4)  # a Wednesday: the windows start and end mid-ring
T = ParticipationRing.__table__.c


SIGNAL_OF = {"message": "messages", "reaction": "messages", "join": "joins"}  # joins: a signal here, to count it apart


def _ring(conn, community_id: int, signal_of=SIGNAL_OF) -> dict[tuple[int, str], dict[int, int]]:
    """(member, signal) -> {week: count} for the weeks each ring holds (its newest and the 7 before)."""
    slot = {j: signal_of[kind] for kind, j in ring_slots(signal_of).items()}
    out = {}
    for row in conn.execute(select(ParticipationRing.__table__).where(T.community_id == community_id)):
        weeks = range(row.week - TREND_WEEKS + 1, row.week + 1)
        for j, signal in slot.items():
            held = {w: getattr(row, f"s{j}w{w % TREND_WEEKS}") for w in weeks if getattr(row, f"s{j}w{w % TREND_WEEKS}")}
            if held:
                out[(row.member_id, signal)] = held
    return out


def _expected(items: list[Item]) -> dict[tuple[int, str], dict[int, int]]:
    """What each member's ring holds: the weeks within TREND_WEEKS of their newest (any signal)."""
    newest: dict[int, int] = {}
    for it in items:
        newest[it.member_id] = max(newest.get(it.member_id, 0), week_number(it.day))
    counts: dict[tuple[int, str], Counter] = {}
    for it in items:
        key, week = (it.member_id, SIGNAL_OF[it.kind]), week_number(it.day)
        if newest[it.member_id] - week < TREND_WEEKS:
            counts.setdefault(key, Counter())[week] += 1
    return {key: dict(c) for key, c in counts.items()}


async def _members(bot, n: int) -> tuple[int, list[int]]:
    community = await bot.app.directory.community("console", "console")
    return community.id, [(await bot.app.directory.member(community, f"u{i}")).id for i in range(n)]


def _item(cid: int, mid: int, kind: str, day: date) -> Item:
    return Item(cid, mid, kind, None, datetime.combine(day, time(12), timezone.utc), day, 1.0, kind != "join")


@pytest.mark.parametrize("seed", [1, 2, 5])
async def test_the_ring_holds_each_members_last_eight_weeks_whatever_the_batch_order(make_bot, seed: int) -> None:
    bot = await start(make_bot)
    cid, ids = await _members(bot, 12)
    rnd = random.Random(seed)
    items = [_item(cid, rnd.choice(ids), rnd.choice(["message", "reaction", "join"]),
                   TODAY - timedelta(days=rnd.randrange(100))) for _ in range(2000)]
    rnd.shuffle(items)  # late events, weeks skipped over, several weeks in one batch
    store = BatchStore(bot.db, SIGNAL_OF)
    step = rnd.choice([1, 37, 400])
    for i in range(0, len(items), step):
        await bot.db.call(store.write, items[i:i + step])
    with bot.db.engine.connect() as conn:
        got = _ring(conn, cid)
    # events older than a ring's window when they arrived are dropped; compare the weeks every
    # ring is sure to hold: those at most TREND_WEEKS - 1 before its newest week
    expected = _expected(items)
    assert set(got) == set(expected)
    for key, weeks in expected.items():
        assert got[key] == weeks, key


async def test_a_ring_moving_on_clears_the_weeks_it_skips(make_bot) -> None:
    bot = await start(make_bot)
    cid, (ana,) = await _members(bot, 1)
    store = BatchStore(bot.db, SIGNAL_OF)
    monday = TODAY - timedelta(days=TODAY.weekday())
    for weeks_ago in (12, 11, 3, 2, 0):  # then a late event from 5 weeks ago, and one from 10
        await bot.db.call(store.write, [_item(cid, ana, "message", monday - timedelta(weeks=weeks_ago))])
    await bot.db.call(store.write, [_item(cid, ana, "message", monday - timedelta(weeks=5))] * 2)
    await bot.db.call(store.write, [_item(cid, ana, "message", monday - timedelta(weeks=10))])
    with bot.db.engine.connect() as conn:
        ring = _ring(conn, cid)[(ana, "messages")]
    now = week_number(monday)
    assert ring == {now - 5: 2, now - 3: 1, now - 2: 1, now: 1}


@pytest.mark.parametrize("seed", [3, 4])
async def test_at_risk_from_the_ring_equals_at_risk_from_the_daily_counts(make_bot, seed: int) -> None:
    bot = await start(make_bot)
    cid, ids = await _members(bot, 40)
    rnd = random.Random(seed)
    items = []
    for mid in ids:
        fades = rnd.random() < 0.4
        for _ in range(rnd.randrange(5, 80)):
            day = TODAY - timedelta(days=rnd.randrange(50))
            if fades and day > TODAY - timedelta(days=12) and rnd.random() < 0.8:
                continue
            items.append(_item(cid, mid, rnd.choice(list(KINDS)), day))
    signals = signal_columns(KINDS)
    store = BatchStore(bot.db, signal_map(signals))
    for i in range(0, len(items), 500):
        await bot.db.call(store.write, items[i:i + 500])
    with bot.db.engine.connect() as conn:
        for term_start in (None, TODAY - timedelta(days=30)):
            ring = risk.find(conn, cid, TODAY, term_start, signals, ring=True)
            daily = risk.find(conn, cid, TODAY, term_start, signals, ring=False)
            assert ring == daily
            assert ring, "someone should be at risk, or this test proves little"
        # the bot's ring was written for the loaded cogs' signals, not these: the daily counts answer
        assert not risk.ring_answers(conn, cid, TODAY, signals)


async def test_the_ring_answers_for_the_loaded_signals_while_it_holds_the_weeks(make_bot) -> None:
    bot = await start(make_bot)
    stats = bot.app.get_cog("stats")
    signals = signal_columns(bot.app.activity_kinds)
    cid, (ana,) = await _members(bot, 1)
    await bot.db.call(stats.writer.store.write, [_item(cid, ana, "message", TODAY)])
    with bot.db.engine.connect() as conn:
        assert risk.ring_answers(conn, cid, TODAY, signals)
        assert risk.ring_answers(conn, cid, TODAY - timedelta(weeks=2), signals)
        # a report about a week the ring no longer holds falls back to the daily counts
        assert not risk.ring_answers(conn, cid, TODAY - timedelta(weeks=3), signals)


async def test_new_signals_rebuild_the_ring_from_the_counts_by_kind(make_bot) -> None:
    from cogs.participation.trend import ensure_ring

    bot = await start(make_bot)
    cid, (ana, bo) = await _members(bot, 2)
    monday = TODAY - timedelta(days=TODAY.weekday())
    items = [_item(cid, ana, "message", monday), _item(cid, ana, "reaction", monday - timedelta(days=1)),
             _item(cid, ana, "message", monday - timedelta(weeks=7)), _item(cid, bo, "join", monday),
             _item(cid, bo, "message", monday - timedelta(weeks=12))]
    await bot.db.call(BatchStore(bot.db).write, items)  # written without any signal: no ring rows
    # (12 weeks ago is older than any week the at-risk rule reads: not rebuilt)
    with bot.db.engine.connect() as conn:
        assert _ring(conn, cid) == {}
    assert await bot.db.run(ensure_ring, {"message": "messages", "reaction": "messages"})
    assert not await bot.db.run(ensure_ring, {"message": "messages", "reaction": "messages"})  # same: kept
    now = week_number(monday)
    with bot.db.engine.connect() as conn:
        assert _ring(conn, cid, {"message": "messages", "reaction": "messages"}) == \
            {(ana, "messages"): {now: 1, now - 1: 1, now - 7: 1}}


async def test_the_export_streams_in_chunks_and_says_the_same_as_at_once(make_bot, monkeypatch) -> None:
    from cogs.participation import export, reports

    bot = await start(make_bot)
    cid, ids = await _members(bot, 30)
    rnd = random.Random(9)
    items = [_item(cid, rnd.choice(ids[:-4]), rnd.choice(list(KINDS)), TODAY - timedelta(days=rnd.randrange(20)))
             for _ in range(600)]
    await bot.db.call(BatchStore(bot.db).write, items)
    since = TODAY - timedelta(days=13)
    with bot.db.engine.connect() as conn:
        whole = reports.export_rows(conn, cid, since, TODAY, ["message"])
        monkeypatch.setattr(export, "CHUNK", 4)  # several chunks, some without anyone active
        header, rows = reports.export_stream(conn, cid, since, TODAY, ["message"])
        assert (header, list(rows)) == whole
    names = [f"u{ids.index(mid)}" for mid in sorted({it.member_id for it in items if it.day >= since})]
    assert [r[0] for r in whole[1]] == names
    assert header[2] == "message" and set(header[3:-4]) == set(KINDS) - {"message"}


async def test_forget_takes_the_member_out_of_the_communitys_counts_per_day(make_bot) -> None:
    from sqlmodel import Session

    from cogs.participation import reports
    from cogs.participation.cog import delete_member_rows

    bot = await start(make_bot)
    cid, (ana, bo) = await _members(bot, 2)
    items = [_item(cid, who, kind, TODAY - timedelta(days=d)) for who in (ana, bo) for d in range(3)
             for kind in ("message", "reaction")] + [_item(cid, ana, "message", TODAY)]
    await bot.db.call(BatchStore(bot.db).write, items)

    def forget(session: Session) -> None:
        delete_member_rows(session, cid, ana)

    await bot.db.run(forget)
    with bot.db.engine.connect() as conn:
        series = reports.daily_series(conn, cid, TODAY - timedelta(days=2), TODAY)
    assert [(d.active, d.counts) for d in series] == [(1, {"message": 1, "reaction": 1})] * 3
