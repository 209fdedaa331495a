"""Requests that used to hurt: malformed and replayed Slack requests at the real HTTP server,
clicks that name the wrong message or someone else's button, huge ids, invalid UTF-8 on the console.

The Slack tests run the real aiohttp server and slack-bolt app (bot.testing.slack.SlackBot)
against the local fake Slack Web API; the requests are the bytes a tester would send with curl.
"""

from __future__ import annotations

import json
import logging
import subprocess
import time
from pathlib import Path
from typing import Any, AsyncIterator
from urllib.parse import urlencode

import pytest
from sqlmodel import select

from bot.models import Member
from bot.testing import Harness
from bot.testing.fake_slack import FakeSlack, block_actions_payload, sign, slash_command_body
from bot.testing.slack import SlackBot

from .helpers import child_env, python

GENERAL = "C0GENERAL"
POLLS = ["cogs.polls", "cogs.participation"]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_channel(GENERAL, "general", members=["U1", "U2"])
        fake.add_user("U1", "ana")
        fake.add_user("U2", "ben")
        yield fake


@pytest.fixture
async def bot(fake: FakeSlack, tmp_path: Path) -> AsyncIterator[SlackBot]:
    bot = await SlackBot(fake, tmpdir=tmp_path, cogs=POLLS).start()
    yield bot
    await bot.stop()


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


async def raw_post(bot: SlackBot, body: bytes, headers: dict[str, str]) -> int:
    async with bot.http.post(f"{bot.url}/slack/events", data=body, headers=headers) as response:
        await response.read()
        return response.status


