"""Channel lookup: ids, ``<#C123|name>`` mentions, and names through a cached conversations.list."""

from __future__ import annotations

import logging
import re
import time
from typing import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ...options import ChannelRef
from .access import TtlCache

log = logging.getLogger(__name__)

_MENTION = re.compile(r"^<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")  # Slack ids are upper case; channel names never are


def parse_channel_text(text: str) -> tuple[str | None, str]:
    """(id if the text names one, else None; the name part, without #)."""
    text = text.strip()
    match = _MENTION.match(text)
    if match:
        return match.group(1), match.group(2) or ""
    if _CHANNEL_ID.match(text):
        return text, ""
    return None, text.lstrip("#").lower()


class ChannelDirectory:
    def __init__(self, client: AsyncWebClient, clock: Callable[[], float] = time.monotonic,
                 ttl: float = 300.0) -> None:
        self.client = client
        self._names: TtlCache[dict[str, str]] = TtlCache(ttl=ttl, clock=clock)

    async def resolve(self, team_id: str, text: str) -> ChannelRef | None:
        channel_id, name = parse_channel_text(text)
        if channel_id:  # a bare id (from a stored schedule, say) is shown by its name too
            return ChannelRef(channel_id, name or await self._name_of(team_id, channel_id) or channel_id)
        if not name:
            return None
        names = self._names.get(team_id)
        if names is None or name not in names:  # a channel created since the last listing
            names = self._names.put(team_id, await self._list(team_id))
        found = names.get(name)
        return ChannelRef(found, name) if found else None

    async def _name_of(self, team_id: str, channel_id: str) -> str | None:
        names = self._names.get(team_id)
        if names is None or channel_id not in names.values():
            names = self._names.put(team_id, await self._list(team_id))
        return next((name for name, found in names.items() if found == channel_id), None)

    async def _list(self, team_id: str) -> dict[str, str]:
        names: dict[str, str] = {}
        cursor: str | None = None
        try:
            for _ in range(50):  # 50 pages of 1000: far beyond any community's channel count
                response = await self.client.conversations_list(
                    types="public_channel,private_channel", exclude_archived=True, limit=1000, cursor=cursor)
                for channel in response.get("channels") or []:
                    if channel.get("name"):
                        names[str(channel["name"]).lower()] = str(channel["id"])
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except SlackApiError as error:
            log.warning("conversations.list failed in %s: %s", team_id, error.response.get("error"))
        return names

    async def can_post(self, channel_id: str, user_id: str) -> bool:
        """Anyone in the workspace may join a public channel and post; a private one, its members."""
        try:
            info = (await self.client.conversations_info(channel=channel_id)).get("channel") or {}
            if info.get("is_archived"):
                return False
            if not (info.get("is_private") or info.get("is_im") or info.get("is_mpim")):
                return True
            cursor: str | None = None
            for _ in range(100):  # pages of 1000 members
                page = await self.client.conversations_members(channel=channel_id, limit=1000, cursor=cursor)
                if user_id in (page.get("members") or []):
                    return True
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    return False
        except SlackApiError as error:
            log.info("cannot tell whether %s may post in %s: %s", user_id, channel_id, error.response.get("error"))
        return False
