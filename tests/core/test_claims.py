"""Firing claims: whoever inserts (key, due) first runs the firing — also when many are claimed
at once by two schedulers on one database, and when they share one transaction."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import event

from bot.clock import Clock
from bot.scheduler import Scheduler
from bot.storage import Database

DUE = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


async def test_two_schedulers_claiming_the_same_firings_at_once_win_each_exactly_once(tmp_path: Path) -> None:
    await two_schedulers_claim(Database(f"sqlite:///{tmp_path / 'c.db'}"))


@pytest.mark.postgres
async def test_the_same_on_postgresql(pg_url: str) -> None:
    await two_schedulers_claim(Database(pg_url))


async def two_schedulers_claim(db: Database) -> None:
    db.upgrade()
    commits: list[int] = []
    event.listen(db.engine, "commit", lambda conn: commits.append(1))
    first, second = Scheduler(db, Clock()), Scheduler(db, Clock())
    firings = [(f"prompt:{i % 7}:{i}", DUE + timedelta(minutes=i % 3)) for i in range(300)]
    try:
        results = await asyncio.gather(*(s.claim(k, d) for k, d in firings for s in (first, second)))
        won = list(zip(results[0::2], results[1::2]))
        assert all(a != b for a, b in won)  # one of the two, never both, never neither
        assert len(set(firings)) == 300
        # the same firing again (a restart, a catch-up): nobody gets it
        assert not any(await asyncio.gather(*(first.claim(k, d) for k, d in firings[:20])))
        # claimed together, committed together: far fewer transactions than claims
        assert 0 < len(commits) < 100
    finally:
        db.dispose()


async def test_a_claim_asked_twice_in_one_transaction_goes_to_the_first(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    db.upgrade()
    scheduler = Scheduler(db, Clock())
    try:
        results = await asyncio.gather(scheduler.claim("digest:1", DUE), scheduler.claim("digest:1", DUE))
        assert results == [True, False]
    finally:
        db.dispose()
