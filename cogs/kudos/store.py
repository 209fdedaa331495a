"""Database work of the kudos cog (each function runs inside one transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot import Member, UserError

from .logic import BoardRow
from .models import KudosBoardMember, KudosGiven


def start_of_local_day(now: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant the community's current calendar day began (the daily limit resets then)."""
    local = now.astimezone(tz)
    return datetime.combine(local.date(), time(0), tzinfo=tz).astimezone(now.tzinfo)


def start_of_local_week(now: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant the community's current week began (Monday 00:00, as /stats me counts)."""
    local = now.astimezone(tz).date()
    return datetime.combine(local - timedelta(days=local.weekday()), time(0), tzinfo=tz).astimezone(now.tzinfo)


def next_local_day(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz)


def given_today(session: Any, community_id: int, giver_id: int, now: datetime, tz: ZoneInfo) -> int:
    return int(session.exec(select(func.count()).select_from(KudosGiven).where(
        KudosGiven.community_id == community_id, KudosGiven.giver_id == giver_id,
        KudosGiven.given_at >= start_of_local_day(now, tz))).one())


def give(session: Any, community_id: int, giver_id: int, receiver_id: int, now: datetime,
         tz: ZoneInfo, per_day: int) -> int:
    """Record a /kudos if the giver has some left today; returns how many they have left."""
    count = given_today(session, community_id, giver_id, now, tz)
    if count >= per_day:
        raise UserError(f"you have given your {per_day} kudos for today (reaction kudos count too) — more tomorrow")
    session.add(KudosGiven(community_id=community_id, giver_id=giver_id, receiver_id=receiver_id, given_at=now))
    return per_day - count - 1


def give_by_reaction(session: Any, community_id: int, giver_id: int, receiver_id: int, message_id: str,
                     now: datetime, tz: ZoneInfo, per_day: int) -> bool:
    """Record a reaction kudos: once per giver and message (a repeated event or a re-react is a
    no-op), within the giver's daily limit. True if it was recorded now."""
    if session.exec(select(KudosGiven.id).where(KudosGiven.community_id == community_id,
                                               KudosGiven.giver_id == giver_id,
                                               KudosGiven.message_id == message_id)).first() is not None:
        return False
    if given_today(session, community_id, giver_id, now, tz) >= per_day:
        return False
    try:
        with session.begin_nested():  # two processes may see the same event: the unique index decides
            session.add(KudosGiven(community_id=community_id, giver_id=giver_id, receiver_id=receiver_id,
                                   given_at=now, source="reaction", message_id=message_id[:64]))
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True)
class Received:
    kudos_week: int
    reactions_week: int
    kudos_total: int
    reactions_total: int


def received(session: Any, community_id: int, member_id: int, week_start: datetime) -> Received:
    is_reaction = KudosGiven.source == "reaction"
    this_week = KudosGiven.given_at >= week_start
    row = session.exec(select(
        func.sum(case((~is_reaction & this_week, 1), else_=0)), func.sum(case((is_reaction & this_week, 1), else_=0)),
        func.sum(case((~is_reaction, 1), else_=0)), func.sum(case((is_reaction, 1), else_=0)),
    ).where(KudosGiven.community_id == community_id, KudosGiven.receiver_id == member_id)).one()
    return Received(*(int(v or 0) for v in row))


def week_counts(session: Any, community_id: int, since: datetime, until: datetime) -> tuple[int, int, int, int]:
    """(kudos, reaction kudos, givers, receivers) in ``since <= t < until`` (the digest's week)."""
    is_reaction = KudosGiven.source == "reaction"
    row = session.exec(select(func.sum(case((~is_reaction, 1), else_=0)), func.sum(case((is_reaction, 1), else_=0)),
                              func.count(func.distinct(KudosGiven.giver_id)),
                              func.count(func.distinct(KudosGiven.receiver_id)))
                       .where(KudosGiven.community_id == community_id, KudosGiven.given_at >= since,
                              KudosGiven.given_at < until)).one()
    return tuple(int(v or 0) for v in row)  # type: ignore[return-value]


# --- the opt-in board ------------------------------------------------------------------------
def board_join(session: Any, community_id: int, member_id: int, now: datetime) -> bool:
    """Put a member on the board; False if they already were."""
    if is_on_board(session, community_id, member_id):
        return False
    session.add(KudosBoardMember(community_id=community_id, member_id=member_id, joined_at=now))
    return True


def board_leave(session: Any, community_id: int, member_id: int) -> bool:
    result = session.exec(delete(KudosBoardMember).where(KudosBoardMember.community_id == community_id,
                                                         KudosBoardMember.member_id == member_id))
    return bool(result.rowcount)


def is_on_board(session: Any, community_id: int, member_id: int) -> bool:
    return session.exec(select(KudosBoardMember.id).where(KudosBoardMember.community_id == community_id,
                                                         KudosBoardMember.member_id == member_id)).first() is not None


def board_rows(session: Any, community_id: int, since: datetime) -> list[BoardRow]:
    """Kudos received since ``since`` by members on the board (never an opted-out member)."""
    is_reaction = KudosGiven.source == "reaction"
    q = (select(Member.id, Member.display_name, Member.external_id,
                func.sum(case((~is_reaction, 1), else_=0)), func.sum(case((is_reaction, 1), else_=0)))
         .join(KudosBoardMember, (col(KudosBoardMember.member_id) == Member.id)
               & (KudosBoardMember.community_id == community_id))
         .join(KudosGiven, (col(KudosGiven.receiver_id) == Member.id) & (KudosGiven.community_id == community_id))
         .where(Member.community_id == community_id, Member.opted_out == False,  # noqa: E712
                KudosGiven.given_at >= since)
         .group_by(Member.id, Member.display_name, Member.external_id))
    return [BoardRow(mid, name or ext, int(k or 0), int(r or 0)) for mid, name, ext, k, r in session.exec(q).all()]


def board_size(session: Any, community_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(KudosBoardMember)
                            .where(KudosBoardMember.community_id == community_id)).one())


def erase_member(session: Any, community_id: int, member_id: int) -> int:
    result = session.exec(delete(KudosGiven).where(
        KudosGiven.community_id == community_id,
        or_(KudosGiven.giver_id == member_id, KudosGiven.receiver_id == member_id)))
    removed = int(result.rowcount or 0)
    return removed + int(board_leave(session, community_id, member_id))
