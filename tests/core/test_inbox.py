"""The inbox decides which stored requests a restarted process finishes: those of dead processes,
within the platform's follow-up window, each claimed by one process only."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bot.inbox import FOREIGN_AFTER, TABLE, Inbox, owner_is_gone
from bot.testing.harness import Harness

WINDOW = timedelta(minutes=15)


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _store(bot: Harness, owner: str, age: timedelta, payload: dict) -> None:
    with bot.db.engine.begin() as conn:
        conn.execute(insert(TABLE).values(platform="slack", kind="command", owner=owner,
                                          received_at=bot.clock.now() - age, payload=json.dumps(payload)))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str | None:
    if request.param == "sqlite":
        return None
    from tests.reliability.helpers import prepare_database

    url = request.getfixturevalue("pg_url")
    prepare_database(url, cogs=[])
    return url


async def test_a_restart_finishes_dead_processes_requests_within_the_window(
        tmp_path: Path, db_url: str | None, caplog: pytest.LogCaptureFixture) -> None:
    async with Harness(tmpdir=tmp_path, db_url=db_url, cogs=[]) as bot:
        inbox: Inbox = bot.app.inbox
        receipts = await asyncio.gather(*(inbox.accept("slack", "command", {"n": n}) for n in range(5)))
        ids = [r.entry_id() for r in receipts]
        assert None not in ids and len(set(ids)) == 5  # one group commit, each request its own row
        for receipt in receipts:
            inbox.finished(receipt)
        await inbox.flush()
        host = inbox.owner.split(":")[0]
        alive_elsewhere = f"{host}:{os.getppid()}:aaaa"  # a live process on this host (our parent)
        _store(bot, f"{host}:{dead_pid()}:dead", timedelta(minutes=1), {"n": "dead, recent"})
        _store(bot, f"{host}:{dead_pid()}:dead", timedelta(minutes=20), {"n": "dead, too old"})
        _store(bot, alive_elsewhere, timedelta(minutes=1), {"n": "alive"})
        _store(bot, f"{host}:{os.getpid()}:oldinstance", timedelta(seconds=5), {"n": "our pid, old instance"})
        _store(bot, "other-host:123:x", timedelta(seconds=10), {"n": "other host, recent"})
        _store(bot, "other-host:123:x", FOREIGN_AFTER + timedelta(seconds=1), {"n": "other host, stale"})
        _store(bot, inbox.owner, timedelta(minutes=1), {"n": "ours, in progress"})
        with caplog.at_level(logging.WARNING):
            taken = await inbox.unfinished("slack", WINDOW)
        assert [t.payload["n"] for t in taken] == ["dead, recent", "our pid, old instance", "other host, stale"]
        assert "1 slack requests left unfinished by a crash were older" in caplog.text
        assert await inbox.unfinished("slack", WINDOW) == []  # claimed: never handed out twice
        with bot.db.engine.connect() as conn:
            owners = dict(conn.execute(select(TABLE.c.id, TABLE.c.owner)).all())
        assert sum(owner == inbox.owner for owner in owners.values()) == 4 and len(owners) == 6

        for entry in taken:
            inbox.finished(entry.id)
        await inbox.flush()
        with bot.db.engine.connect() as conn:
            assert len(conn.execute(select(TABLE.c.id)).all()) == 3


def test_owner_liveness() -> None:
    me = f"h:{os.getpid()}:me"
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    assert not owner_is_gone(me, me, now, now)
    assert owner_is_gone(f"h:{dead_pid()}:x", me, now, now)
    assert not owner_is_gone(f"h:{os.getppid()}:x", me, now, now)
    assert not owner_is_gone("elsewhere:1:x", me, now, now)
    assert owner_is_gone("elsewhere:1:x", me, now - FOREIGN_AFTER, now)


async def test_a_claimed_request_is_stored_once_with_its_claim_in_one_commit(tmp_path: Path, db_url: str | None) -> None:
    """Slack's replay claim rides in the inbox's transaction: a burst of claimed requests costs one
    commit, and a request whose claim was taken before (a replay, here or by another process)
    stores nothing."""
    from datetime import datetime, timezone

    from bot.models import ScheduleClaim

    async with Harness(tmpdir=tmp_path, db_url=db_url, cogs=[]) as bot:
        inbox: Inbox = bot.app.inbox
        sent = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
        before = inbox.commits  # the inbox's transactions that stored requests
        receipts = await asyncio.gather(*(inbox.accept("slack", "command", {"n": n}, claim=(f"sig:{n % 3}", sent))
                                          for n in range(6)))
        assert inbox.commits == before + 1  # the burst together
        again = await inbox.accept("slack", "command", {"n": "replayed"}, claim=("sig:0", sent))
        assert [r.duplicate for r in receipts] == [False, False, False, True, True, True] and again.duplicate
        assert inbox.commits == before + 2  # the replay on its own
        with bot.db.engine.connect() as conn:
            stored = [json.loads(inbox.sealer.open(p) if inbox.sealer else p)["n"]  # sealed (bot/sealing.py)
                      for p in conn.execute(select(TABLE.c.payload)).scalars()]
            claims = conn.execute(select(ScheduleClaim.__table__.c.key)).scalars().all()
            rows = dict(conn.execute(select(TABLE.c.id, TABLE.c.payload)).all())
        assert sorted(stored) == [0, 1, 2] and sorted(claims) == ["sig:0", "sig:1", "sig:2"]
        for n, receipt in enumerate(receipts[:3]):  # each receipt names its own row
            payload = rows[receipt.entry_id()]
            assert json.loads(inbox.sealer.open(payload) if inbox.sealer else payload)["n"] == n
        assert inbox.accepted == 3
        for receipt in [*receipts, again]:
            inbox.finished(receipt)
        await inbox.flush()
        with bot.db.engine.connect() as conn:
            assert conn.execute(select(TABLE.c.id)).scalars().all() == []  # finished: every row deleted


async def _stored_ids(bot: Harness) -> list[int]:
    with bot.db.engine.connect() as conn:
        return list(conn.execute(select(TABLE.c.id)).scalars())


async def test_a_busy_database_holds_the_acknowledgement_at_most_its_budget_and_loses_nothing(tmp_path: Path) -> None:
    """SQLite: a request is committed on the loop's thread only when nobody else is writing. While
    a cog's transaction holds this process's write lock, or another process holds the file, the
    request waits on the inbox thread, and its acknowledgement waits at most the budget (then goes
    out, counted in ``late``); the row is stored once the writer lets go."""
    import sqlite3
    import threading
    import time

    async with Harness(tmpdir=tmp_path, cogs=[]) as bot:
        inbox: Inbox = bot.app.inbox
        first = await inbox.accept("slack", "command", {"n": "quiet"})
        assert first.entry_id() in await _stored_ids(bot)  # stored before accept returned

        held = threading.Event()

        def hold_the_lock() -> None:
            with bot.db.write_lock():
                held.set()
                time.sleep(3.0)

        holder = threading.Thread(target=hold_the_lock)
        holder.start()
        held.wait()
        started = time.monotonic()
        receipt = inbox.submit("slack", "command", {"n": "during a cog's write"}, budget=0.2)
        await receipt.stored()
        waited = time.monotonic() - started
        assert 0.15 < waited < 2.5 and inbox.late == 1 and receipt.entry_id() is None  # acknowledged meanwhile
        holder.join()
        await asyncio.wait_for(asyncio.shield(receipt.task), 5)
        assert receipt.entry_id() in await _stored_ids(bot)

        other = sqlite3.connect(str(bot.db.sqlite_file), isolation_level=None)  # another process's writer
        other.execute("BEGIN IMMEDIATE")
        try:
            blocked = inbox.submit("slack", "command", {"n": "while another process writes"}, budget=0.2)
            await blocked.stored()
            assert inbox.late == 2
        finally:
            other.execute("COMMIT")
            other.close()
        await asyncio.wait_for(asyncio.shield(blocked.task), 5)
        assert blocked.entry_id() in await _stored_ids(bot)
        assert inbox.accepted == 3
