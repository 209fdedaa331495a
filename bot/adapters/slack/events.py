"""Slack payloads -> neutral events and invocation fields. Pure functions: no network, no bolt.

Message text never leaves this module: a message becomes its length and its ids.
"""

from __future__ import annotations

import dataclasses
import json
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Any

from ...edge import UnusableField, optional_id, platform_id, required_id
from ...events import Event, MemberJoined, MemberLeft, MessagePosted, Origin, ReactionAdded, ReactionRemoved

PLATFORM = "slack"

# Message subtypes that are a member posting something new; edits, deletions, joins,
# bot posts, channel topic changes... are not activity.
COUNTED_SUBTYPES = {None, "thread_broadcast", "file_share"}
# Channel types that belong to the community (DMs with the bot are not community activity).
COMMUNITY_CHANNEL_TYPES = {None, "channel", "group"}
# Events are stamped ``at`` the time they reached the bot (the app's clock), not Slack's ts:
# the two agree in production, and a Slack-compatible server's made-up ts cannot move
# activity into another week.

def team_of(body: dict[str, Any]) -> str:
    """The workspace a request belongs to (the community), whatever the payload's shape."""
    team, view, user = body.get("team"), body.get("view"), body.get("user")
    for value in (body.get("team_id"), team.get("id") if isinstance(team, dict) else team,
                  view.get("team_id") if isinstance(view, dict) else None,
                  user.get("team_id") if isinstance(user, dict) else None):
        if value:
            return platform_id(value) or ""  # "" = unusable: the core refuses it with one line
    return ""


def _origin(team_id: str, user: Any, channel: Any) -> Origin:
    """Who and where, every id checked (UnusableField names the first that is not an id)."""
    return Origin(platform=PLATFORM, server_id=required_id(team_id, "team id"), user_id=required_id(user, "user id"),
                  channel_id=optional_id(channel, "channel id"))


def _text_or_none(value: Any) -> str | None:
    """A field compared with known names: anything but text or null (an object, a list) matches none."""
    return value if value is None or isinstance(value, str) else "?"


def message_event(team_id: str, event: dict[str, Any], at: datetime) -> tuple[Origin, MessagePosted] | None:
    if event.get("bot_id") or _text_or_none(event.get("subtype")) not in COUNTED_SUBTYPES or not event.get("user"):
        return None
    if _text_or_none(event.get("channel_type")) not in COMMUNITY_CHANNEL_TYPES:
        return None
    origin = _origin(team_id, event["user"], event.get("channel"))
    ts = optional_id(event.get("ts"), "message ts") or ""
    thread_ts = optional_id(event.get("thread_ts"), "thread ts")
    in_thread = bool(thread_ts) and thread_ts != ts  # a thread's parent carries its own ts as thread_ts
    text = event.get("text")
    posted = MessagePosted(
        message_id=ts,
        channel_id=origin.channel_id,
        thread_id=thread_ts if in_thread else None,
        reply_to=None,
        thread_parent_id=thread_ts if in_thread else None,
        length=len(text) if isinstance(text, str) else 0,
        at=at,
    )
    return origin, posted


def reaction_event(team_id: str, event: dict[str, Any], at: datetime) -> tuple[Origin, Event] | None:
    item = event.get("item")
    if not isinstance(item, dict) or item.get("type") != "message" or not event.get("user"):
        return None
    origin = _origin(team_id, event["user"], item.get("channel"))
    kind = ReactionAdded if event.get("type") == "reaction_added" else ReactionRemoved
    emoji = event.get("reaction")
    reaction = kind(message_id=required_id(item.get("ts"), "message ts"),
                    emoji=emoji[:100] if isinstance(emoji, str) else "", channel_id=origin.channel_id,
                    message_author=optional_id(event.get("item_user"), "item user"), at=at)
    return origin, reaction


def membership_event(team_id: str, event: dict[str, Any], at: datetime) -> tuple[Origin, Event] | None:
    if not event.get("user"):
        return None
    origin = _origin(team_id, event["user"], event.get("channel"))
    kind = MemberJoined if event.get("type") == "member_joined_channel" else MemberLeft
    return origin, kind(channel_id=origin.channel_id, at=at)


