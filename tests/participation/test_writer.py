"""The batched writer: batches, back-pressure, flush on stop, upserts across batches."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta, timezone

from cogs.participation.writer import EventWriter, Item

from .helpers import by_kind, count_events, daily_rows, start, state_rows

T0 = datetime(2026, 1, 12, 8, 0, tzinfo=timezone.utc)


async def _members(bot, n: int) -> list[int]:
    community = await bot.app.directory.community("console", "console")
    return [(await bot.app.directory.member(community, f"u{i}")).id for i in range(n)]


def _item(cid: int, mid: int, minutes: int, kind: str = "message", points: float = 1.0) -> Item:
    at = T0 + timedelta(minutes=minutes)
    return Item(cid, mid, kind, "general", at, at.date(), points, kind != "join")


class CountingCalls:
    """Wraps db.call to count thread round-trips (one per batch written)."""

    def __init__(self, db) -> None:
        self.db, self.calls, self._call = db, 0, db.call

    async def __call__(self, fn, *args):
        self.calls += 1
        return await self._call(fn, *args)


async def test_writes_in_batches_of_at_most_batch_size(make_bot) -> None:
    bot = await start(make_bot)
    [mid] = await _members(bot, 1)
    writer = EventWriter(bot.db, batch_size=100, interval=3600)
    counter = CountingCalls(bot.db)
    bot.db.call = counter
    for i in range(250):
        assert writer.put(_item(1, mid, i))
    assert await writer.flush() == 250
    assert counter.calls == 3 and count_events(bot) == 250


async def test_the_timer_flushes_without_being_asked(make_bot) -> None:
    bot = await start(make_bot)
    [mid] = await _members(bot, 1)
    writer = EventWriter(bot.db, interval=0.01)
    writer.start()
    writer.put(_item(1, mid, 0))
    for _ in range(500):  # condition wait with a generous timeout, not a fixed sleep
        if writer.written:
            break
        await asyncio.sleep(0.01)
    await writer.stop()
    assert writer.written == 1 and count_events(bot) == 1


async def test_a_full_queue_drops_counts_and_logs_once(make_bot, caplog) -> None:
    bot = await start(make_bot)
    [mid] = await _members(bot, 1)
    writer = EventWriter(bot.db, max_queue=10, interval=3600, log_every=3600)
    with caplog.at_level(logging.WARNING, logger="cogs.stats.writer"):
        results = [writer.put(_item(1, mid, i)) for i in range(25)]
    assert results.count(False) == 15 and writer.dropped == 15
    assert len([r for r in caplog.records if "queue full" in r.message]) == 1
    await writer.stop()
    assert count_events(bot) == 10


async def test_stop_writes_everything_queued(make_bot) -> None:
    bot = await start(make_bot)
    mids = await _members(bot, 5)
    writer = EventWriter(bot.db, batch_size=64, interval=3600)
    writer.start()
    for i in range(1000):
        writer.put(_item(1, mids[i % 5], i))
    await writer.stop()
    assert count_events(bot) == 1000 and writer.queue.empty()


async def test_rollups_and_state_accumulate_across_batches(make_bot) -> None:
    bot = await start(make_bot)
    [a, b] = await _members(bot, 2)
    writer = EventWriter(bot.db, interval=3600)
    writer.put(_item(1, a, 0))
    writer.put(_item(1, a, 5, "reaction", 0.5))
    await writer.flush()
    writer.put(_item(1, a, 10, "poll_vote"))
    writer.put(_item(1, a, -60 * 24, "join", 0))  # an earlier event arriving late
    writer.put(_item(1, b, 3))
    await writer.flush()
    rows = {(r["member_id"], r["day"]): r for r in daily_rows(bot)}
    today = rows[(a, date(2026, 1, 12))]
    assert (today["events"], today["active"], today["points"]) == (3, 3, 2.5)
    assert (rows[(a, date(2026, 1, 11))]["events"], rows[(a, date(2026, 1, 11))]["active"]) == (1, 0)  # a join
    assert by_kind(bot) == {(a, date(2026, 1, 12), "message"): 1, (a, date(2026, 1, 12), "reaction"): 1,
                            (a, date(2026, 1, 12), "poll_vote"): 1, (a, date(2026, 1, 11), "join"): 1,
                            (b, date(2026, 1, 12), "message"): 1}
    state = {s["member_id"]: s for s in state_rows(bot)}
    assert state[a]["points_total"] == 2.5
    assert state[a]["first_event_at"] == T0 - timedelta(days=1)
    assert state[a]["last_event_at"] == T0 + timedelta(minutes=10)
    assert state[a]["joined_at"] == T0 - timedelta(days=1)


async def test_events_of_a_member_erased_meanwhile_are_dropped_not_the_batch(make_bot) -> None:
    bot = await start(make_bot)
    [a, b] = await _members(bot, 2)
    from bot.models import Member

    await bot.db.run(lambda s: s.delete(s.get(Member, b)))
    writer = EventWriter(bot.db, interval=3600)
    writer.put(_item(1, a, 0))
    writer.put(_item(1, b, 1))
    assert await writer.flush() == 1
    assert count_events(bot) == 1
