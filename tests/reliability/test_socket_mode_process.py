"""``python -m bot run`` in Slack Socket Mode (SLACK_APP_TOKEN), against the fake's websocket:
the malformed-envelope corpus leaves the process up, acknowledged and without a traceback, and
``kill -9`` in a burst of votes loses no vote whose envelope the bot acknowledged.

In Socket Mode the ack is a frame back on the websocket; once Slack has it, it never sends the
envelope again. test_crash_inbox.py proves the same for HTTP (the 200); these run the real process,
not ScreenedSocketModeHandler in-process (test_slack_edge.py).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qsl

import aiohttp
import pytest

from bot.config import _has_setup
from bot.testing.fake_slack import (FakeSlack, block_actions_payload, event_callback_payload, message_event,
                                    slash_command_payload)

from . import corpus
from .helpers import add_voters, sqlite_rows
from .test_crash_inbox import POLLS, BotProcess, _inbox_rows, _until, _voters

GENERAL = corpus.GENERAL
VOTES = 600
KILL_AFTER = 200  # acks before the SIGKILL


class SocketProcess(BotProcess):
    def __init__(self, fake: FakeSlack, tmp_path: Path) -> None:
        super().__init__(tmp_path, SLACK_BOT_TOKEN=fake.bot_token, SLACK_APP_TOKEN=fake.app_token,
                         SLACK_API_URL=fake.api_url)
        self.fake = fake

    async def connected(self, http: aiohttp.ClientSession, connections: int) -> None:
        await self.ready(http)
        await self.fake.wait_for_socket_connections(connections, timeout=30)


def envelope(kind: Any, payload: Any, **extra: Any) -> dict[str, Any]:
    return {"envelope_id": str(uuid.uuid4()), "type": kind, "payload": payload,
            "accepts_response_payload": kind != "events_api", **extra}


def broken_frames(team: str) -> Iterator[tuple[str, str | bytes]]:
    """Frames that are not an envelope at all: not JSON, JSON that is not an object, no envelope_id
    (or not a string), binary; none can be acknowledged (there is no id to ack)."""
    click = block_actions_payload("poll:vote:1:1", user_id="U2", team_id=team, channel_id=GENERAL,
                                  message_ts="1700000000.000100", response_url="https://example.invalid/r")
    for label, frame in [("{", "{"), ("{not json", "{not json"), ("text", "hello"), ("empty", ""),
                         ("a list", "[1, 2]"), ("null", "null"), ("a number", "5"), ("NUL", "{\0}"),
                         ("lone surrogate", '{"type": "\\ud800"}'), ("deep nesting", "[" * 100_000 + "]" * 100_000),
                         ("no envelope_id", json.dumps({"type": "interactive", "payload": click})),
                         ("envelope_id a number", json.dumps({"type": "interactive", "envelope_id": 5, "payload": {}})),
                         ("binary", bytes(range(256)))]:
        yield label, frame


def odd_envelopes(team: str, response_url: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Envelopes with an id that Slack never sends: payloads of the wrong type, unknown types, huge
    frames, and the HTTP corpus's signed bodies as the envelope each would arrive in."""
    for kind in ("interactive", "slash_commands", "events_api"):
        yield f"{kind} no payload", {k: v for k, v in envelope(kind, {}).items() if k != "payload"}
        for label, payload in [("a string", "x"), ("a list", [1]), ("null", None), ("a number", 5), ("empty", {})]:
            yield f"{kind} payload {label}", envelope(kind, payload)
    for kind in ("zzz", "hello", 5, None, ["interactive"]):
        yield f"type {kind!r}", envelope(kind, {"team": {"id": team}})
    event = event_callback_payload(message_event("U2", GENERAL, "x" * 1_000_000), team_id=team)
    yield "1 MB message event", envelope("events_api", event)
    yield "1 MB command text", envelope("slash_commands", slash_command_payload(
        "/poll", "results " + "9" * 1_000_000, user_id="U2", team_id=team, channel_id=GENERAL, response_url=response_url))
    yield "retry_attempt a string", envelope("events_api", event_callback_payload(
        message_event("U2", GENERAL, "hi"), team_id=team), retry_attempt="x", retry_reason={"a": 1})
    for label, body, content_type in corpus.signed(team, response_url):
        if content_type == corpus.JSON:
            yield f"HTTP corpus: {label}", envelope("events_api", json.loads(body))
            continue
        form = dict(parse_qsl(body, keep_blank_values=True))
        if "payload" in form:
            yield f"HTTP corpus: {label}", envelope("interactive", json.loads(form["payload"]))
        else:
            yield f"HTTP corpus: {label}", envelope("slash_commands", form)


