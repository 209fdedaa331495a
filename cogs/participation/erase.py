"""Erasing a member's participation ("forget") and pruning old events: run off the event loop."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlmodel import Session

from .models import (ParticipantState, ParticipationDaily, ParticipationDailyKind, ParticipationEvent,
                     ParticipationRing)
from .pgwrite import ACTIVE_DAY
from .rollups import DAY
from .trend import ring_lock


def delete_member_rows(session: Session, community_id: int, member_id: int) -> int:
    ring_lock(session.connection())  # not between a trend-ring rebuild's chunks (trend.py)
    # the community's counts per day lose this member's share (the chart then matches the rollups)
    kinds = ParticipationDailyKind.__table__.c
    theirs = session.execute(select(kinds.day, kinds.kind, kinds.count).where(
        kinds.community_id == community_id, kinds.member_id == member_id)).all()
    if theirs:
        session.execute(update(DAY).where(DAY.c.community_id == community_id, DAY.c.day == bindparam("d"),
                                          DAY.c.kind == bindparam("k")).values(count=DAY.c.count - bindparam("n")),
                        [{"d": day, "k": kind, "n": n} for day, kind, n in theirs])
    daily = ParticipationDaily.__table__.c
    active_days = session.execute(select(daily.day).where(daily.community_id == community_id,
                                                          daily.member_id == member_id, daily.active > 0)).scalars().all()
    if active_days:
        session.execute(update(ACTIVE_DAY).where(ACTIVE_DAY.c.community_id == community_id,
                                                 ACTIVE_DAY.c.day == bindparam("d"))
                        .values(active_members=ACTIVE_DAY.c.active_members - 1), [{"d": d} for d in active_days])
    removed = 0
    for model in (ParticipationEvent, ParticipationDaily, ParticipationDailyKind, ParticipantState, ParticipationRing):
        table = model.__table__
        result = session.execute(delete(table).where(table.c.community_id == community_id,
                                                     table.c.member_id == member_id))
        removed += result.rowcount or 0
    return removed


def prune_events(session: Session, community_id: int, cutoff: datetime) -> int:
    table = ParticipationEvent.__table__
    result = session.execute(delete(table).where(table.c.community_id == community_id, table.c.created_at < cutoff))
    return result.rowcount or 0
