"""Communities and members by external id, cached: the hot path (every message) rarely hits the DB."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .models import Community, Member

if TYPE_CHECKING:
    from .storage import Database


# How long a cached member row is trusted. Another process may change it (e.g. /privacy
# optout handled elsewhere): after this long we read it again.
MEMBER_TTL_SECONDS = 60.0


class Directory:
    def __init__(self, db: "Database", *, member_ttl: float = MEMBER_TTL_SECONDS) -> None:
        self.db = db
        self.member_ttl = member_ttl
        self._communities: dict[tuple[str, str], Community] = {}
        self._members: dict[tuple[int, str], Member] = {}
        self._fetched: dict[tuple[int, str], float] = {}

    async def community(self, platform: str, external_id: str, *, name: str | None = None,
                        timezone: str = "UTC") -> Community:
        key = (platform, str(external_id))
        cached = self._communities.get(key)
        if cached is not None and (name is None or cached.name == name) and cached.timezone == timezone:
            return cached
        row = await self.db.run(_upsert_community, platform, str(external_id), name, timezone)
        self._communities[key] = row
        return row

    async def member(self, community: Community, external_id: str, *, name: str | None = None,
                     is_bot: bool = False) -> Member:
        assert community.id is not None
        key = (community.id, str(external_id))
        cached = self._members.get(key)
        fresh = time.monotonic() - self._fetched.get(key, 0.0) < self.member_ttl
        if cached is not None and fresh and (not name or cached.display_name == name):
            return cached
        row = await self.db.run(_upsert_member, community.id, str(external_id), name, is_bot)
        self._members[key] = row
        self._fetched[key] = time.monotonic()
        return row

    async def find_member(self, community: Community, text: str) -> Member | None:
        """By external id, else by display name (case-insensitive)."""
        assert community.id is not None
        cached = self._members.get((community.id, text))
        if cached is not None:
            return cached

        def find(session: Session) -> Member | None:
            by_id = session.exec(select(Member).where(Member.community_id == community.id,
                                                      Member.external_id == text)).first()
            if by_id:
                return by_id
            rows = session.exec(select(Member).where(Member.community_id == community.id)).all()
            return next((m for m in rows if m.display_name.lower() == text.lower()), None)

        return await self.db.read(find)

    def forget(self, community_id: int, external_id: str) -> None:
        self._members.pop((community_id, external_id), None)
        self._fetched.pop((community_id, external_id), None)

    def refresh(self, member: Member) -> None:
        assert member.id is not None
        key = (member.community_id, member.external_id)
        self._members[key] = member
        self._fetched[key] = time.monotonic()

    def clear(self) -> None:
        self._communities.clear()
        self._members.clear()
        self._fetched.clear()


def _upsert_community(session: Session, platform: str, external_id: str, name: str | None,
                      timezone: str) -> Community:
    stmt = select(Community).where(Community.platform == platform, Community.external_id == external_id)
    row = session.exec(stmt).first()
    if row is None:
        row = Community(platform=platform, external_id=external_id, name=name or external_id, timezone=timezone)
        session.add(row)
        try:
            session.flush()
        except IntegrityError:  # another process created it first
            session.rollback()
            row = session.exec(stmt).one()
    changed = False
    if name and row.name != name:
        row.name, changed = name, True
    if row.timezone != timezone:
        row.timezone, changed = timezone, True
    if changed:
        session.add(row)
    session.flush()
    session.refresh(row)
    return row


def _upsert_member(session: Session, community_id: int, external_id: str, name: str | None,
                   is_bot: bool) -> Member:
    stmt = select(Member).where(Member.community_id == community_id, Member.external_id == external_id)
    row = session.exec(stmt).first()
    if row is None:
        row = Member(community_id=community_id, external_id=external_id, display_name=name or external_id,
                     is_bot=is_bot)
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            row = session.exec(stmt).one()
    elif name and row.display_name != name:
        row.display_name = name
        session.add(row)
    session.flush()
    session.refresh(row)
    return row
