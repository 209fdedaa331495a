"""The fake workspace's data: users, channels, user groups, DMs and posted messages.

Plain data plus small lookups, no HTTP; the Web API handlers read and write it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any


class TsClock:
    """Hands out Slack message timestamps: unique, increasing "seconds.micros" strings."""

    def __init__(self, start_seconds: int = 1_700_000_000, step_micros: int = 100) -> None:
        self._micros = itertools.count(start_seconds * 1_000_000 + step_micros, step_micros)

    def next(self) -> str:
        micros = next(self._micros)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


@dataclass
class User:
    id: str
    name: str
    team_id: str
    real_name: str
    tz: str = "UTC"
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": False,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": 0,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "profile": {
                "real_name": self.real_name,
                "display_name": self.name,
                "real_name_normalized": self.real_name,
                "display_name_normalized": self.name,
            },
        }


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    members: list[str] = field(default_factory=list)
    bot_is_member: bool = False
    created: int = 1_700_000_000

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "created": self.created,
            "is_archived": False,
            "is_im": self.is_im,
            "is_mpim": self.is_mpim,
            "is_member": self.bot_is_member,
        }
        if self.is_im:
            data["user"] = self.members[0] if self.members else None
            return data
        data.update(
            name=self.name,
            name_normalized=self.name,
            is_channel=not self.is_private and not self.is_mpim,
            is_group=self.is_private or self.is_mpim,
            is_private=self.is_private or self.is_mpim,
            is_general=self.name == "general",
            num_members=len(self.members),
            topic={"value": "", "creator": "", "last_set": 0},
            purpose={"value": "", "creator": "", "last_set": 0},
        )
        return data

    def matches_types(self, types: set[str]) -> bool:
        if self.is_im:
            kind = "im"
        elif self.is_mpim:
            kind = "mpim"
        else:
            kind = "private_channel" if self.is_private else "public_channel"
        return kind in types


@dataclass
class UserGroup:
    id: str
    handle: str
    team_id: str
    users: list[str]

    def to_api(self, include_users: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "team_id": self.team_id,
            "is_usergroup": True,
            "name": self.handle,
            "handle": self.handle,
            "description": "",
            "date_delete": 0,
            "user_count": len(self.users),
        }
        if include_users:
            data["users"] = list(self.users)
        return data


class Workspace:
    """Everything the fake remembers about one Slack workspace."""

    def __init__(self, team_id: str, bot_user_id: str, bot_id: str) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.clock = TsClock()
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.usergroups: dict[str, UserGroup] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.deleted: list[dict[str, Any]] = []
        self.reactions: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self._dm_ids: dict[frozenset[str], str] = {}
        self._ids = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08X}"

    def channel_by_name(self, name: str) -> Channel | None:
        name = name.lstrip("#")
        return next((c for c in self.channels.values() if c.name == name), None)

    def resolve_channel(self, ref: str) -> Channel | None:
        """Channel ids, "#name"/"name", or a user id (Slack posts those to the user's DM)."""
        if ref in self.channels:
            return self.channels[ref]
        if ref in self.users:
            return self.open_conversation([ref])
        by_name = self.channel_by_name(ref)
        if by_name is not None:
            return by_name
        if ref[:1] in ("C", "G", "D") and ref[1:].isalnum():
            # Unknown but well-formed id: tests may post to channels they never declared.
            channel = Channel(id=ref, name=ref.lower(), is_private=ref.startswith("G"), is_im=ref.startswith("D"))
            self.channels[ref] = channel
            return channel
        return None

    def open_conversation(self, user_ids: list[str]) -> Channel:
        """The DM (one user) or group DM (several) with the bot; same users -> same id."""
        people = frozenset(u for u in user_ids if u != self.bot_user_id) or frozenset(user_ids)
        existing = self._dm_ids.get(people)
        if existing is not None:
            return self.channels[existing]
        is_im = len(people) == 1
        channel_id = self.new_id("D" if is_im else "G")
        members = sorted(people) if is_im else sorted(people | {self.bot_user_id})
        channel = Channel(
            id=channel_id,
            name="mpdm-" + "--".join(members) if not is_im else channel_id.lower(),
            is_im=is_im,
            is_mpim=not is_im,
            members=members,
            bot_is_member=True,
        )
        self.channels[channel_id] = channel
        self._dm_ids[people] = channel_id
        return channel

    def post(self, channel_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        message = {
            "type": "message",
            "ts": self.clock.next(),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            "text": fields.get("text") or "",
            "edit_count": 0,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata", "username", "icon_emoji"):
            if fields.get(key) is not None:
                message[key] = fields[key]
        self.messages.setdefault(channel_id, []).append(message)
        return message

    def find_message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self.messages.get(channel_id, []) if m["ts"] == ts), None)

    def delete_message(self, channel_id: str, ts: str) -> bool:
        message = self.find_message(channel_id, ts)
        if message is None:
            return False
        self.messages[channel_id].remove(message)
        self.deleted.append({"channel": channel_id, **message})
        return True
