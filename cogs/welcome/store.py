"""Database work of the welcome cog (each function runs inside one transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot import Member

from .models import WelcomeMember

REWELCOME_AFTER = timedelta(days=30)  # a rejoin within this of the last welcome is not welcomed again
NEWCOMER_DAYS = 30  # how long a newcomer's first activity is watched for


def claim(session: Any, community_id: int, member_id: int, now: datetime) -> bool:
    """True for the one join that gets welcomed: the first, or the first after REWELCOME_AFTER.

    The unique (community, member) row is the claim: two processes, a restart, or Slack's
    team_join and channel join for one person all end here, and only one of them wins."""
    row = session.exec(select(WelcomeMember).where(WelcomeMember.community_id == community_id,
                                                   WelcomeMember.member_id == member_id)).first()
    if row is None:
        try:
            with session.begin_nested():
                session.add(WelcomeMember(community_id=community_id, member_id=member_id, joined_at=now))
        except IntegrityError:
            return False
        return True
    if _aware(row.joined_at) > now - REWELCOME_AFTER:
        return False
    result = session.exec(update(WelcomeMember).where(WelcomeMember.id == row.id,
                                                      WelcomeMember.joined_at == row.joined_at)
                          .values(joined_at=now, welcomed_at=None, introduced_at=None, first_active_at=None))
    return bool(result.rowcount)


def mark(session: Any, community_id: int, member_id: int, column: str, now: datetime) -> bool | None:
    """Set one moment (welcomed_at, introduced_at, rules_read_at, first_active_at) if not set yet.

    True the first time, False when already set, None when the member was never welcomed here."""
    row = session.exec(select(WelcomeMember).where(WelcomeMember.community_id == community_id,
                                                   WelcomeMember.member_id == member_id)).first()
    if row is None:
        return None
    if getattr(row, column) is not None:
        return False
    setattr(row, column, now)
    session.add(row)
    return True


def newcomers(session: Any, community_id: int, now: datetime) -> set[int]:
    """Members welcomed lately who have not done anything yet (whose first activity is awaited)."""
    rows = session.exec(select(WelcomeMember.member_id).where(
        WelcomeMember.community_id == community_id, WelcomeMember.first_active_at.is_(None),  # type: ignore[union-attr]
        WelcomeMember.joined_at >= now - timedelta(days=NEWCOMER_DAYS)))
    return set(rows.all())


@dataclass(frozen=True)
class Joiner:
    name: str
    mention: str
    joined_at: datetime
    introduced: bool
    rules_read: bool
    active: bool


def joined_between(session: Any, community_id: int, since: datetime, until: datetime) -> list[Joiner]:
    """Members who joined in [since, until), oldest first; opted-out members are not counted."""
    rows = session.exec(select(WelcomeMember, Member).join(Member, Member.id == WelcomeMember.member_id).where(
        WelcomeMember.community_id == community_id, WelcomeMember.joined_at >= since,
        WelcomeMember.joined_at < until, Member.opted_out == False)  # noqa: E712
        .order_by(WelcomeMember.joined_at, WelcomeMember.id)).all()
    return [Joiner(member.display_name or member.external_id, member.mention, _aware(row.joined_at),
                   row.introduced_at is not None, row.rules_read_at is not None,
                   row.first_active_at is not None or row.introduced_at is not None) for row, member in rows]


def erase_member(session: Any, community_id: int, member_id: int) -> int:
    result = session.exec(delete(WelcomeMember).where(WelcomeMember.community_id == community_id,
                                                      WelcomeMember.member_id == member_id))
    return int(result.rowcount or 0)


def _aware(moment: datetime) -> datetime:
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
