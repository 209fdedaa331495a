"""Build the requests Slack sends to an app: signed headers, slash commands, interactions, events.

The *_payload functions return the dicts Slack puts in Socket Mode envelopes; the *_body
functions return the same thing encoded as Slack POSTs it over HTTP.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from bot.testing.fake_slack.workspace import TsClock

API_APP_ID = "A0FAKE"
VERIFICATION_TOKEN = "fake-verification-token"
_event_clock = TsClock(start_seconds=1_750_000_000)
_ids = itertools.count(1)


def _next_id(prefix: str) -> str:
    return f"{prefix}{next(_ids):010d}"


def sign(secret: str, body: bytes | str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's request-signing headers: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")."""
    ts = int(time.time()) if timestamp is None else timestamp
    raw = body.encode() if isinstance(body, str) else body
    digest = hmac.new(secret.encode(), b"v0:" + str(ts).encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def signed_headers(secret: str, body: bytes | str, timestamp: int | None = None) -> dict[str, str]:
    """sign() plus the Content-Type Slack uses for this body (JSON for events, form otherwise)."""
    text = body.decode() if isinstance(body, bytes) else body
    content_type = "application/json" if text.lstrip().startswith("{") else "application/x-www-form-urlencoded"
    return {**sign(secret, body, timestamp), "Content-Type": content_type}


def _user(user_id: str, team_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def slash_command_payload(
    command: str = "/poll",
    text: str = "",
    *,
    user_id: str,
    team_id: str,
    channel_id: str,
    response_url: str,
    trigger_id: str | None = None,
    channel_name: str = "general",
) -> dict[str, str]:
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": "fake-workspace",
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or _next_id("trigger."),
    }


def slash_command_body(command: str = "/poll", text: str = "create question:Best?", **kwargs: Any) -> str:
    """Form-encoded like Slack sends; keyword arguments as slash_command_payload."""
    return urlencode(slash_command_payload(command, text, **kwargs))


def block_actions_payload(
    action_id: str,
    *,
    value: str | None = None,
    user_id: str,
    team_id: str,
    channel_id: str,
    message_ts: str,
    response_url: str,
    message: dict[str, Any] | None = None,
    block_id: str = "actions",
    trigger_id: str | None = None,
) -> dict[str, Any]:
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "type": "button",
        "text": {"type": "plain_text", "text": action_id},
        "action_ts": _event_clock.next(),
    }
    if value is not None:
        action["value"] = value
    return {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel_id, "is_ephemeral": False},
        "trigger_id": trigger_id or _next_id("trigger."),
        "team": {"id": team_id, "domain": "fake-workspace"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": "general"},
        "message": message or {"type": "message", "ts": message_ts, "text": "", "user": "UBOT"},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }


def block_actions_body(action_id: str, **kwargs: Any) -> str:
    """Form-encoded payload=<json>, as Slack posts interactions."""
    return urlencode({"payload": json.dumps(block_actions_payload(action_id, **kwargs))})


def _state_values(values: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Accept {block: {action: "text"}} shorthand as well as Slack's full element states."""
    return {
        block_id: {
            action_id: state if isinstance(state, dict) else {"type": "plain_text_input", "value": state}
            for action_id, state in actions.items()
        }
        for block_id, actions in values.items()
    }


def view_submission_payload(
    callback_id: str,
    values: dict[str, dict[str, Any]],
    *,
    user_id: str,
    team_id: str,
    private_metadata: str = "",
    view_id: str | None = None,
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "fake-workspace"},
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": _next_id("trigger."),
        "view": {
            "id": view_id or _next_id("V"),
            "team_id": team_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "title": {"type": "plain_text", "text": callback_id[:24] or "View"},
            "blocks": [],
            "state": {"values": _state_values(values)},
            "hash": f"{_event_clock.next()}.fake",
            "app_id": API_APP_ID,
            "bot_id": "B0001",
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_submission_body(callback_id: str, values: dict[str, dict[str, Any]], **kwargs: Any) -> str:
    return urlencode({"payload": json.dumps(view_submission_payload(callback_id, values, **kwargs))})


def event_callback_payload(
    event: dict[str, Any],
    *,
    team_id: str,
    event_id: str | None = None,
    event_time: int | None = None,
    bot_user_id: str = "UBOT",
) -> dict[str, Any]:
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or _next_id("Ev"),
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


def event_callback_body(event: dict[str, Any], **kwargs: Any) -> str:
    """JSON, as Slack posts Events API callbacks."""
    return json.dumps(event_callback_payload(event, **kwargs))


def _channel_type(channel: str) -> str:
    return {"D": "im", "G": "group"}.get(channel[:1], "channel")


def message_event(
    user: str,
    channel: str,
    text: str = "",
    *,
    ts: str | None = None,
    thread_ts: str | None = None,
    subtype: str | None = None,
    bot_id: str | None = None,
) -> dict[str, Any]:
    ts = ts or _event_clock.next()
    event: dict[str, Any] = {
        "type": "message",
        "user": user,
        "channel": channel,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": _channel_type(channel),
    }
    optional = {"thread_ts": thread_ts, "subtype": subtype, "bot_id": bot_id}
    event.update({k: v for k, v in optional.items() if v is not None})
    return event


def reaction_event(
    user: str, item_channel: str, item_ts: str, reaction: str = "thumbsup", added: bool = True,
    *, item_user: str | None = None,
) -> dict[str, Any]:
    """``item_user``: who wrote the reacted message (Slack sends it for messages by a user)."""
    event: dict[str, Any] = {
        "type": "reaction_added" if added else "reaction_removed",
        "user": user,
        "reaction": reaction,
        "item": {"type": "message", "channel": item_channel, "ts": item_ts},
        "event_ts": _event_clock.next(),
    }
    if item_user is not None:
        event["item_user"] = item_user
    return event


def team_join_event(user: str, *, team: str = "T0001", name: str | None = None, is_bot: bool = False) -> dict[str, Any]:
    """``team_join``: a new member of the workspace (its ``user`` is a full user object)."""
    return {
        "type": "team_join",
        "user": {"id": user, "team_id": team, "name": name or user.lower(), "real_name": name or user,
                 "deleted": False, "is_bot": is_bot, "is_admin": False,
                 "profile": {"display_name": name or user, "real_name": name or user}},
        "event_ts": _event_clock.next(),
    }


def member_joined_event(user: str, channel: str, *, team: str = "T0001") -> dict[str, Any]:
    return {
        "type": "member_joined_channel",
        "user": user,
        "channel": channel,
        "channel_type": "G" if channel.startswith("G") else "C",
        "team": team,
        "event_ts": _event_clock.next(),
    }
