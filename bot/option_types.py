"""What a command option can be: the value types a handler's signature names, the ``Annotated``
markers (help text and limits), and the parsers from what a person typed to those values.

Plain data and pure functions; ``bot.options`` turns a signature into option specs with them
(and keeps every name here importable from it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any


# --- metadata markers --------------------------------------------------------------------
@dataclass(frozen=True)
class Help:
    text: str


@dataclass(frozen=True)
class MaxLen:
    value: int


@dataclass(frozen=True)
class MinLen:
    value: int


@dataclass(frozen=True)
class Min:
    value: float


@dataclass(frozen=True)
class Max:
    value: float


# --- option value types ------------------------------------------------------------------
class Duration(timedelta):
    """A length of time given as ``30m``, ``2h``, ``1d``, ``2w``."""

    @classmethod
    def parse(cls, text: str) -> "Duration":
        from .when import parse_duration

        td = parse_duration(text)
        return cls(seconds=td.total_seconds())


@dataclass(frozen=True)
class ChannelRef:
    """A channel as the user named it; the core resolves it to a platform id."""

    id: str
    name: str = ""


@dataclass(frozen=True)
class MemberRef:
    """A member as the user named it (mention or name); the core resolves it to a Member row."""

    external_id: str
    name: str = ""


@dataclass(frozen=True)
class FileUpload:
    filename: str
    data: bytes
    content_type: str = "text/plain"


class Timezone(str):
    """An IANA time zone name, validated."""


KIND_OF_TYPE: dict[Any, str] = {
    str: "string", int: "integer", float: "number", bool: "boolean", Duration: "duration",
    ChannelRef: "channel", MemberRef: "member", date: "date", time: "time", FileUpload: "file",
    Timezone: "timezone",
}
PLACEHOLDER = {
    "string": "text", "integer": "number", "number": "number", "boolean": "true|false",
    "duration": "30m|2h|1d", "channel": "#channel", "member": "@member", "date": "YYYY-MM-DD",
    "time": "HH:MM", "file": "file", "timezone": "Area/City",
}


# Every whole number a command or a button carries fits the narrowest integer column of every
# backend (PostgreSQL INTEGER): a larger one is refused here, with a clear message, instead of
# overflowing inside the database driver.
INT_LIMIT = 2**31 - 1


def bounded_int(text: str) -> int:
    """A button's integer part: digits only and within INT_LIMIT, else ValueError."""
    if not re.fullmatch(r"-?\d{1,10}", text) or abs(int(text)) > INT_LIMIT:
        raise ValueError(f"not an id: {text[:20]!r}")
    return int(text)


def parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"true", "yes", "y", "on", "1"}:
        return True
    if text in {"false", "no", "n", "off", "0"}:
        return False
    raise ValueError(f'"{raw}" is not true or false')


_SLACK_USER = re.compile(r"<@([A-Za-z0-9_.\-]+)(?:\|([^>]*))?>")
_SLACK_CHANNEL = re.compile(r"<#([A-Za-z0-9_\-]+)(?:\|([^>]*))?>")


def parse_member_text(text: str) -> MemberRef:
    text = text.strip()
    match = _SLACK_USER.fullmatch(text) or re.fullmatch(r"<@!?(\d+)>", text)
    if match:
        groups = match.groups()
        return MemberRef(groups[0], (groups[1] if len(groups) > 1 else None) or "")
    name = text.lstrip("@").strip()
    if not name:
        raise ValueError("name a member, e.g. @alice")
    return MemberRef(name, name)


def parse_channel_text(text: str) -> ChannelRef:
    text = text.strip()
    match = _SLACK_CHANNEL.fullmatch(text)
    if match:
        return ChannelRef(match.group(1), match.group(2) or "")
    name = text.lstrip("#").strip()
    if not name:
        raise ValueError("name a channel, e.g. #general")
    return ChannelRef(name, name)
