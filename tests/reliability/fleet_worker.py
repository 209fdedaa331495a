"""One bot process of the exactly-once test: ``python -m tests.reliability.fleet_worker URL START MINUTES COUNT``.

It starts a BotApp with the ledger cog and ``COUNT`` recorded schedules on a fake clock at
START, prints ``ready``, waits for a line on stdin (so every process starts together), then
runs every firing due in the next MINUTES and prints ``fired N``.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta

from bot.app import BotApp
from bot.clock import FakeClock
from bot.config import parse_config
from bot.storage import Database


async def main(url: str, start: datetime, minutes: int, count: int) -> int:
    db = Database(url)
    app = BotApp(config=parse_config("", "x.yaml", cogs=["tests.fixtures.ledger_cog"]), db=db,
                 clock=FakeClock(start))
    app.load_cogs()
    app.get_cog("ledger").add_fleet(count)  # type: ignore[union-attr]
    await app.start([])
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    fired = await app.scheduler.advance(timedelta(minutes=minutes))
    print(f"fired {fired}", flush=True)
    await app.stop()
    db.dispose()
    return 0


if __name__ == "__main__":
    url, start, minutes, count = sys.argv[1], datetime.fromisoformat(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    raise SystemExit(asyncio.run(main(url, start, minutes, count)))