async def test_malformed_frames_and_envelopes_leave_the_socket_mode_process_up_and_quiet(tmp_path: Path) -> None:
    async with FakeSlack() as fake, aiohttp.ClientSession() as http:
        fake.add_channel(GENERAL, "general", members=["U1", "U2"])
        fake.add_user("U1", "ana")
        fake.add_user("U2", "ben")
        bot = SocketProcess(fake, tmp_path)
        bot.start()
        try:
            await bot.connected(http, 1)
            for _, frame in broken_frames(fake.team_id):
                await fake.send_socket_frame(frame)
            sent: dict[str, Any] = {}
            for label, data in odd_envelopes(fake.team_id, fake.response_url(GENERAL)):
                await fake.send_socket_frame(json.dumps(data))
                sent[label] = data["envelope_id"]
            try:
                await _until(lambda: all(e in fake.socket_acks for e in sent.values()), 20, "the acks")
            except AssertionError:
                pass  # said below, by label
            unacked = [label for label, e in sent.items() if e not in fake.socket_acks]
            assert unacked == [], unacked
            # a frame over the client's 4 MB limit breaks the websocket: the bot opens a new one at once
            try:
                await fake.send_socket_frame(json.dumps(envelope("events_api", {"x": "y" * 5_000_000})))
            except ConnectionError:
                pass  # the client closed it mid-frame
            await fake.wait_for_socket_connections(2, timeout=10)
            # and the bot still answers, on whatever connection it has now
            assert bot.process.poll() is None, bot.log()
            still = envelope("slash_commands", slash_command_payload(
                "/poll", 'create question:"Still up?" options:"Yes; No"', user_id="U1", team_id=fake.team_id,
                channel_id=GENERAL, response_url=fake.response_url(GENERAL)))
            await fake.send_socket_frame(json.dumps(still))
            await fake.wait_for_call("chat.postMessage", predicate=lambda c: "Still up?" in str(c.params), timeout=30)
            await asyncio.sleep(1)  # what the handlers log after their ack
            alive = bot.process.poll() is None
        finally:
            bot.stop()
    log = (tmp_path / "stderr.log").read_text(errors="replace")
    print(f"\nSocket Mode corpus: {len(list(broken_frames('T')))} broken frames, {len(sent)} odd envelopes, "
          f"{len(sent) - len(unacked)} acknowledged, {fake.socket_connections} connection(s)")
    assert alive
    assert unacked == [], unacked
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]


async def test_kill_9_in_a_burst_of_socket_mode_votes_loses_no_acknowledged_vote(tmp_path: Path) -> None:
    if not _has_setup(POLLS):
        pytest.skip("needs cogs.polls")
    db = tmp_path / "bot.db"
    async with FakeSlack() as fake, aiohttp.ClientSession() as http:
        add_voters(fake, GENERAL, VOTES)
        bot = SocketProcess(fake, tmp_path)
        bot.start()
        try:
            await bot.connected(http, 1)
            create = slash_command_payload("/poll", 'create question:"Best day?" options:"Mon; Tue; Wed"',
                                           user_id="UIVY", team_id=fake.team_id, channel_id=GENERAL,
                                           response_url=fake.response_url(GENERAL))
            await fake.wait_for_ack(await fake.send_envelope("slash_commands", create))
            await _until(lambda: db.exists() and (sqlite_rows(db, "SELECT message_id FROM poll WHERE id = 1")
                                                  or [(None,)])[0][0], 30, "the poll")
            [(message_ts,)] = sqlite_rows(db, "SELECT message_id FROM poll WHERE id = 1")

            voter_of: dict[str, str] = {}  # envelope id -> voter
            for n in range(VOTES):
                user = f"UV{n:04d}"
                click = block_actions_payload(f"poll:vote:1:{n % 3 + 1}", value=f"poll:vote:1:{n % 3 + 1}",
                                              user_id=user, team_id=fake.team_id, channel_id=GENERAL,
                                              message_ts=message_ts, response_url=fake.response_url(GENERAL))
                voter_of[await fake.send_envelope("interactive", click)] = user
                if len(_acked(fake, voter_of)) >= KILL_AFTER:
                    break
                if n % 20 == 19:
                    await asyncio.sleep(0.01)  # a burst, not one frame: let the acks come back
            await _until(lambda: len(_acked(fake, voter_of)) >= KILL_AFTER, 60, f"{KILL_AFTER} acks")
            bot.kill()
            acknowledged = _acked(fake, voter_of)
            stored_at_kill, left = _voters(db), _inbox_rows(db)

            bot.start()
            await bot.connected(http, 2)
            await _until(lambda: _inbox_rows(db) == 0, 120, "the restarted bot to finish the inbox")
            stored = _voters(db)
        finally:
            bot.stop()
    lost = acknowledged - stored
    print(f"\nSocket Mode kill -9: {len(voter_of)} votes sent, {len(acknowledged)} acknowledged, {len(stored_at_kill)} "
          f"stored at the kill, {left} inbox rows left, {len(stored)} stored after the restart, {len(lost)} lost")
    assert len(acknowledged) >= KILL_AFTER
    assert not lost, f"acknowledged but lost: {sorted(lost)[:5]}"
    assert "ERROR bot." not in bot.log()


def _acked(fake: FakeSlack, voter_of: dict[str, str]) -> set[str]:
    acks = fake.socket_acks
    return {voter for envelope_id, voter in list(voter_of.items()) if envelope_id in acks}
