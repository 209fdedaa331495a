"""Differential: the at-risk answers read from the trend ring (participation_ring, one row per
member) equal the answers recomputed from the daily counts by kind, on generated data — after
late and shuffled batches, a change of the signals (the ring rebuilt), erasing members, and a
rebuild racing the writer."""

from __future__ import annotations

import asyncio
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session

from bot import Member
from cogs.participation import risk, trend
from cogs.participation.erase import delete_member_rows
from cogs.participation.models import RING_SIGNALS
from cogs.participation.rollups import Item
from cogs.participation.trend import ensure_ring, signal_map
from cogs.participation.writer import BatchStore

from .helpers import PARTICIPATION_COGS, YAML, start
from .test_trend import TODAY, _item, _members

KINDS = ["message", "reaction", "thread_reply", "poll_vote", "mentor_meeting", "join"]
SIGNALS_A = {"messages": ("message", "thread_reply"), "reactions": ("reaction",), "votes": ("poll_vote",)}
# moved, dropped and added: reactions count as messages, votes go, meetings and joins come in
SIGNALS_B = {"meetings": ("mentor_meeting",), "messages": ("message", "thread_reply", "reaction"),
             "joins": ("join",)}


def generated(cid: int, ids: list[int], rnd: random.Random) -> list[Item]:
    """Busy earlier weeks, then some members fade (per signal, by random factors around the rule's
    50%); small counts put many exactly on a boundary. Shuffled: late events, weeks skipped."""
    items = []
    for mid in ids:
        fade = {kind: rnd.choice([0.0, 0.25, 0.5, 0.5, 1.0, 2.0]) for kind in KINDS}
        for kind in rnd.sample(KINDS, rnd.randrange(1, 4)):
            per_week = rnd.randrange(0, 4)
            for weeks_ago in range(10):
                n = per_week if weeks_ago >= 2 else round(per_week * fade[kind])
                for _ in range(n):
                    items.append(_item(cid, mid, kind, TODAY - timedelta(days=7 * weeks_ago + rnd.randrange(7))))
    items = [i for i in items if i.day <= TODAY]
    rnd.shuffle(items)
    return items


def answers(conn, cid: int, signals, days=range(0, 70, 9)) -> list[tuple[date, date | None, bool]]:
    """Compare, for several todays (up to 10 weeks on: the ring empties as it should) and terms."""
    checked = []
    for later in days:
        today = TODAY + timedelta(days=later)
        assert risk.ring_answers(conn, cid, today, signals)
        for term_start in (None, TODAY - timedelta(days=31), TODAY - timedelta(days=17)):
            ring = risk.find(conn, cid, today, term_start, signals, ring=True)
            daily = risk.find(conn, cid, today, term_start, signals, ring=False)
            assert ring == daily, (today, term_start)
            checked.append((today, term_start, bool(ring)))
    return checked


async def write(db, store: BatchStore, items: list[Item], rnd: random.Random) -> None:
    i = 0
    while i < len(items):
        step = rnd.choice([1, 7, 60, 300])
        await db.call(store.write, items[i:i + step])
        i += step


@pytest.mark.parametrize("seed", [11, 12])
async def test_ring_and_daily_counts_agree_through_new_signals_and_erasure(make_bot, seed: int) -> None:
    await agree_through_changes(await start(make_bot), seed)


@pytest.mark.postgres
async def test_ring_and_daily_counts_agree_on_postgresql(make_bot, pg_url: str) -> None:
    await agree_through_changes(await make_bot(yaml=YAML, cogs=PARTICIPATION_COGS, db_url=pg_url), 13)


async def agree_through_changes(bot, seed: int) -> None:
    cid, ids = await _members(bot, 60)
    rnd = random.Random(seed)
    with bot.db.engine.begin() as conn:  # hidden members are left out by both
        conn.execute(update(Member.__table__).where(Member.__table__.c.id.in_(ids[:3])).values(opted_out=True))
    await bot.db.run(ensure_ring, signal_map(SIGNALS_A))
    await write(bot.db, BatchStore(bot.db, signal_map(SIGNALS_A)), generated(cid, ids, rnd), rnd)
    with bot.db.engine.connect() as conn:
        checked = answers(conn, cid, SIGNALS_A)
    assert any(found for _, _, found in checked), "someone should be at risk, or this test proves little"

    assert await bot.db.run(ensure_ring, signal_map(SIGNALS_B))  # rebuilt from the counts by kind
    await write(bot.db, BatchStore(bot.db, signal_map(SIGNALS_B)), generated(cid, ids[::2], rnd), rnd)
    with bot.db.engine.connect() as conn:
        assert not risk.ring_answers(conn, cid, TODAY, SIGNALS_A)  # written for B now
        assert any(found for _, _, found in answers(conn, cid, SIGNALS_B))
        before = risk.find(conn, cid, TODAY, None, SIGNALS_B, ring=True)

    erased = [a.member_id for a in before[:3]] + rnd.sample(ids, 5)

    def forget(session: Session) -> None:
        for mid in erased:
            delete_member_rows(session, cid, mid)

    await bot.db.run(forget)
    with bot.db.engine.connect() as conn:
        answers(conn, cid, SIGNALS_B)
        after = risk.find(conn, cid, TODAY, None, SIGNALS_B, ring=True)
    assert {a.member_id for a in after} == {a.member_id for a in before} - set(erased)


async def test_a_rebuild_racing_the_writer_answers_as_the_daily_counts(make_bot) -> None:
    bot = await start(make_bot)
    cid, ids = await _members(bot, 40)
    rnd = random.Random(5)
    items = generated(cid, ids, rnd)
    half = len(items) // 2
    await write(bot.db, BatchStore(bot.db), items[:half], rnd)  # no ring for these signals yet
    signal_of = signal_map(SIGNALS_B)

    async def writer() -> None:  # already on the new signals while the ring is rebuilt
        store = BatchStore(bot.db, signal_of)
        for i in range(half, len(items), 25):
            await bot.db.call(store.write, items[i:i + 25])
            await asyncio.sleep(0)

    rebuilt, _ = await asyncio.gather(trend.keep_ring(bot.db, signal_of, "racer", chunk=3, poll=0.01, share=0.0),
                                      writer())
    assert rebuilt
    with bot.db.engine.connect() as conn:
        assert any(found for _, _, found in answers(conn, cid, SIGNALS_B))


async def test_more_signals_than_the_ring_holds_read_the_daily_counts(make_bot) -> None:
    bot = await start(make_bot)
    cid, ids = await _members(bot, 20)
    rnd = random.Random(3)
    many = {f"signal {k}": (k,) for k in KINDS} | {f"extra {n}": (f"extra_{n}",) for n in range(RING_SIGNALS)}  # > RING_SIGNALS
    await bot.db.run(ensure_ring, signal_map(SIGNALS_A))
    assert await bot.db.run(ensure_ring, signal_map(many)) is False
    await write(bot.db, BatchStore(bot.db, signal_map(many)), generated(cid, ids, rnd), rnd)
    with bot.db.engine.connect() as conn:
        assert not risk.ring_answers(conn, cid, TODAY, many)  # the mapping was removed
        assert not risk.ring_answers(conn, cid, TODAY, SIGNALS_A)  # and A's ring is no longer kept
        assert risk.at_risk(conn, cid, TODAY, None, many) == risk.find(conn, cid, TODAY, None, many, ring=False)
