"""The trend ring's rebuild (new signals, the first start after participation_0004) runs in the
background: the bot answers meanwhile (at-risk from the daily counts), the writer keeps
writing, and two processes rebuilding at once still count every event once."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, insert

from bot import BotState
from bot.storage import Database
from cogs.participation import cog as cog_module, risk, trend
from cogs.participation.logic import signal_columns
from cogs.participation.models import ParticipationRing
from cogs.participation.writer import BatchStore

from .helpers import YAML, PARTICIPATION_COGS, publish, start, stats
from .test_trend import SIGNAL_OF, TODAY, _expected, _item, _members, _ring


def _forget_the_ring(db: Database) -> None:
    """The database as the first start after participation_0004 finds it: counts, no ring."""
    with db.engine.begin() as conn:
        conn.execute(delete(ParticipationRing.__table__))
        conn.execute(delete(BotState.__table__).where(BotState.__table__.c.key == trend.STATE_KEY))


async def test_start_up_does_not_wait_for_the_ring_and_at_risk_answers_meanwhile(make_bot, monkeypatch) -> None:
    bot = await start(make_bot)  # term started 2025-12-01
    for _ in range(28):  # four busy weeks, then ben fades and cy goes silent
        for who in ("ana", "ben", "cy"):
            await bot.message(who)
            await publish(bot, "prompt_response", who)
        bot.clock.advance(timedelta(days=1))
    for day in range(14):
        await bot.message("ana")
        await publish(bot, "prompt_response", "ana")
        if day % 4 == 0:
            await bot.message("ben")
        bot.clock.advance(timedelta(days=1))
    await stats(bot).flush()
    _forget_the_ring(bot.db)
    gate = asyncio.Event()
    real = cog_module.keep_ring

    async def held(*args, **kwargs):  # the rebuild of a big database: still going after start-up
        await gate.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(cog_module, "keep_ring", held)
    await bot.restart()  # returns while the rebuild waits
    cog = stats(bot)
    assert cog.ring_task is not None and not cog.ring_task.done()
    during = await bot.command("/stats inactive days:10", as_="tess", role="instructor")
    risky = during.text.partition("At risk")[2]
    assert "ben" in risky and "cy" in risky
    await bot.message("ana")  # the writer writes meanwhile
    assert await cog.flush() == 1
    gate.set()
    assert await asyncio.wait_for(cog.ring_task, 30) is True
    signals = signal_columns(bot.app.activity_kinds)
    with bot.db.engine.connect() as conn:
        assert risk.ring_answers(conn, bot.member("ana").community_id, bot.clock.now().date(), signals)
    after = await bot.command("/stats inactive days:10", as_="tess", role="instructor")
    assert after.text == during.text


async def two_processes_rebuild_while_writing(make_bot, db_url: str | None) -> None:
    bot = await make_bot(yaml=YAML, cogs=PARTICIPATION_COGS, db_url=db_url)
    cid, ids = await _members(bot, 30)
    rnd = random.Random(7)

    def items(n: int) -> list:
        return [_item(cid, rnd.choice(ids), rnd.choice(["message", "reaction", "join"]),
                      TODAY - timedelta(days=rnd.randrange(50))) for _ in range(n)]

    before = items(1500)
    await bot.db.call(BatchStore(bot.db).write, before)  # counts by kind, no ring for SIGNAL_OF yet
    replicas = [Database(bot.db_url), Database(bot.db_url)]
    during = items(1200)

    async def writer(db: Database) -> None:  # both processes' writers, already on the new signals
        store = BatchStore(db, SIGNAL_OF)
        for i in range(0, len(during), 40):
            await db.call(store.write, during[i:i + 40])
            await asyncio.sleep(0)

    try:
        results = await asyncio.gather(
            trend.keep_ring(replicas[0], SIGNAL_OF, "process a", chunk=3, poll=0.01),
            trend.keep_ring(replicas[1], SIGNAL_OF, "process b", chunk=3, poll=0.01),
            writer(replicas[0]))
    finally:
        for db in replicas:
            db.dispose()
    assert sorted(results[:2]) == [False, True]  # one rebuilt, the other waited for it
    with bot.db.engine.connect() as conn:
        got = _ring(conn, cid)
        assert trend.ring_signals(conn) == trend.fingerprint(SIGNAL_OF)
        assert conn.execute(BotState.__table__.select().where(BotState.__table__.c.key == trend.CLAIM_KEY)).first() \
            is None
    expected = _expected(before + during)
    assert set(got) == set(expected)
    for key, weeks in expected.items():
        assert got[key] == weeks, key


async def test_two_processes_rebuilding_at_once_count_every_event_once_sqlite(make_bot) -> None:
    await two_processes_rebuild_while_writing(make_bot, None)


@pytest.mark.postgres
async def test_two_processes_rebuilding_at_once_count_every_event_once_postgres(make_bot, pg_url) -> None:
    await two_processes_rebuild_while_writing(make_bot, pg_url)


async def test_a_claim_abandoned_by_a_dead_process_is_taken_over(make_bot) -> None:
    bot = await start(make_bot)
    cid, (ana,) = await _members(bot, 1)
    await bot.db.call(BatchStore(bot.db).write, [_item(cid, ana, "message", TODAY)])
    now = datetime.now(timezone.utc)

    def claimed_by(owner: str, at: datetime) -> None:
        with bot.db.engine.begin() as conn:
            conn.execute(delete(BotState.__table__).where(BotState.__table__.c.key == trend.CLAIM_KEY))
            conn.execute(insert(BotState.__table__), {"key": trend.CLAIM_KEY, "updated_at": at, "value": json.dumps(
                {"owner": owner, "signals": trend.fingerprint(SIGNAL_OF)})})

    claimed_by("a live process", now)
    assert await bot.db.run(trend.claim, SIGNAL_OF, "me") == "busy"
    claimed_by("a dead process", now - trend.STALE - timedelta(seconds=1))
    assert await trend.keep_ring(bot.db, SIGNAL_OF, "me", poll=0.01) is True
    with bot.db.engine.connect() as conn:
        assert _ring(conn, cid) == _expected([_item(cid, ana, "message", TODAY)])


def _claim_row(db: Database):
    with db.engine.connect() as conn:
        return conn.execute(BotState.__table__.select().where(BotState.__table__.c.key == trend.CLAIM_KEY)).first()


async def claims_decide_on_what_is_committed(make_bot, db_url: str | None, monkeypatch) -> None:
    bot = await make_bot(yaml=YAML, cogs=PARTICIPATION_COGS, db_url=db_url)
    cid, (ana,) = await _members(bot, 1)
    await bot.db.call(BatchStore(bot.db).write, [_item(cid, ana, "message", TODAY)])
    # a free rebuild is won by the first claim (on PostgreSQL it said 'busy': one poll, 30 s, lost)
    assert await bot.db.run(trend.claim, SIGNAL_OF, "process a") == "mine"
    assert await trend.keep_ring(bot.db, SIGNAL_OF, "process a", poll=0.01) is True
    assert _claim_row(bot.db) is None
    # process b read the ring's state just before process a's finish committed, and won the claim
    # right after it: the ring is done, b neither rebuilds it nor leaves its claim behind
    real, reads = trend.ring_signals, []

    def read_before_the_finish(conn):
        reads.append(1)
        return None if len(reads) == 1 else real(conn)

    monkeypatch.setattr(trend, "ring_signals", read_before_the_finish)
    assert await trend.keep_ring(bot.db, SIGNAL_OF, "process b", poll=0.01) is False
    monkeypatch.setattr(trend, "ring_signals", real)
    assert _claim_row(bot.db) is None
    # a claim left for the ring already done (a process stopped in between) is dropped when seen,
    # so the next change of signals rebuilds at once instead of waiting STALE for it
    with bot.db.engine.begin() as conn:
        conn.execute(insert(BotState.__table__), {"key": trend.CLAIM_KEY, "updated_at": datetime.now(timezone.utc),
                                                  "value": json.dumps({"owner": "process c",
                                                                       "signals": trend.fingerprint(SIGNAL_OF)})})
    assert await bot.db.run(trend.claim, SIGNAL_OF, "process d") == "done"
    assert _claim_row(bot.db) is None
    assert await bot.db.run(trend.claim, {"message": "messages"}, "process d") == "mine"


async def test_claims_decide_on_what_is_committed_sqlite(make_bot, monkeypatch) -> None:
    await claims_decide_on_what_is_committed(make_bot, None, monkeypatch)


@pytest.mark.postgres
async def test_claims_decide_on_what_is_committed_postgres(make_bot, pg_url, monkeypatch) -> None:
    await claims_decide_on_what_is_committed(make_bot, pg_url, monkeypatch)
