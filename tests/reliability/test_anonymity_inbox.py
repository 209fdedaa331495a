"""The inbox against the database reader of docs/anonymity.md.

The inbox (bot/inbox.py) stores each click before it is acknowledged, as the platform sent it:
who clicked ``poll:vote:<poll>:<option>``. It came after the sealed ballots and undid them: a
reader of the SQLite file and its WAL, or of PostgreSQL's rows in that second (and their dead
versions after the delete), read every anonymous voter's choice in clear. Payloads are now sealed
under the deployment's key; a restart still opens and finishes them.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.inbox import TABLE
from bot.testing.fake_slack import FakeSlack
from bot.testing.harness import Harness
from bot.testing.slack import SlackBot

from .test_anonymity import backend  # noqa: F401  (the sqlite / postgres fixture)

GENERAL = "C0GENERAL"
VOTERS = [f"UVOTER{n}" for n in range(6)]


def _files(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())


async def test_a_reader_of_the_sqlite_file_and_wal_finds_no_click_of_an_anonymous_vote(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        fake.add_channel(GENERAL, "general", members=["U1", *VOTERS])
        fake.add_user("U1", "ana")
        for voter in VOTERS:
            fake.add_user(voter, voter.lower())
        async with SlackBot(fake, tmpdir=tmp_path, cogs=["cogs.polls"]) as bot:
            await bot.command("/poll", 'create question:"Secret?" options:"Yes; No; Maybe" anonymous:true', user="U1")
            await bot.idle()
            poll = fake.messages[GENERAL][-1]
            buttons = [e for b in poll["blocks"] if b["type"] == "actions" for e in b["elements"]]
            seen_rows: list[str] = []
            for n, voter in enumerate(VOTERS):
                button = buttons[n % len(buttons)]
                await bot.click(button["action_id"], value=button["value"], user=voter, channel=GENERAL,
                                message_ts=poll["ts"])
                assert bot.db is not None
                with bot.db.engine.connect() as conn:  # the reader, right after the click: the row is there
                    seen_rows += conn.execute(select(TABLE.c.payload)).scalars().all()
            await bot.idle()
            await bot.app.inbox.flush()
            data = _files(tmp_path / "slack-bot.db")
    assert seen_rows and all(row.startswith("s1:") for row in seen_rows)
    assert not any("poll:vote" in row or "UVOTER" in row for row in seen_rows)
    assert b"poll:vote:" not in data, "a click of an anonymous vote is readable in the file"  # (voters are not secret)


async def test_inbox_rows_are_sealed_and_a_restart_still_finishes_them(backend: Harness) -> None:  # noqa: F811
    inbox = backend.app.inbox
    click = {"type": "block_actions", "user": {"id": "UVOTER1"}, "actions": [{"value": "poll:vote:1:2"}]}
    receipt = await inbox.accept("slack", "action", click)
    with backend.db.engine.begin() as conn:
        [stored] = conn.execute(select(TABLE.c.payload)).scalars().all()
        # as if its process had died: another owner on this host, a pid that is gone
        from tests.core.test_inbox import dead_pid

        host = inbox.owner.split(":")[0]
        conn.execute(update(TABLE).values(owner=f"{host}:{dead_pid()}:gone"))
    assert stored.startswith("s1:") and "poll:vote" not in stored and "UVOTER" not in stored
    [left] = await inbox.unfinished("slack", timedelta(minutes=30))
    assert left.payload == click
    assert receipt.entry_id() == left.id


async def test_a_row_sealed_under_another_key_is_dropped_with_one_line(tmp_path: Path,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    from datetime import timedelta

    from bot.inbox import Inbox
    from tests.core.test_inbox import dead_pid

    async with Harness(tmpdir=tmp_path, cogs=[]) as bot:
        other = Inbox(bot.db, bot.clock, key=lambda: b"the key before BALLOT_KEY changed")
        await other.accept("slack", "action", {"actions": [{"value": "poll:vote:1:2"}]})
        with bot.db.engine.begin() as conn:
            conn.execute(update(TABLE).values(owner=f"{other.owner.split(':')[0]}:{dead_pid()}:gone"))
        with caplog.at_level(logging.WARNING):
            assert await bot.app.inbox.unfinished("slack", timedelta(minutes=30)) == []
        with bot.db.engine.connect() as conn:
            assert conn.execute(select(TABLE.c.id)).all() == []
        await asyncio.sleep(0)
    assert "could not be opened" in caplog.text
