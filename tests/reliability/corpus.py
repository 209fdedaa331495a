"""The malformed-request corpus: what a tester sends to every HTTP route of a running bot.

Unsigned garbage (as curl sends it), signed bodies Slack never sends (for every kind of request:
slash commands, clicks on every cog's buttons, form submissions, options requests, events with
odd fields), and the dashboard's and calendar's routes with broken queries, bodies and cookies.
test_malformed_corpus.py replays it against ``python -m bot run``: no 5xx, no traceback.
"""

from __future__ import annotations

import json
import time
from typing import Any, Iterator
from urllib.parse import urlencode

from bot.testing.fake_slack import block_actions_payload, event_callback_payload, message_event, sign

GENERAL = "C0GENERAL"
JSON, FORM = "application/json", "application/x-www-form-urlencoded"
Request = tuple[str, str, str, bytes, dict[str, str]]  # label, method, path, body, headers


def unsigned(secret: str) -> Iterator[Request]:
    """The issue's list: `--data '{'` as JSON, timestamps abc / 1796109854.5, a non-ASCII signature,
    a binary body, payload=notjson."""
    now = str(int(time.time()))
    good = sign(secret, b"{}", int(now))["X-Slack-Signature"]
    for label, body, headers in [
        ("json {", b"{", {"Content-Type": JSON}),
        ("timestamp abc", b"x=1", {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": good}),
        ("timestamp 1796109854.5", b"x=1", {"X-Slack-Request-Timestamp": "1796109854.5", "X-Slack-Signature": good}),
        ("signature non-ASCII", b"x=1", {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=ünï"}),
        ("binary body", bytes(range(256)), {"Content-Type": "application/octet-stream"}),
        ("payload=notjson", b"payload=notjson", {"Content-Type": FORM}),
    ]:
        yield label, "POST", "/slack/events", body, headers


def signed(team: str, response_url: str) -> Iterator[tuple[str, str, str]]:
    """(label, body, content type) to be signed: well signed, not what Slack sends."""
    def command(text: str, **fields: Any) -> str:
        base = {"team_id": team, "channel_id": GENERAL, "user_id": "U2", "user_name": "ben", "command": "/poll",
                "text": text, "response_url": response_url, "trigger_id": "1.2.3", **fields}
        return urlencode({k: v for k, v in base.items() if v is not None})

    def payload(data: Any) -> str:
        return urlencode({"payload": json.dumps(data)})

    click = block_actions_payload("poll:vote:1:1", user_id="U2", team_id=team, channel_id=GENERAL,
                                  message_ts="1700000000.000100", response_url=response_url)
    user = {"id": "U2", "team_id": team, "name": "ben"}
    event = event_callback_payload(message_event("U2", GENERAL, "hi"), team_id=team)
    # the three, then their siblings
    yield "actions=[{}]", payload({**click, "actions": [{}]}), FORM
    yield "bad view metadata", payload({"type": "view_submission", "user": user, "team": {"id": team},
                                        "view": {"type": "modal", "callback_id": "poll:submit:1",
                                                 "private_metadata": "{x", "state": {"values": {}}}}), FORM
    yield "json []", "[]", JSON
    for label, fields in [("no team", {"team_id": None}), ("huge team", {"team_id": "T" * 5000}),
                          ("huge channel", {"channel_id": "C" * 5000}), ("NUL channel", {"channel_id": "C\0"}),
                          ("huge user", {"user_id": "U" * 500}), ("response_url no URL", {"response_url": "no url"}),
                          ("no response_url", {"response_url": None}), ("unknown command", {"command": "/nosuch"})]:
        yield f"command {label}", command("results 1", **fields), FORM
    for text in ("results 99999999999999999999", "close 9223372036854775808", 'create question:"oops',
                 "create question:" + "x" * 100_000, 'create question:"a\0b" options:"A; B"'):
        yield f"command {text[:30]}", command(text), FORM
    actions = ["privacy:cancel:1", "privacy:forget:99999999999999999999", "event:rsvp:x:y", "event:here:-1",
               "event:ics:99999999999999999999", "mentor:checkin:99999999999999999999:yes", "mentor:confirm:abc",
               "mentor:formjoin:x", "queue:done:1", "queue:noshow:99999999999999999999", "poll:vote:1:0",
               "poll:vote:9223372036854775808:1", "poll:answer:1:1", "poll:submit:1", "prompt:approve:1",
               "welcome:intro:1", "welcome:introsave:2", "welcome:rules:1", "::::", "x" * 300, "\0", "poll:vote:١:١"]
    for action in actions:
        yield f"click {action[:40]}", payload(block_actions_payload(
            action, value=action, user_id="U2", team_id=team, channel_id=GENERAL,
            message_ts="1700000000.000100", response_url=response_url)), FORM
    for label, extra in [("team a number", {"team": 5}), ("user a list", {"user": [1]}),
                         ("response_url javascript", {"response_url": "javascript:1"}),
                         ("message blocks text", {"message": {"ts": "1.2", "blocks": "x"}}),
                         ("message ts an object", {"message": {"ts": {"a": 1}}}),
                         ("huge channel", {"container": {"type": "message", "channel_id": "C" * 5000,
                                                         "message_ts": "1.2"}})]:
        yield f"click {label}", payload({**click, **extra}), FORM
    for values, meta in [({"b": {"a": {"type": "static_select", "selected_option": "x"}}}, ""),
                         ({"b": {"a": {"type": "plain_text_input", "value": {"x": 1}}}}, "[1]"),
                         ({"b": {"a": {"type": "plain_text_input", "value": "x" * 100_000}}}, '"text"'),
                         ({}, json.dumps({"channel": "C" * 5000, "message": "9" * 300}))]:
        for callback in ("poll:submit:1", "welcome:introsave:2", "mentor:formjoin:1", "", "poll:submit:99999999999"):
            yield f"view {callback} {str(values)[:30]}", payload({
                "type": "view_submission", "team": {"id": team}, "user": user,
                "view": {"type": "modal", "callback_id": callback, "private_metadata": meta,
                         "state": {"values": values}}}), FORM
    for kind in ("block_suggestion", "shortcut", "message_action", "view_closed", "interactive_message",
                 "dialog_submission", "workflow_step_edit", "zzz"):
        yield f"interactive {kind}", payload({"type": kind, "team": {"id": team}, "user": user, "callback_id": "c",
                                              "action_id": "x", "value": "q"}), FORM
    for label, fields in [("text an object", {"text": {"a": 1}}), ("thread_ts an object", {"thread_ts": {"a": 1}}),
                          ("ts of 500 digits", {"ts": "9" * 500}), ("subtype an object", {"subtype": {"a": 1}}),
                          ("channel an object", {"channel": {"a": 1}}), ("71-character channel", {"channel": "C" * 71}),
                          ("channel_type a list", {"channel_type": [1]})]:
        yield f"event {label}", json.dumps({**event, "event": {**event["event"], **fields}}), JSON
    for body in ({"type": "reaction_added", "user": "U2", "reaction": {"a": 1}, "item": "x"},
                 {"type": "reaction_added", "user": "U2", "item": {"type": "message", "channel": [1], "ts": 5}},
                 {"type": "member_joined_channel", "user": [1], "channel": GENERAL},
                 {"type": "team_join", "user": {"id": {"a": 1}}}, {"type": "app_mention", "text": None}):
        yield f"event {body['type']} {str(body)[30:60]}", json.dumps({**event, "event": body}), JSON
    for label, fields in [("authorizations text", {"authorizations": "x"}), ("event_time huge", {"event_time": 10**18}),
                          ("event a string", {"event": "message"})]:
        yield f"event {label}", json.dumps({**event, **fields}), JSON


def web() -> Iterator[Request]:
    """The dashboard, its OAuth callbacks, the calendar feed and /healthz, without a session."""
    for path in ["/healthz?x=%ff", "/dashboard", "/dashboard/login?t=%ff%fe", "/dashboard/login?t=a.%C3%A9",
                 "/dashboard/login?t=" + "a" * 10_000, "/dashboard/signin?next=%ff", "/dashboard/oauth/x",
                 "/dashboard/oauth/discord/callback", "/dashboard/oauth/discord/callback?code=x&state=y",
                 "/dashboard/oauth/slack/callback?code=%ff&state=%fe", "/dashboard/oauth/discord/callback?error=denied",
                 "/dashboard/oauth/%ff/callback", "/dashboard/c/abc", "/dashboard/c/99999999999999999999",
                 "/dashboard/static/../../etc/passwd", "/calendar/%ff.ics", "/calendar/" + "a" * 5000 + ".ics",
                 "/calendar/..%2f..%2fetc.ics"]:
        yield f"GET {path[:50]}", "GET", path, b"", {}
    for path in ["/dashboard/logout", "/dashboard/c/1/click", "/dashboard/c/1/command", "/healthz", "/slack/events"]:
        yield f"POST {path} multipart", "POST", path, bytes(range(256)), {"Content-Type": "multipart/form-data; boundary=x"}
        yield f"POST {path} cookie", "POST", path, b"csrf=%C3%A9", {"Content-Type": FORM, "Cookie": "cohort_session=%ff"}
    yield "huge cookie", "GET", "/dashboard/c/1", b"", {"Cookie": "x" * 9000}
