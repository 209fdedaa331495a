"""Two bot processes on one PostgreSQL database: each reminder is sent exactly once, and two
instructors pressing /queue next in different processes call two different people."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import pytest

from .helpers import YAML, reminder_dms

pytestmark = pytest.mark.postgres


async def test_two_processes_send_each_reminder_once(make_bot: Any, pg_url: str) -> None:
    first = await make_bot(yaml=YAML, cogs=["cogs.events"], db_url=pg_url)
    first.app.get_cog("event").live.delay = 0
    await first.command('/event create title:"Jam" when:"2026-01-14 18:00"', as_="ivy", role="instructor")
    second = await make_bot(yaml=YAML, cogs=["cogs.events"], db_url=pg_url)  # starts after: sees it at start
    await first.click(first.last("general"), "Going", as_="ana")
    await second.command('/event create title:"Late" when:"2026-01-14 19:00"', as_="ivy", role="instructor")
    await first.app.scheduler.run_background()  # the minute's sync picks up the other process's event
    await second.click(second.last("general"), "Going", as_="ana")
    for moment in (datetime(2026, 1, 13, 17, 0, tzinfo=timezone.utc), datetime(2026, 1, 13, 18, 0, tzinfo=timezone.utc),
                   datetime(2026, 1, 14, 16, 45, tzinfo=timezone.utc), datetime(2026, 1, 14, 20, 0, tzinfo=timezone.utc)):
        await asyncio.gather(first.advance(moment), second.advance(moment))
    sent = reminder_dms(first, "ana") + reminder_dms(second, "ana")
    assert sorted(s.split(":")[0] for s in sent) == sorted([
        "⏰ **Jam** starts in 24 hours", "⏰ **Jam** starts in 15 minutes",
        "⏰ **Late** starts in 24 hours", "⏰ **Late** starts in 15 minutes"])


async def test_concurrent_next_in_two_processes_calls_different_people(make_bot: Any, pg_url: str) -> None:
    first = await make_bot(cogs=["cogs.officehours"], db_url=pg_url)
    second = await make_bot(cogs=["cogs.officehours"], db_url=pg_url)
    await first.command("/queue open", as_="ivy", role="instructor")
    for who in ("ana", "ben", "cat", "dan", "eve", "fay"):
        await first.command("/queue join", as_=who)
    presses = [bot.command("/queue next", as_=who, role="instructor")
               for bot, who in [(first, "ivy"), (second, "tom")] * 4]
    results = await asyncio.gather(*presses)
    called = [r.text.split(",")[0] for r in results if not r.error]
    assert sorted(called) == ["<@ana>", "<@ben>", "<@cat>", "<@dan>", "<@eve>", "<@fay>"]
    assert [r.text for r in results if r.error] == ["⚠️ nobody is waiting in the queue"] * 2
