"""Bounds for what platforms hand us: ids and names checked once, where traffic comes in.

A platform (or anything that can sign a request) may send a channel that is an object, a
71-character id, a name of 10,000 characters or control characters. Every id the core stores
fits its columns (``MAX_ID``, the width of ``external_id`` and ``channel_id``); names are cut
to ``MAX_NAME``. Adapters call these on every platform-supplied field, and ``BotApp`` checks
each ``Origin`` again before it touches the database, so no adapter can forget one.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .events import Event, Origin

MAX_ID = 64  # community/member external_id and participation channel_id columns
MAX_NAME = 200  # community name and member display_name columns
EVENT_ID_FIELDS = ("channel_id", "message_id", "thread_id", "reply_to", "thread_parent_id", "message_author")


def platform_id(value: Any) -> str | None:
    """A usable id (a string or integer of 1..MAX_ID printable characters), else None."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    if not text or len(text) > MAX_ID or not text.isprintable():
        return None
    return text


class UnusableField(ValueError):
    """A platform payload field that cannot be used (wrong type, too long, control characters)."""


def required_id(value: Any, what: str) -> str:
    """``platform_id`` for a field the payload must carry; raises UnusableField naming it."""
    checked = platform_id(value)
    if checked is None:
        raise UnusableField(what)
    return checked


def optional_id(value: Any, what: str) -> str | None:
    """None stays None; anything else must be a usable id."""
    return None if value is None or value == "" else required_id(value, what)


def platform_name(value: Any, limit: int = MAX_NAME) -> str | None:
    """A display name cut to ``limit`` characters, control characters removed; None if unusable."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return None
    text = str(value)
    if not text.isprintable():  # the common case (a plain name) is checked at once, not per character
        text = "".join(ch for ch in text if ch.isprintable())
    return text.strip()[:limit] or None


def why_invalid(origin: Origin) -> str | None:
    """Which field of an Origin cannot be stored, or None when it is all usable."""
    if platform_id(origin.server_id) is None:
        return "server id"
    if origin.user_id and platform_id(origin.user_id) is None:
        return "user id"
    if origin.channel_id is not None and platform_id(origin.channel_id) is None:
        return "channel id"
    return None


def bounded_origin(origin: Origin) -> Origin | None:
    """The origin with names cut to size; None when an id in it cannot be stored."""
    if why_invalid(origin) is not None:
        return None
    changes = {"server_id": str(origin.server_id).strip(), "user_id": str(origin.user_id).strip(),
               "user_name": platform_name(origin.user_name), "server_name": platform_name(origin.server_name),
               "channel_name": platform_name(origin.channel_name, MAX_ID)}
    if all(getattr(origin, name) == value for name, value in changes.items()):
        return origin  # checked already (adapters bound their fields, the core checks again): no copy
    return dataclasses.replace(origin, **changes)


def bounded_event(event: Event) -> Event | None:
    """The event with its ids checked; None when one it carries cannot be stored."""
    changes: dict[str, Any] = {}
    for name in EVENT_ID_FIELDS:
        if not hasattr(event, name):
            continue
        value = getattr(event, name)
        if value is None or (name == "message_id" and value == ""):
            continue
        checked = platform_id(value)
        if checked is None:
            return None
        if checked != value:
            changes[name] = checked
    return dataclasses.replace(event, **changes) if changes else event
