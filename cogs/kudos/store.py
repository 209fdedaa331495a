"""Database work of the kudos cog (each function runs inside one transaction)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_
from sqlmodel import select

from bot import UserError

from .models import KudosGiven


def start_of_local_day(now: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant the community's current calendar day began (the daily limit resets then)."""
    local = now.astimezone(tz)
    return datetime.combine(local.date(), time(0), tzinfo=tz).astimezone(now.tzinfo)


def next_local_day(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz)


def give(session: Any, community_id: int, giver_id: int, receiver_id: int, now: datetime,
         tz: ZoneInfo, per_day: int) -> int:
    """Record a kudos if the giver has some left today; returns how many they have left."""
    given_today = session.exec(select(func.count()).select_from(KudosGiven).where(
        KudosGiven.community_id == community_id, KudosGiven.giver_id == giver_id,
        KudosGiven.given_at >= start_of_local_day(now, tz))).one()
    if given_today >= per_day:
        raise UserError(f"you have given your {per_day} kudos for today — more tomorrow")
    session.add(KudosGiven(community_id=community_id, giver_id=giver_id, receiver_id=receiver_id, given_at=now))
    return per_day - given_today - 1


def erase_member(session: Any, community_id: int, member_id: int) -> int:
    result = session.exec(delete(KudosGiven).where(
        KudosGiven.community_id == community_id,
        or_(KudosGiven.giver_id == member_id, KudosGiven.receiver_id == member_id)))
    return int(result.rowcount or 0)