def unsigned_corpus(secret: str) -> list[tuple[bytes, dict[str, str]]]:
    """What a tester sends with curl: no signature, garbage signatures and timestamps, broken bodies."""
    now = str(int(time.time()))
    good = sign(secret, b"{}", int(now))["X-Slack-Signature"]
    json_type = {"Content-Type": "application/json"}
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    return [
        (b"{", json_type),
        (b"{", {**json_type, "X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": good}),
        (b"{}", {**json_type, "X-Slack-Request-Timestamp": "1796109854.5", "X-Slack-Signature": good}),
        (b"{}", {**json_type, "X-Slack-Request-Timestamp": "1796109854", "X-Slack-Signature": good}),
        (b"{}", {**json_type, "X-Slack-Request-Timestamp": "-1", "X-Slack-Signature": good}),
        (b"{}", {**json_type, "X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=ünïcødé"}),
        (b"{}", {**json_type, "X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + "0" * 64}),
        (bytes(range(256)), {"Content-Type": "application/octet-stream"}),
        (bytes(range(256)), {**json_type, "X-Slack-Request-Timestamp": now, "X-Slack-Signature": good}),
        (b"payload=notjson", form_type),
        (b"payload=%7B", {**form_type, "X-Slack-Request-Timestamp": now, "X-Slack-Signature": good}),
        (b"", {}),
        (b"[]", json_type),
        (b"x" * 100_000, form_type),
    ]


async def test_unsigned_malformed_requests_are_refused_with_one_short_rate_limited_line(
        bot: SlackBot, fake: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    corpus = unsigned_corpus(fake.signing_secret)
    statuses = [await raw_post(bot, body, headers) for _ in range(15) for body, headers in corpus]
    assert len(statuses) >= 200
    assert set(statuses) <= {400, 401}, sorted(set(statuses))
    assert statuses.count(401) == len(statuses)  # unsigned: refused before the body is even decoded
    assert tracebacks(caplog) == []
    refusals = [r for r in caplog.records if r.name == "bot.adapters.slack.gate"]
    assert len(refusals) == 1 and len(refusals[0].getMessage()) < 120  # rate-limited: one line a minute
    assert bot.adapter.gate.counts == {401: len(statuses)}
    assert not fake.calls_to("chat.postMessage") and not fake.calls_to("users.info")


def signed_corpus(fake: FakeSlack) -> list[str]:
    """Signed (so they pass the signature) but not what Slack sends."""
    team = fake.team_id

    def interactive(payload: dict[str, Any]) -> str:
        return urlencode({"payload": json.dumps(payload)})

    click = block_actions_payload("poll:vote:1:1", user_id="U1", team_id=team, channel_id=GENERAL,
                                  message_ts="1700000000.000100", response_url=fake.response_url(GENERAL))
    user = {"id": "U1", "team_id": team}
    return [
        interactive({**click, "actions": [{}]}),
        interactive({**click, "actions": []}),
        interactive({**click, "actions": "poll:vote:1:1"}),
        interactive({**click, "actions": [{"action_id": 7}]}),
        interactive({**click, "container": "x", "message": [1]}),
        interactive({"type": "block_actions", "actions": [{"action_id": "a"}]}),  # no user
        interactive({"type": "view_submission", "user": user, "team": {"id": team}, "view": "x"}),
        interactive({"type": "view_submission", "user": user, "team": {"id": team},
                     "view": {"type": "modal", "callback_id": "poll:submit:1", "private_metadata": {"channel": {"a": 1}},
                              "state": {"values": {}}}}),
        interactive({"type": "view_submission", "user": user, "team": {"id": team},
                     "view": {"type": "modal", "callback_id": "poll:submit:1", "private_metadata": "{not json",
                              "state": {"values": {"b": "not an object"}}}}),
        interactive({"type": "view_submission", "user": user, "team": {"id": team},
                     "view": {"type": "modal", "callback_id": "poll:submit:1", "private_metadata": '{"message": [1], "channel": 5}',
                              "state": {"values": {}}}}),
        interactive([]),  # type: ignore[arg-type]
        "payload=notjson",
        "[]",
        '{"type": "event_callback", "event": "message"}',
        '{"type": "event_callback", "event": {"type": "message"}, "event_time": "soon"}',
        '{"type": 5}',
        "command=poll&user_id=",
        "text=hello",
    ]


async def test_signed_malformed_payloads_get_400_or_are_ignored_without_a_traceback(
        bot: SlackBot, fake: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    statuses = {body: (await bot.post(body))[0] for body in signed_corpus(fake)}
    await bot.idle()
    assert all(status in (200, 400) for status in statuses.values()), statuses
    assert tracebacks(caplog) == []
    # the shapes no listener could read never got past the gate
    assert statuses["[]"] == 400 and statuses["payload=notjson"] == 400
    assert sum(1 for s in statuses.values() if s == 400) >= len(statuses) - 2, statuses
    # and the bot is fine: a real command still works
    status, _ = await bot.command("/poll", 'create question:"Still up?" options:"Yes; No"', user="U1")
    await bot.idle()
    assert status == 200 and "Still up?" in fake.messages[GENERAL][-1]["text"]


async def test_a_replayed_signed_request_is_processed_once_even_by_another_process(
        fake: FakeSlack, tmp_path: Path) -> None:
    first = await SlackBot(fake, tmpdir=tmp_path, cogs=POLLS).start()
    second = await SlackBot(fake, tmpdir=tmp_path, cogs=POLLS).start()  # another worker, same database
    try:
        body = slash_command_body("/poll", 'create question:"Lunch?" options:"Pizza; Soup"', user_id="U1",
                                  team_id=fake.team_id, channel_id=GENERAL, response_url=fake.response_url(GENERAL))
        headers = sign(fake.signing_secret, body)  # one timestamp, one signature: the same bytes every time
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        statuses = [await raw_post(first, body.encode(), headers), await raw_post(first, body.encode(), headers),
                    await raw_post(second, body.encode(), headers)]
        await first.idle()
        await second.idle()
        assert statuses == [200, 200, 200]  # a replay is acknowledged (nothing to retry) and dropped
        polls = [m for m in fake.messages[GENERAL] if "Lunch?" in m["text"]]
        assert len(polls) == 1, [m["text"] for m in fake.messages[GENERAL]]
        assert second.adapter.gate.counts == {200: 1} and first.adapter.gate.counts == {200: 1}
    finally:
        await second.stop()
        await first.stop()


async def test_a_click_naming_another_message_cannot_rewrite_it(bot: SlackBot, fake: FakeSlack) -> None:
    await bot.command("/poll", 'create question:"Best day?" options:"Mon; Tue"', user="U1")
    await bot.idle()
    poll_message = fake.messages[GENERAL][-1]
    text_before = poll_message["text"]
    assert bot.db is not None
    with bot.db.session() as session:
        ana = session.exec(select(Member).where(Member.external_id == "U1")).one()
    seen = {id(r) for r in fake.responses}
    # ana's own "Cancel" from /privacy forget, sent with the poll message's ts and a copy of it
    await bot.click(f"privacy:cancel:{ana.id}", value=f"privacy:cancel:{ana.id}", user="U1", channel=GENERAL,
                    message_ts=poll_message["ts"])
    await bot.idle()
    answer = await fake.wait_for_response(predicate=lambda r: id(r) not in seen)
    assert answer["text"] == "Nothing was erased." and answer["response_type"] == "ephemeral"  # only to ana
    assert poll_message["text"] == text_before and poll_message["edit_count"] == 0
    assert not fake.calls_to("chat.update")
    # the poll's own button on the poll's own message still works
    vote = next(e for b in poll_message["blocks"] if b["type"] == "actions" for e in b["elements"])
    await bot.click(vote["action_id"], value=vote["value"], user="U2", channel=GENERAL, message_ts=poll_message["ts"])
    await bot.idle()
    assert "Vote recorded" in (await fake.wait_for_response(predicate=lambda r: "Vote" in r.get("text", "")))["text"]


async def test_personal_buttons_answer_only_their_member() -> None:
    async with Harness(cogs=POLLS) as bot:
        asked = await bot.command("/privacy forget", as_="ana")
        cancel = next(b for b in asked.reply.content.buttons if b.label == "Cancel")
        other = await bot.click(cancel.action_id, as_="ben")
        assert other.error and "belongs to someone else" in other.text
        mine = await bot.click(cancel.action_id, as_="ana")
        assert "Nothing was erased" in mine.text


async def test_huge_ids_get_a_clear_error_not_something_went_wrong() -> None:
    async with Harness(cogs=POLLS) as bot:
        await bot.command('/poll create question:"Q?" options:"A; B"', as_="ivy", role="instructor")
        for line in ("/poll results 99999999999999999999", "/poll close 9223372036854775808",
                     "/poll results -99999999999", "/poll export 2147483648"):
            result = await bot.command(line, as_="ivy", role="instructor")
            assert result.error and "too" in result.text and "Something went wrong" not in result.text, result
        for action in ("poll:vote:9223372036854775808:1", "poll:vote:1:99999999999999999999",
                       "poll:results:-9223372036854775809", "privacy:cancel:1e9", "poll:vote:1:٣"):
            result = await bot.click(action, as_="ben")
            assert result.error and "no longer works" in result.text, (action, result)
        assert bot.app.errors.last_reference is None  # nothing was an unexpected error


def test_invalid_utf8_on_the_console_is_a_message_not_a_crash(tmp_path: Path) -> None:
    config = tmp_path / "schedules.yaml"
    config.write_text("cogs: [cogs.polls, cogs.participation]\n")
    env = child_env(DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}", BOT_CONFIG=str(config), BOT_ADAPTERS="console",
                    LC_ALL="C", PYTHONIOENCODING="")
    lines = b"caf\xe9 au lait\n\xff\xfe\xfd\n/poll create question:\"Caf\xe9?\" options:\"A; B\"\n/stats me\n"
    done = subprocess.run([python(), "-m", "bot", "run"], input=lines, cwd=tmp_path, env=env,
                          capture_output=True, timeout=120)
    out = done.stdout.decode("utf-8", "replace")
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert "Something went wrong" not in out and "Traceback" not in done.stderr.decode()
    assert "Caf\ufffd?" in out  # the poll was created, the bad byte shown as a replacement character
    assert "Your activity" in out or "messages" in out.lower(), out[-1500:]
