"""The shape of what Slack posts, checked before bolt or a listener reads it.

Only what bolt's matchers and our listeners touch is checked, so a field Slack adds tomorrow
passes. A body that fails is answered 400: a listener never sees ``actions=[{}]``, a ``view``
that is a string, or a JSON ``[]``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ...edge import platform_id

INTERACTIVE_WITH_USER = {"block_actions", "view_submission", "view_closed", "shortcut", "message_action",
                         "block_suggestion", "interactive_message", "dialog_submission"}


def _wrong(container: dict[str, Any], key: str, kind: type | tuple[type, ...], *, required: bool = False) -> bool:
    """True when ``key`` is missing but required, or present (not null) with another type."""
    if key not in container or container[key] is None:
        return required
    value = container[key]
    return not isinstance(value, kind) or (kind is int and isinstance(value, bool))


# What the bot listens for (bot/adapters/slack/app.py); any other interactive type (shortcuts,
# block_suggestion, legacy attachments, workflow steps...) is acknowledged and dropped before bolt,
# whose own middleware assumes each type's fields and would answer 500 with a traceback.
LISTENED = {"block_actions", "view_submission", "event_callback", "url_verification"}


def _ids_problem(data: dict[str, Any]) -> str | None:
    """The fields bolt reads from every payload (team, user, channel, enterprise, authorizations)."""
    for key in ("team", "user", "channel", "enterprise"):
        if _wrong(data, key, (str, dict)):
            return f"{key} is neither text nor an object"
    found = data.get("authorizations")
    if found is not None and (not isinstance(found, list) or not all(isinstance(a, dict) for a in found)):
        return "authorizations is not a list of objects"
    url = data.get("response_url")
    if url is not None and not _is_url(url):
        return "response_url is not a URL"
    return None


# What urlsplit accepts below, for the plain case: an http(s) scheme and a netloc that is not empty.
# An ASCII URL without brackets cannot make urlsplit raise (only IPv6 brackets and non-ASCII
# netlocs do), so this prefix says what it would: a response_url is unique per request, so
# urlsplit's cache never hits, and its full parse cost every command and click ~10 µs.
_PLAIN_URL = re.compile(r"https?://[^/?#]", re.IGNORECASE)


def _is_url(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 2000 or not value.isprintable() or " " in value:
        return False
    if value.isascii() and "[" not in value and "]" not in value and _PLAIN_URL.match(value):
        return True
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _user_problem(data: dict[str, Any]) -> str | None:
    user = data.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
        return "user.id missing"
    if platform_id(user["id"]) is None:  # would reach users.info, the database and the log
        return "user.id is not an id"
    return None


def _actions_problem(data: dict[str, Any]) -> str | None:
    actions = data.get("actions")
    if not isinstance(actions, list) or not actions:
        return "actions missing"
    for action in actions:
        if not isinstance(action, dict) or not isinstance(action.get("action_id"), str):
            return "an action without action_id"
        if _wrong(action, "value", str) or _wrong(action, "block_id", str):
            return "an action with a non-text value"
    for key in ("container", "message", "channel", "state"):
        if _wrong(data, key, dict):
            return f"{key} is not an object"
    return None


def _view_problem(data: dict[str, Any]) -> str | None:
    view = data.get("view")
    if not isinstance(view, dict):
        return "view missing"
    if (_wrong(view, "callback_id", str, required=True) or _wrong(view, "type", str, required=True)
            or _wrong(view, "private_metadata", str)):
        return "view without type or callback_id, or with non-text metadata"
    state = view.get("state")
    if state is None:
        return None
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict) or not all(
            isinstance(block, dict) and all(isinstance(element, dict) for element in block.values())
            for block in values.values()):
        return "view state is not blocks of elements"
    return None


def _event_problem(data: dict[str, Any]) -> str | None:
    event = data.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return "event without a type"
    if _wrong(data, "event_id", str) or _wrong(data, "event_time", int) or _wrong(data, "team_id", str):
        return "event_id, event_time or team_id of the wrong type"
    return None


def _command_problem(form: dict[str, Any]) -> str | None:
    command, user = form.get("command"), form.get("user_id")
    if not isinstance(command, str) or not command.startswith("/") or not user:
        return "not a slash command"
    for key in ("user_id", "team_id", "channel_id"):  # would reach users.info, the database and the log
        if form.get(key) is not None and platform_id(form[key]) is None:
            return f"{key} is not an id"
    return _ids_problem(form)


def payload_problem(data: Any, *, form: bool = False) -> str | None:
    """None for a body Slack could have sent; otherwise a short reason (never the input itself)."""
    if not isinstance(data, dict):
        return "body is not an object"
    if form:  # a form without payload=: a slash command, or Slack's ssl_check
        return None if "ssl_check" in data else _command_problem(data)
    kind = data.get("type")
    if not isinstance(kind, str):
        return "no type"
    if problem := _ids_problem(data):
        return problem
    if kind == "event_callback":
        return _event_problem(data)
    if kind == "url_verification":
        return None if isinstance(data.get("challenge"), str) else "challenge missing"
    if kind in INTERACTIVE_WITH_USER and (problem := _user_problem(data)):
        return problem
    if kind == "block_actions":
        return _actions_problem(data)
    if kind in ("view_submission", "view_closed"):
        return _view_problem(data)
    return None


def unheard(data: Any) -> str | None:
    """For a well-formed payload the bot has no listener for: why it is dropped (acknowledged)."""
    kind = data.get("type") if isinstance(data, dict) else None
    if kind is None or kind in LISTENED:
        return None  # a slash command or ssl_check (a form), or one of ours
    return f"a {str(kind)[:30]!r} request, which the bot does not listen for"
