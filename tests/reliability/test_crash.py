"""``kill -9`` in the middle of a burst of votes, then a restart on the same database.

The bot acknowledges a vote only after it is committed, so every vote a voter saw
acknowledged must be in the database after the crash; the daily schedule that ran before the
crash must not run again; open ballots still take votes; and the pending auto-close still
happens (once) after the restart. The same again with real polls (cogs.polls) and buttons.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import signal
import subprocess
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO

import pytest

from bot import MessageRef
from bot.adapters.memory import Posted
from bot.config import _has_setup
from bot.content import Button, Content
from bot.testing.harness import Harness
from tests.fixtures.ledger_cog import DAILY_KEY

from .helpers import LEDGER, child_env, python, sqlite_rows

BURST = 1000  # votes written at once; the process is killed after KILL_AFTER acknowledgements
KILL_AFTER = 50
ACK = re.compile(r"ack vote (\d+) by (\S+) ballot 1 option (\d+)")


def start_console(tmp_path: Path, *args: str, cogs: str = LEDGER) -> subprocess.Popen[str]:
    config = tmp_path / "schedules.yaml"
    config.write_text(f"cogs: [{cogs}]\n")
    env = child_env(DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}", BOT_CONFIG=str(config), BOT_ADAPTERS="console")
    with open(tmp_path / "stderr.log", "a") as stderr:  # the child keeps its own copy of the file
        return subprocess.Popen([python(), "-m", "bot", "run", "--as", "ivy", "--role", "instructor", *args],
                                cwd=tmp_path, env=env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=stderr)


def close_pipes(process: subprocess.Popen[str]) -> None:
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


def read_acks_and_kill(stdout: IO[str], pid: int, acks: list[tuple[int, str, int]], lines: list[str]) -> None:
    """Collect acknowledgements; SIGKILL the bot after KILL_AFTER of them; read until the pipe closes."""
    killed = False
    for line in stdout:
        lines.append(line)
        if match := ACK.search(line):
            acks.append((int(match.group(1)), match.group(2), int(match.group(3))))
            if len(acks) == KILL_AFTER and not killed:
                os.kill(pid, signal.SIGKILL)
                killed = True


def test_kill_9_mid_burst_loses_no_acknowledged_vote_and_fires_nothing_twice(tmp_path: Path) -> None:
    bot = start_console(tmp_path)
    assert bot.stdin is not None and bot.stdout is not None
    script = ["/ledger open closes_in:1d"]
    for n in range(BURST):
        script += [f":as voter{n} member", f"/ledger vote 1 {n % 3 + 1}"]
    acks: list[tuple[int, str, int]] = []
    lines: list[str] = []
    reader = threading.Thread(target=read_acks_and_kill, args=(bot.stdout, bot.pid, acks, lines))
    reader.start()
    try:
        bot.stdin.write("\n".join(script) + "\n")  # stdin stays open: only the kill ends this process
        bot.stdin.flush()
        reader.join(timeout=60)
    finally:
        if bot.poll() is None and len(acks) < KILL_AFTER:
            bot.kill()  # never leave a bot behind when something else went wrong
    reader.join(timeout=10)
    assert len(acks) >= KILL_AFTER, "".join(lines[-20:]) + (tmp_path / "stderr.log").read_text()[-2000:]
    assert bot.wait(timeout=10) == -signal.SIGKILL
    close_pipes(bot)
    assert any("ballot 1 open" in line for line in lines)
    assert KILL_AFTER <= len(acks) < BURST, "the kill must land in the middle of the burst"

    db = tmp_path / "bot.db"
    assert sqlite_rows(db, "PRAGMA integrity_check") == [("ok",)]
    stored = set(sqlite_rows(db, "SELECT id, voter, option FROM ledger_vote"))
    assert set(acks) <= stored, f"acknowledged but lost: {sorted(set(acks) - stored)[:5]}"
    daily_before = sqlite_rows(db, "SELECT due_at FROM ledger_firing WHERE key = ?", DAILY_KEY)
    assert len(daily_before) == 1  # the missed daily firing, caught up at the first start

    # Restart on the same database: the open ballot takes votes, nothing ran twice.
    again = start_console(tmp_path)
    out, _ = again.communicate("/ledger count\n:as late member\n/ledger vote 1 2\n/ledger count\n", timeout=60)
    assert again.returncode == 0, (tmp_path / "stderr.log").read_text()[-2000:]
    assert f"votes stored: {len(stored)}" in out and f"votes stored: {len(stored) + 1}" in out
    assert re.search(r"ack vote \d+ by late ballot 1 option 2", out)
    daily_after = sqlite_rows(db, "SELECT due_at, COUNT(*) FROM ledger_firing WHERE key = ? GROUP BY due_at",
                              DAILY_KEY)
    assert all(count == 1 for _, count in daily_after) and len(daily_after) >= 1
    assert sqlite_rows(db, "SELECT key, due_at FROM schedule_claim GROUP BY key, due_at HAVING COUNT(*) > 1") == []


async def test_a_ballot_left_open_by_a_crash_still_closes_once_after_restart(tmp_path: Path) -> None:
    bot = start_console(tmp_path)
    assert bot.stdin is not None and bot.stdout is not None
    bot.stdin.write("/ledger open closes_in:1h\n:as ana member\n/ledger vote 1 1\n")
    bot.stdin.flush()
    acked = False
    for line in bot.stdout:  # ends at EOF if the bot dies on its own
        if "ack vote" in line:
            acked = True
            break
    bot.kill()  # SIGKILL: no shutdown, no flush
    assert bot.wait(timeout=10) == -signal.SIGKILL and acked, (tmp_path / "stderr.log").read_text()[-2000:]
    close_pipes(bot)

    now = datetime.now(timezone.utc)
    restarted = Harness(cogs=[LEDGER], db_url=f"sqlite:///{tmp_path / 'bot.db'}", start=now)
    await restarted.start()
    try:
        await restarted.advance(timedelta(hours=1, minutes=2))
        assert [m.text for m in restarted.messages()] == ["ballot 1 closed with 1 votes"]
        await restarted.restart()
        await restarted.advance(timedelta(hours=1))
        assert [m.text for m in restarted.messages()] == ["ballot 1 closed with 1 votes"]  # not twice
    finally:
        await restarted.stop()


POLLS = "cogs.polls"
POLL_VOTES = 300


def test_kill_9_during_a_poll_vote_burst_then_the_poll_still_votes_and_auto_closes_once(tmp_path: Path) -> None:
    if not _has_setup(POLLS):
        pytest.skip("needs cogs.polls")
    bot = start_console(tmp_path, cogs=POLLS)
    assert bot.stdin is not None and bot.stdout is not None
    script = ['/poll create question:"Best day?" options:"Mon; Tue; Wed" closes_in:1h']
    for n in range(POLL_VOTES):
        script += [f":as voter{n} member", f"click {n % 3 + 1}"]
    acked: list[str] = []
    lines: list[str] = []

    def read() -> None:  # "You are now voterN (member)." then that voter's "Vote recorded: ..."
        voter = None
        for line in bot.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if match := re.search(r"You are now (voter\d+) \(member\)", line):
                voter = match.group(1)
            elif "Vote recorded" in line and voter:
                acked.append(voter)
                if len(acked) == KILL_AFTER:
                    os.kill(bot.pid, signal.SIGKILL)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        bot.stdin.write("\n".join(script) + "\n")
        bot.stdin.flush()
        reader.join(timeout=60)
    finally:
        if bot.poll() is None and len(acked) < KILL_AFTER:
            bot.kill()
    reader.join(timeout=10)
    assert bot.wait(timeout=10) == -signal.SIGKILL
    close_pipes(bot)
    assert KILL_AFTER <= len(acked) < POLL_VOTES, "".join(lines[-20:]) + (tmp_path / "stderr.log").read_text()[-2000:]
    db = tmp_path / "bot.db"
    assert sqlite_rows(db, "PRAGMA integrity_check") == [("ok",)]
    stored = {voter for voter, in sqlite_rows(db, "SELECT m.external_id FROM poll_vote v JOIN member m "
                                                  "ON m.id = v.member_id WHERE v.poll_id = 1")}
    assert set(acked) <= stored, f"acknowledged but lost: {sorted(set(acked) - stored)[:5]}"

    # Restarted (a fake clock from now on): the open poll still takes votes, then closes once.
    asyncio.run(_restart_vote_and_close(db, before=len(stored)))


async def _restart_vote_and_close(db: Path, *, before: int) -> None:
    restarted = Harness(cogs=[POLLS], db_url=f"sqlite:///{db}", start=datetime.now(timezone.utc))
    await restarted.start()
    try:
        # The platform still shows the poll message the crashed process posted.
        [(server, channel, message)] = sqlite_rows(db, "SELECT server_id, channel_id, message_id FROM poll WHERE id = 1")
        ref = MessageRef("console", server, channel, message)
        shown = Content(text="📊 Best day?").add_buttons([Button("Tue", "poll:vote:1:2")])
        restarted.adapter.messages[message] = Posted(ref, shown, "bot")
        restarted.adapter._ids = itertools.count(10_000)  # the platform never reuses a message id
        late = await restarted.click(restarted.adapter.messages[message], "Tue", as_="late")
        assert "Vote recorded" in late.text, late.text
        await restarted.advance(timedelta(hours=1, minutes=2))
        closed_notices = [m for m in restarted.messages(channel) if m.ref.message_id != message]
        assert len(closed_notices) == 1, [m.text for m in restarted.messages(channel)]
        assert restarted.adapter.messages[message].edits >= 1  # the final results replaced the buttons
        await restarted.restart()
        await restarted.advance(timedelta(hours=1))
        assert len([m for m in restarted.messages(channel) if m.ref.message_id != message]) == 1  # not twice
    finally:
        await restarted.stop()
    assert sqlite_rows(db, "SELECT COUNT(*) FROM poll_voter WHERE poll_id = 1") == [(before + 1,)]
    closed = sqlite_rows(db, "SELECT closed_at FROM poll WHERE id = 1")
    assert closed and closed[0][0] is not None
    claims = sqlite_rows(db, "SELECT due_at, COUNT(*) FROM schedule_claim WHERE key = 'poll:job:close-due' "
                             "GROUP BY due_at HAVING COUNT(*) > 1")
    assert claims == []
