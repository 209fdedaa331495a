"""What the durable inbox costs an acknowledgement: ``Inbox.accept`` on SQLite (WAL).

Every Slack request and Discord interaction is stored before it is acknowledged, so the
accept latency is added to each ack. Measured one request at a time, and in a burst of
``concurrency`` requests at once (the group commit puts the burst's rows in one transaction
on the inbox's own thread) beside the plain design it replaced as a baseline: one insert
transaction per request on the shared database pool, queued behind the cogs' work.

    python -m bench --only inbox_bench
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bot.clock import Clock
from bot.inbox import TABLE, Inbox
from bot.storage import Database

from .stats import percentile, summary

# A block_actions body as Slack posts it (~1.3 KB of JSON): what each inbox row holds.
PAYLOAD: dict[str, Any] = {
    "type": "block_actions", "user": {"id": "U0123456789", "username": "ana", "team_id": "T0123456789"},
    "api_app_id": "A0FAKE", "token": "x" * 24, "trigger_id": "1234567890.123.abcdef",
    "team": {"id": "T0123456789", "domain": "cohort"}, "channel": {"id": "C0123456789", "name": "general"},
    "container": {"type": "message", "message_ts": "1750000000.000100", "channel_id": "C0123456789"},
    "message": {"type": "message", "ts": "1750000000.000100", "text": "📊 Best day?", "user": "U0BOT",
                "blocks": [{"type": "actions", "elements": [
                    {"type": "button", "action_id": f"poll:vote:1:{n}#x", "value": f"poll:vote:1:{n}",
                     "text": {"type": "plain_text", "text": day}} for n, day in enumerate(["Mon", "Tue", "Wed"], 1)]}]},
    "response_url": "https://hooks.slack.com/actions/T0123456789/1234567890/" + "y" * 24,
    "actions": [{"action_id": "poll:vote:1:2#x", "value": "poll:vote:1:2", "type": "button",
                 "action_ts": "1750000001.000200"}],
}


def _database(directory: Path) -> Database:
    db = Database(f"sqlite:///{directory / 'inbox.db'}")
    db.upgrade()
    return db


async def _timed(make: Any, count: int, concurrency: int) -> tuple[list[float], float]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one() -> None:
        async with gate:
            start = time.perf_counter()
            await make()
            latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(count)))
    return latencies, time.perf_counter() - started


async def one_run(count: int, concurrency: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = _database(Path(tmp))
        inbox = Inbox(db, Clock())

        async def accept() -> None:
            inbox.finished(await inbox.accept("slack", "action", PAYLOAD))

        def plain_insert() -> None:  # the baseline: one transaction per request on the shared pool
            with db.write_lock(), db.engine.begin() as conn:
                conn.execute(insert(TABLE).values(platform="slack", kind="action", owner=inbox.owner,
                                                  received_at=inbox.clock.now(), payload=json.dumps(PAYLOAD)))

        async def plain() -> None:
            await db.call(plain_insert)

        single, _ = await _timed(accept, count // 4, 1)
        burst, burst_wall = await _timed(accept, count, concurrency)
        base, base_wall = await _timed(plain, count, concurrency)
        await inbox.stop()
        db.dispose()
    return {"single_p50": percentile(single, 50), "single_p99": percentile(single, 99),
            "burst_p50": percentile(burst, 50), "burst_p99": percentile(burst, 99), "burst_rate": count / burst_wall,
            "base_p50": percentile(base, 50), "base_p99": percentile(base, 99), "base_rate": count / base_wall}


def run(quick: bool = False) -> list[dict[str, Any]]:
    count, concurrency, runs = (200, 20, 1) if quick else (4_000, 100, 5)
    results = [asyncio.run(one_run(count, concurrency)) for _ in range(runs)]

    def cell(key: str) -> str:
        return summary([r[key] for r in results], "ms", 1000, digits=2)

    def rate(key: str) -> str:
        return summary([r[key] for r in results], "req/s", digits=0)

    return [
        {"row": "inbox", "measure": "ack cost: Inbox.accept p50 / p99, one request at a time (SQLite WAL, ~1.3 KB row)",
         "value": f"{cell('single_p50')} / {cell('single_p99')}", "baseline": "no inbox: 0 ms (a crash loses the request)",
         "target": "—", "ok": None},
        {"row": "inbox", "measure": f"ack cost in a burst: {count:,} requests, {concurrency} at once — p50 / p99; throughput",
         "value": f"{cell('burst_p50')} / {cell('burst_p99')}; {rate('burst_rate')}",
         "baseline": f"one transaction per request on the db pool: {cell('base_p50')} / {cell('base_p99')}; "
                     f"{rate('base_rate')}", "target": "—", "ok": None},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