def team_join_event(team_id: str, event: dict[str, Any], at: datetime) -> tuple[Origin, Event] | None:
    """``team_join``: a new member of the workspace (the community); its ``user`` is an object."""
    user = event.get("user")
    if not isinstance(user, dict) or user.get("is_bot") or user.get("deleted") or not user.get("id"):
        return None
    origin = _origin(user.get("team_id") or team_id, user["id"], None)
    return origin, MemberJoined(at=at)


_CONVERTERS = {
    "message": message_event,
    "reaction_added": reaction_event,
    "reaction_removed": reaction_event,
    "member_joined_channel": membership_event,
    "member_left_channel": membership_event,
    "team_join": team_join_event,
}
EVENT_TYPES = tuple(_CONVERTERS)


def to_neutral(body: dict[str, Any], at: datetime | None = None) -> tuple[Origin, Event] | None:
    """An Events API callback body -> (who/where, neutral event), or None when it is not activity.

    Raises UnusableField when a field the bot would store is not a usable id (bot/edge.py).
    """
    event = body.get("event")
    if not isinstance(event, dict):
        raise UnusableField("event")
    kind = event.get("type")
    convert = _CONVERTERS.get(kind) if isinstance(kind, str) else None
    found = convert(team_of(body), event, at or datetime.now(timezone.utc)) if convert else None
    author = getattr(found[1], "message_author", None) if found else None
    if found and author and author in _bot_users(body):  # a reaction on the bot's own post
        found = (found[0], dataclasses.replace(found[1], message_author=None))
    return found


def _bot_users(body: dict[str, Any]) -> set[str]:
    """The bot's own user id(s), as the Events API names them in ``authorizations``."""
    found = body.get("authorizations")
    return {str(a.get("user_id")) for a in found if isinstance(a, dict) and a.get("is_bot")} \
        if isinstance(found, list) else set()


# -- interactions --------------------------------------------------------------------------

def command_line(body: dict[str, Any]) -> str:
    """A slash command as the core parses it: "/poll create ...", with Slack's &amp; &lt; &gt; undone."""
    text = str(body.get("text") or "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return f"{body.get('command', '')} {text}".strip()


def action_target(action: dict[str, Any]) -> str:
    """Our action id: the button's value (render puts it there), else its action_id without a dedupe suffix."""
    value = action.get("value")
    if isinstance(value, str) and ":" in value:
        return value
    return str(action.get("action_id", "")).split("#", 1)[0]


def _buttons(node: Any) -> Any:
    if isinstance(node, dict):
        if node.get("type") == "button":
            yield node
        for value in node.values():
            yield from _buttons(value)
    elif isinstance(node, list):
        for item in node:
            yield from _buttons(item)


def message_actions(body: dict[str, Any]) -> frozenset[str] | None:
    """The action ids on the message a click names, as Slack describes that message in the payload.

    None for an ephemeral message: Slack sends no copy of it, and the only way to change it is
    the request's own response_url, which cannot reach another message."""
    container = body.get("container") or {}
    if container.get("is_ephemeral") or container.get("type") not in (None, "message"):
        return None
    message = body.get("message") or {}
    if str(message.get("ts") or "") != str(container.get("message_ts") or message.get("ts") or ""):
        return frozenset()  # the payload names two different messages: trust neither
    return frozenset(action_target(button) for button in _buttons(message.get("blocks") or []))


def form_values(view: dict[str, Any]) -> dict[str, str]:
    """Submitted modal state -> field name -> text (selects and radios give the chosen option)."""
    values: dict[str, str] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for action_id, state in actions.items():  # the gate let only objects of objects through
            chosen = state.get("selected_option")
            chosen = chosen if isinstance(chosen, dict) else {}
            value = state.get("value") if state.get("value") is not None else chosen.get("value")
            if isinstance(value, (dict, list)):
                value = None  # an element's value is text; anything else is not an answer
            values[action_id or block_id] = "" if value is None else str(value)
    return values


def view_metadata(view: dict[str, Any]) -> dict[str, str]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    return {str(k): str(v) for k, v in data.items() if v is not None} if isinstance(data, dict) else {}


class RecentIds:
    """A bounded memory of event ids already taken, so a retried delivery is never counted twice."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._seen: OrderedDict[str, None] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        """True the first time an id is offered; False for every repeat still remembered."""
        if event_id in self._seen:
            self._seen.move_to_end(event_id)
            return False
        self._seen[event_id] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True
