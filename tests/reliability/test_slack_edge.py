"""More of what a signed request (or a Socket Mode envelope) can carry that Slack never sends,
and the dashboard's "Sign in with Slack" settings, which silenced the whole Slack adapter.

Found by replaying a corpus against the real ``python -m bot run`` (test_malformed_corpus.py):
each answered 500 with a traceback, or a traceback after the ack, before the fix.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, AsyncIterator
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.testing.fake_slack import FakeSlack, block_actions_payload, event_callback_payload, message_event
from bot.testing.slack import SlackBot

GENERAL = "C0GENERAL"
POLLS = ["cogs.polls", "cogs.participation"]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_channel(GENERAL, "general", members=["U1", "U2"])
        fake.add_user("U1", "ana")
        fake.add_user("U2", "ben")
        yield fake


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


def interactive(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def corpus(fake: FakeSlack) -> dict[str, tuple[str, int]]:
    """label -> (signed body, the status it must get)."""
    team, user = fake.team_id, {"id": "U2", "team_id": fake.team_id, "name": "ben"}
    click = block_actions_payload("poll:vote:1:1", user_id="U2", team_id=team, channel_id=GENERAL,
                                  message_ts="1700000000.000100", response_url=fake.response_url(GENERAL))
    event = event_callback_payload(message_event("U2", GENERAL, "hi"), team_id=team)

    def view(values: Any, meta: str = "") -> str:
        return interactive({"type": "view_submission", "team": {"id": team}, "user": user,
                            "view": {"type": "modal", "callback_id": "poll:submit:1", "private_metadata": meta,
                                     "state": {"values": values}}})

    def other(kind: str) -> str:
        return interactive({"type": kind, "team": {"id": team}, "user": user, "callback_id": "c", "action_id": "x"})

    return {
        # bolt's middleware assumed each type's own fields (KeyError 'actions' / 'workflow_step': 500)
        "interactive_message": (other("interactive_message"), 200),
        "workflow_step_edit": (other("workflow_step_edit"), 200),
        "block_suggestion": (other("block_suggestion"), 200),
        "shortcut": (other("shortcut"), 200),
        # bolt's request parsing read authorizations[0].get(...): 500
        "authorizations text": (json.dumps({**event, "authorizations": "x"}), 400),
        "authorizations of text": (json.dumps({**event, "authorizations": ["x"]}), 400),
        "team a number": (interactive({**click, "team": 5}), 400),
        "user a list": (interactive({**click, "user": [1]}), 400),
        # the reply to these could not be sent (aiohttp InvalidUrl, logged twice with tracebacks)
        "command response_url": ("command=%2Fstats&text=me&user_id=U2&team_id=" + team +
                                 "&channel_id=" + GENERAL + "&response_url=not+a+url", 400),
        "click response_url": (interactive({**click, "response_url": "javascript:1"}), 400),
        # after the ack, the handler raised (form_values / message_event): a traceback per request
        "selected_option text": (view({"b": {"a": {"type": "static_select", "selected_option": "x"}}}), 200),
        "value an object": (view({"b": {"a": {"type": "plain_text_input", "value": {"x": 1}}}}), 200),
        "subtype an object": (json.dumps({**event, "event": {**event["event"], "subtype": {"a": 1}}}), 200),
        "channel_type a list": (json.dumps({**event, "event": {**event["event"], "channel_type": [1]}}), 200),
    }


async def test_signed_shapes_slack_never_sends_get_400_or_are_ignored_without_a_traceback(
        fake: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with SlackBot(fake, tmpdir=tmp_path, cogs=POLLS) as bot:
        statuses = {label: (await bot.post(body))[0] for label, (body, _) in corpus(fake).items()}
        await bot.idle()
        status, _ = await bot.command("/poll", 'create question:"Still up?" options:"Yes; No"', user="U1")
        await bot.idle()
        assert status == 200 and "Still up?" in fake.messages[GENERAL][-1]["text"]
    assert statuses == {label: expected for label, (_, expected) in corpus(fake).items()}
    assert tracebacks(caplog) == []
    assert not [r for r in caplog.records if "Unhandled request" in r.getMessage()]  # bolt's multi-line hint


async def test_socket_mode_envelopes_slack_never_sends_are_acknowledged_and_dropped(
        fake: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with SlackBot(fake, tmpdir=tmp_path, cogs=POLLS, socket_mode=True, signing_secret=None) as bot:
        team = fake.team_id
        click = block_actions_payload("poll:vote:1:1", user_id="U2", team_id=team, channel_id=GENERAL,
                                      message_ts="1700000000.000100", response_url=fake.response_url(GENERAL))
        event = event_callback_payload(message_event("U2", GENERAL, "hi"), team_id=team)
        envelopes = [("interactive", {**click, "actions": [{}]}), ("interactive", {**click, "view": "x",
                                                                                    "type": "view_submission"}),
                     ("interactive", {"type": "interactive_message", "user": {"id": "U2"}, "team": {"id": team}}),
                     ("events_api", {**event, "authorizations": "x"}), ("events_api", {**event, "event": "message"}),
                     ("slash_commands", {"command": "poll", "user_id": ""})]
        for kind, payload in envelopes:
            envelope_id = await fake.send_envelope(kind, payload)
            await fake.wait_for_ack(envelope_id)  # acknowledged: Slack does not send it again
        await bot.idle()
        assert await fake.send_envelope("slash_commands", {
            "command": "/poll", "text": 'create question:"Still up?" options:"Yes; No"', "user_id": "U1",
            "team_id": team, "channel_id": GENERAL, "response_url": fake.response_url(GENERAL)})
        await bot.idle()
        await fake.wait_for_call("chat.postMessage")
    assert tracebacks(caplog) == []
    assert len([r for r in caplog.records if r.name == "bot.adapters.slack.socket"]) == 1  # throttled


async def test_dashboard_sign_in_with_slack_settings_do_not_silence_the_slack_adapter(
        fake: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SLACK_CLIENT_ID + SLACK_CLIENT_SECRET (the dashboard's "Sign in with Slack", docs/operations.md)
    made bolt an OAuth app with no installations: every command answered nothing, every event was lost."""
    monkeypatch.setenv("SLACK_CLIENT_ID", "1234.5678")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "client-secret")
    monkeypatch.chdir(tmp_path)  # bolt's OAuth mode would also have written ./data/installations
    async with SlackBot(fake, tmpdir=tmp_path, cogs=POLLS) as bot:
        status, _ = await bot.command("/poll", 'create question:"Lunch?" options:"Pizza; Soup"', user="U1")
        await bot.idle()
        assert status == 200
        assert any("Lunch?" in m["text"] for m in fake.messages.get(GENERAL, []))
    import os
    assert os.environ["SLACK_CLIENT_ID"] == "1234.5678"  # still there for the dashboard


async def test_requests_aiohttp_cannot_parse_are_one_short_line_not_a_traceback_each(
        fake: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with SlackBot(fake, tmpdir=tmp_path, cogs=POLLS) as bot, aiohttp.ClientSession() as http:
        statuses = []
        for n in range(20):
            async with http.get(f"{bot.url}/healthz?x={'a' * (9000 + n)}") as response:
                statuses.append(response.status)
            async with http.get(f"{bot.url}/healthz", headers={"Cookie": "c" * 9000}) as response:
                statuses.append(response.status)
        async with http.get(f"{bot.url}/healthz") as response:
            assert response.status == 200
    assert set(statuses) == {400}
    assert tracebacks(caplog) == []
    lines = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert len(lines) == 1 and len(lines[0].getMessage()) < 100, [r.getMessage() for r in lines]
