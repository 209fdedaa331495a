"""Who may do what on Slack: workspace admins/owners, and members of configured user groups.

``users.info`` and ``usergroups.users.list`` answers are cached for a few minutes so a
busy channel's commands do not each cost API calls (and Slack's rate limits); requests that
arrive together share one lookup. Ids listed
under ``instructors.users`` are raised to instructor by the core itself.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Generic, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ...access import Access

log = logging.getLogger(__name__)

T = TypeVar("T")
CACHE_SECONDS = 600.0
_GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")


class TtlCache(Generic[T]):
    """key -> value, each forgotten ``ttl`` seconds after it was stored (clock injectable for tests)."""

    def __init__(self, ttl: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic,
                 max_size: int = 20_000) -> None:
        self.ttl = ttl
        self.clock = clock
        self.max_size = max_size
        self._items: dict[Any, tuple[float, T]] = {}
        self._fetching: dict[Any, asyncio.Future[T]] = {}

    def get(self, key: Any) -> T | None:
        hit = self._items.get(key)
        if hit is None or self.clock() - hit[0] > self.ttl:
            return None
        return hit[1]

    def put(self, key: Any, value: T) -> T:
        if len(self._items) >= self.max_size:
            self._items.clear()  # crude but bounded; entries are cheap to fetch again
        self._items[key] = (self.clock(), value)
        return value

    async def get_or_fetch(self, key: Any, fetch: Callable[[], Awaitable[T]]) -> T:
        """The cached value, else one fetch shared by every caller that asks while it runs."""
        hit = self.get(key)
        if hit is not None:
            return hit
        fetching = self._fetching.get(key)
        if fetching is None:
            fetching = self._fetching[key] = asyncio.ensure_future(self._fetch_and_put(key, fetch))
        # shielded: one caller giving up (a cancelled handler) must not cancel the others' lookup
        return await asyncio.shield(fetching)

    async def _fetch_and_put(self, key: Any, fetch: Callable[[], Awaitable[T]]) -> T:
        try:
            return self.put(key, await fetch())
        finally:
            del self._fetching[key]


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str | None
    is_admin: bool = False
    is_bot: bool = False


def user_from_api(data: dict[str, Any]) -> SlackUser:
    profile = data.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or data.get("real_name") or data.get("name")
    return SlackUser(id=str(data.get("id")), name=name or None,
                     is_admin=bool(data.get("is_admin") or data.get("is_owner") or data.get("is_primary_owner")),
                     is_bot=bool(data.get("is_bot")))


def group_refs(roles: list[Any]) -> tuple[set[str], set[str]]:
    """``instructors.roles`` entries -> (user group ids like S0123, handles like "tas" from "@tas")."""
    ids, handles = set(), set()
    for role in roles:
        text = str(role).strip()
        if _GROUP_ID.match(text):
            ids.add(text)
        elif text:
            handles.add(text.lstrip("@").lower())
    return ids, handles


class SlackAccess:
    def __init__(self, client: AsyncWebClient, community_config: Callable[[str, str], Any],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.community_config = community_config
        self._users: TtlCache[SlackUser] = TtlCache(clock=clock)
        self._groups: TtlCache[frozenset[str]] = TtlCache(clock=clock)
        self._handles: TtlCache[dict[str, str]] = TtlCache(clock=clock)

    async def user(self, team_id: str, user_id: str) -> SlackUser:
        """Profile facts from users.info; a user the API will not describe is a plain member."""

        async def fetch() -> SlackUser:
            try:
                response = await self.client.users_info(user=user_id)
                return user_from_api(response.get("user") or {})
            except SlackApiError as error:
                log.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
                return SlackUser(id=user_id, name=None)

        return await self._users.get_or_fetch((team_id, user_id), fetch)

    async def access(self, team_id: str, user_id: str) -> Access:
        if (await self.user(team_id, user_id)).is_admin:
            return Access.ADMIN
        cfg = self.community_config("slack", team_id)
        ids, handles = group_refs(list(getattr(cfg.instructors, "roles", []) or []))
        if handles:
            by_handle = await self._group_handles(team_id)
            ids |= {by_handle[h] for h in handles if h in by_handle}
        for group_id in sorted(ids):
            if user_id in await self._group_members(team_id, group_id):
                return Access.INSTRUCTOR
        return Access.MEMBER

    async def _group_members(self, team_id: str, group_id: str) -> frozenset[str]:
        async def fetch() -> frozenset[str]:
            try:
                response = await self.client.usergroups_users_list(usergroup=group_id)
                return frozenset(str(u) for u in response.get("users") or [])
            except SlackApiError as error:
                log.warning("usergroups.users.list failed for %s: %s", group_id, error.response.get("error"))
                return frozenset()

        return await self._groups.get_or_fetch((team_id, group_id), fetch)

    async def _group_handles(self, team_id: str) -> dict[str, str]:
        async def fetch() -> dict[str, str]:
            try:
                response = await self.client.usergroups_list()
            except SlackApiError as error:
                log.warning("usergroups.list failed: %s (is the usergroups:read scope granted?)",
                            error.response.get("error"))
                return {}
            found: dict[str, str] = {}
            for group in response.get("usergroups") or []:
                for key in ("handle", "name"):
                    if group.get(key):
                        found.setdefault(str(group[key]).lower(), str(group["id"]))
            return found

        return await self._handles.get_or_fetch(team_id, fetch)
