"""What the gate hands the inbox claim: a click's or an event's JSON exactly as Slack sent it (the
inbox stores that text instead of encoding the parsed body again), which reads back as the body
a listener gets; a slash command (a form, no JSON) hands none and the inbox encodes its fields."""

from __future__ import annotations

import json
from typing import Any

from bot.adapters.slack.gate import RequestGate
from bot.testing.fake_slack import block_actions_body, event_callback_body, signed_headers, slash_command_body

SECRET = "s3cret"


async def passed_to_claim(body: str) -> tuple[Any, str | None]:
    seen: list[tuple[Any, str | None]] = []

    async def claim(signature: str, timestamp: float, data: Any, text: str | None) -> bool:
        seen.append((data, text))
        return True

    verdict = await RequestGate(SECRET, claim=claim).check(signed_headers(SECRET, body), body.encode())
    assert verdict.passed, verdict.reason
    assert seen and seen[0][0] is verdict.body  # the body bolt gets is the one claimed
    return seen[0]


async def test_a_click_is_claimed_with_the_json_slack_sent() -> None:
    message = {"type": "message", "ts": "1.2", "text": "Best day? é \u2603",
               "blocks": [{"type": "actions", "elements": [{"type": "button", "action_id": "p:1", "value": "p:1"}]}]}
    body = block_actions_body("p:1", value="p:1", user_id="U1", team_id="T1", channel_id="C1", message_ts="1.2",
                              message=message, response_url="https://hooks.slack.com/actions/T1/1/x")
    data, text = await passed_to_claim(body)
    assert text is not None and json.loads(text) == data and data["message"]["text"] == "Best day? é \u2603"
    assert text == json.dumps(json.loads(text))  # Slack's bytes, not a re-encoding (ours is compact)


async def test_an_event_is_claimed_with_its_body_text() -> None:
    body = event_callback_body({"type": "message", "user": "U1", "channel": "C1", "ts": "1.3", "text": "hi"},
                               team_id="T1", event_id="Ev1")
    data, text = await passed_to_claim(body)
    assert text == body and json.loads(text) == data


async def test_a_slash_command_has_no_json_text() -> None:
    body = slash_command_body("/poll", "create", user_id="U1", team_id="T1", channel_id="C1",
                              response_url="https://hooks.slack.com/commands/T1/1/x")
    data, text = await passed_to_claim(body)
    assert text is None and data["command"] == "/poll"
