"""``kill -9`` with 1,000 votes in flight over Slack HTTP: every vote Slack got a 200 for is stored.

Slack never sends a request again once it got HTTP 200. The bot acknowledges first and handles
after (Slack's 3-second deadline), so before the inbox a crash lost the requests acknowledged but
not yet handled (the issue measured 949 acknowledged, 311 stored). Now each request is in the
database's inbox before the 200, and the restarted bot finishes what was left.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import _has_setup
from bot.testing.fake_slack import FakeSlack, block_actions_body, signed_headers, slash_command_body

from .helpers import add_voters, child_env, python, sqlite_rows

POLLS = "cogs.polls"
VOTES = 1000
KILL_AFTER = 300  # acknowledgements (HTTP 200) before the SIGKILL
IN_FLIGHT = 64  # requests open at once
GENERAL = "C0GENERAL"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class BotProcess:
    """``python -m bot run`` against a fake platform running in the test process."""

    def __init__(self, tmp_path: Path, **platform_env: str) -> None:
        self.tmp_path, self.platform_env = tmp_path, platform_env
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        config = self.tmp_path / "schedules.yaml"
        config.write_text(f"cogs: [{POLLS}]\n")
        env = child_env(DATABASE_URL=f"sqlite:///{self.tmp_path / 'bot.db'}", BOT_CONFIG=str(config),
                        PORT=str(self.port), HOST="127.0.0.1", **self.platform_env)
        with open(self.tmp_path / "stderr.log", "ab") as stderr:
            self.process = subprocess.Popen([python(), "-m", "bot", "run"], cwd=self.tmp_path, env=env,
                                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def ready(self, http: aiohttp.ClientSession, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            assert self.process is not None and self.process.poll() is None, self.log()
            try:
                async with http.get(f"{self.url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise AssertionError("the bot did not start: " + self.log())

    def log(self) -> str:
        return (self.tmp_path / "stderr.log").read_text(errors="replace")[-3000:]

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


class SlackProcess(BotProcess):
    """In Slack HTTP mode: requests are signed POSTs to /slack/events."""

    def __init__(self, fake: FakeSlack, tmp_path: Path) -> None:
        super().__init__(tmp_path, SLACK_BOT_TOKEN=fake.bot_token, SLACK_SIGNING_SECRET=fake.signing_secret,
                         SLACK_API_URL=fake.api_url)
        self.fake = fake

    async def post(self, http: aiohttp.ClientSession, body: str) -> int:
        headers = signed_headers(self.fake.signing_secret, body)
        async with http.post(f"{self.url}/slack/events", data=body.encode(), headers=headers) as response:
            await response.read()
            return response.status


async def _until(condition: Any, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def _voters(db: Path) -> set[str]:
    rows = sqlite_rows(db, "SELECT m.external_id FROM poll_voter v JOIN member m ON m.id = v.member_id "
                           "WHERE v.poll_id = 1")
    return {voter for voter, in rows}


def _inbox_rows(db: Path) -> int:
    return sqlite_rows(db, "SELECT COUNT(*) FROM inbox")[0][0]


async def test_kill_9_with_1000_slack_votes_in_flight_loses_no_acknowledged_vote(tmp_path: Path) -> None:
    if not _has_setup(POLLS):
        pytest.skip("needs cogs.polls")
    db = tmp_path / "bot.db"
    async with FakeSlack() as fake, aiohttp.ClientSession() as http:
        add_voters(fake, GENERAL, VOTES)
        bot = SlackProcess(fake, tmp_path)
        bot.start()
        try:
            await bot.ready(http)
            create = slash_command_body("/poll", 'create question:"Best day?" options:"Mon; Tue; Wed"',
                                        user_id="UIVY", team_id=fake.team_id, channel_id=GENERAL,
                                        response_url=fake.response_url(GENERAL))
            assert await bot.post(http, create) == 200
            await _until(lambda: db.exists() and sqlite_rows(db, "SELECT message_id FROM poll WHERE id = 1")
                         and sqlite_rows(db, "SELECT message_id FROM poll WHERE id = 1")[0][0], 30, "the poll")
            [(message_ts,)] = sqlite_rows(db, "SELECT message_id FROM poll WHERE id = 1")

            acknowledged: list[str] = []
            gate = asyncio.Semaphore(IN_FLIGHT)
            killed = asyncio.Event()

            async def vote(n: int) -> None:
                user = f"UV{n:04d}"
                body = block_actions_body(f"poll:vote:1:{n % 3 + 1}", value=f"poll:vote:1:{n % 3 + 1}", user_id=user,
                                          team_id=fake.team_id, channel_id=GENERAL, message_ts=message_ts,
                                          response_url=fake.response_url(GENERAL))
                async with gate:
                    if killed.is_set():
                        return
                    try:
                        status = await bot.post(http, body)
                    except (aiohttp.ClientError, asyncio.TimeoutError):
                        return  # the bot is gone: Slack would show this click as failed
                if status == 200:
                    acknowledged.append(user)
                    if len(acknowledged) == KILL_AFTER and not killed.is_set():
                        killed.set()
                        bot.kill()

            await asyncio.gather(*(vote(n) for n in range(VOTES)))
            assert killed.is_set(), bot.log()
            stored_at_kill = _voters(db)
            left = _inbox_rows(db)
            assert sqlite_rows(db, "PRAGMA integrity_check") == [("ok",)]

            bot.start()  # the same database, a new process
            await bot.ready(http)
            await _until(lambda: _inbox_rows(db) == 0, 180, "the restarted bot to finish the inbox")
            stored = _voters(db)
        finally:
            bot.stop()
    lost = set(acknowledged) - stored
    print(f"\nSlack kill -9: {len(acknowledged)} votes acknowledged (HTTP 200), {len(stored_at_kill)} stored "
          f"at the kill, {left} inbox rows left, {len(stored)} stored after the restart, {len(lost)} lost")
    assert KILL_AFTER <= len(acknowledged) < VOTES
    assert not lost, f"acknowledged but lost: {sorted(lost)[:5]}"
    assert "ERROR bot." not in bot.log()


GUILD, CHANNEL, OWNER = 500, 501, 600


async def test_kill_9_with_1000_discord_votes_in_flight_loses_no_acknowledged_vote(tmp_path: Path) -> None:
    """The same on Discord (the local fake gateway): an interaction is in the inbox before the bot's
    first answer (the reply or the defer); every vote whose interaction was answered is stored."""
    if not _has_setup(POLLS):
        pytest.skip("needs cogs.polls")
    from bot.testing.fake_discord import FakeDiscord

    db = tmp_path / "bot.db"
    fake = FakeDiscord()
    fake.add_guild(GUILD, "Cohort 7", owner_id=OWNER, channels=[{"id": CHANNEL, "name": "general"}],
                   members=[{"id": OWNER, "username": "owner"}])
    await fake.start()
    bot = BotProcess(tmp_path, DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base,
                     DISCORD_GATEWAY_URL=fake.gateway_url, DISCORD_GUILD_IDS=str(GUILD))
    try:
        async with aiohttp.ClientSession() as http:
            bot.start()
            await bot.ready(http)
            options = [{"type": 3, "name": "question", "value": "Best day?"},
                       {"type": 3, "name": "options", "value": "Mon; Tue; Wed"}]
            await fake.send_interaction_command(GUILD, CHANNEL, OWNER, "poll",
                                                [{"type": 1, "name": "create", "options": options}])
            await _until(lambda: db.exists() and (sqlite_rows(db, "SELECT message_id FROM poll WHERE id = 1")
                                                  or [(None,)])[0][0], 30, "the poll")
            [(message_id,)] = sqlite_rows(db, "SELECT message_id FROM poll WHERE id = 1")

            voter_of: dict[str, str] = {}  # interaction id -> voter's user id
            for n in range(VOTES):
                user = str(700_000 + n)
                fake.state.add_member(str(GUILD), user, f"voter{n}")
                sent = await fake.send_interaction_component(GUILD, CHANNEL, user, message_id, f"poll:vote:1:{n % 3 + 1}")
                voter_of[str(sent["id"])] = user
                if len(_answered(fake, voter_of)) >= KILL_AFTER:
                    break
                if n % 50 == 49:
                    await asyncio.sleep(0)  # let the fake serve the bot's answers
            await _until(lambda: len(_answered(fake, voter_of)) >= KILL_AFTER, 60, f"{KILL_AFTER} answers")
            bot.kill()
            acknowledged = _answered(fake, voter_of)
            stored_at_kill = {m for m, in sqlite_rows(db, "SELECT m.external_id FROM poll_voter v JOIN member m "
                                                          "ON m.id = v.member_id WHERE v.poll_id = 1")}
            left = _inbox_rows(db)

            bot.start()
            await bot.ready(http)
            await _until(lambda: _inbox_rows(db) == 0, 180, "the restarted bot to finish the inbox")
            stored = {m for m, in sqlite_rows(db, "SELECT m.external_id FROM poll_voter v JOIN member m "
                                                  "ON m.id = v.member_id WHERE v.poll_id = 1")}
    finally:
        bot.stop()
        await fake.stop()
    lost = acknowledged - stored
    print(f"\nDiscord kill -9: {len(voter_of)} clicks sent, {len(acknowledged)} answered, {len(stored_at_kill)} "
          f"stored at the kill, {left} inbox rows left, {len(stored)} stored after the restart, {len(lost)} lost")
    assert len(acknowledged) >= KILL_AFTER
    assert not lost, f"answered but lost: {sorted(lost)[:5]}"
    assert "ERROR bot." not in bot.log()  # the core and the adapters: no failure (cogs may log a busy fake)


def _answered(fake: Any, voter_of: dict[str, str]) -> set[str]:
    """Voters whose interaction the bot answered (a reply or a defer: Discord then shows no failure)."""
    responses = fake.state.interaction_responses
    return {voter for interaction_id, voter in list(voter_of.items())
            if any(e["kind"] == "callback" for e in responses.get(interaction_id, []))}


async def test_slack_events_left_in_the_inbox_are_counted_at_their_time_after_a_restart(tmp_path: Path) -> None:
    """A message event stored but not handled before a crash is counted when the next process starts,
    at the time it arrived (not at the restart), even though its event id was claimed before the crash;
    one older than the follow-up window is dropped."""
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import create_engine, insert, select, text

    from bot.config import parse_config
    from bot.inbox import TABLE
    from bot.models import ScheduleClaim
    from bot.testing.fake_slack import event_callback_payload, message_event
    from bot.testing.harness import migrated_sqlite
    from bot.testing.slack import SlackBot
    from tests.core.test_inbox import dead_pid

    participation = "cogs.participation"
    url = migrated_sqlite(tmp_path / "slack-bot.db", parse_config("", cogs=[participation]).cogs)
    arrived = datetime.now(timezone.utc) - timedelta(minutes=5)
    async with FakeSlack() as fake:
        fake.add_channel(GENERAL, "general", members=["U1"])
        fake.add_user("U1", "ana")
        engine = create_engine(url)
        with engine.begin() as conn:
            for age, text_ in ((timedelta(minutes=5), "kept"), (timedelta(minutes=45), "too old")):
                body = event_callback_payload(message_event("U1", GENERAL, text_), team_id=fake.team_id)
                conn.execute(insert(TABLE).values(platform="slack", kind="event", owner=f"{socket.gethostname()[:60]}:"
                                                  f"{dead_pid()}:crashed", received_at=datetime.now(timezone.utc) - age,
                                                  payload=json.dumps(body)))
                # the crashed process had claimed the event id (cross-worker dedupe) before handling it
                conn.execute(insert(ScheduleClaim.__table__).values(
                    key=f"slack:event:{body['event_id']}", due_at=datetime.fromtimestamp(body["event_time"], timezone.utc),
                    claimed_at=datetime.now(timezone.utc), claimed_by="crashed"))
        bot = SlackBot(fake, tmpdir=tmp_path, cogs=[participation])
        await bot.start()
        try:
            await bot.idle()
            await bot.app.get_cog("stats").flush()
            await bot.app.inbox.flush()
            with engine.connect() as conn:
                times = conn.execute(text("SELECT created_at FROM participation_event")).scalars().all()
                left = conn.execute(select(TABLE.c.id)).all()
        finally:
            await bot.stop()
            engine.dispose()
    assert len(times) == 1 and left == []
    stored = datetime.fromisoformat(str(times[0])).replace(tzinfo=timezone.utc)
    assert abs(stored - arrived) < timedelta(seconds=30)
