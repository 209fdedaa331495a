"""Database work of the help queue (plain functions run inside ``db.run``/``db.read``).

``pop_next`` is a compare-and-set: it marks the oldest waiting entry as being helped only
if it is still waiting, and tries the next one otherwise — so two instructors pressing
"next" at the same moment (two processes, PostgreSQL) get two different people.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, select

from bot import Member, NotFound, UserError

from .logic import QueueSession, Visit
from .models import HelpQueue, QueueEntry

ACTIVE = ("waiting", "helping")


def open_queue(session: Session, community_id: int) -> HelpQueue | None:
    return session.exec(select(HelpQueue).where(HelpQueue.community_id == community_id,
                                                HelpQueue.status == "open")).first()


def require_open(session: Session, community_id: int) -> HelpQueue:
    queue = open_queue(session, community_id)
    if queue is None:
        raise UserError("the queue is closed — an instructor opens it with /queue open")
    return queue


def open_new(session: Session, community_id: int, topic: str, channel_id: str, now: datetime,
             session_id: int | None = None) -> HelpQueue:
    if open_queue(session, community_id) is not None:
        raise UserError("the queue is already open — /queue close first to start a new one")
    queue = HelpQueue(community_id=community_id, topic=topic, channel_id=channel_id, opened_at=now,
                      session_id=session_id)
    session.add(queue)
    session.flush()
    session.refresh(queue)
    session.expunge(queue)
    return queue


def close(session: Session, community_id: int, now: datetime,
          session_id: int | None = None) -> tuple[HelpQueue, int]:
    """Close the open queue (with ``session_id``: only the one that session opened); members still
    waiting are taken off it. Returns (queue, taken off)."""
    queue = open_queue(session, community_id)
    if queue is None or session_id is not None and queue.session_id != session_id:
        raise UserError("the queue is not open")
    queue.status, queue.closed_at = "closed", now
    taken = clear_waiting(session, queue.id, now, "closed")  # type: ignore[arg-type]
    session.flush()
    session.expunge(queue)
    return queue, taken


def clear_waiting(session: Session, queue_id: int, now: datetime, status: str = "cleared") -> int:
    result = session.execute(update(QueueEntry).where(QueueEntry.queue_id == queue_id,  # type: ignore[arg-type]
                                                      QueueEntry.status == "waiting")
                             .values(status=status, finished_at=now))
    return result.rowcount or 0


def my_entry(session: Session, queue_id: int, member_id: int) -> QueueEntry | None:
    return session.exec(select(QueueEntry).where(QueueEntry.queue_id == queue_id, QueueEntry.member_id == member_id,
                                                 QueueEntry.status.in_(ACTIVE))).first()  # type: ignore[attr-defined]


def join(session: Session, community_id: int, member_id: int, topic: str, now: datetime) -> int:
    """Join the open queue; returns the member's position."""
    queue = require_open(session, community_id)
    mine = my_entry(session, queue.id, member_id)  # type: ignore[arg-type]
    if mine is not None:
        if mine.status == "helping":
            raise UserError("you're being helped right now")
        raise UserError(f"you're already in the queue (#{position(session, mine)}) — /queue leave to leave it")
    entry = QueueEntry(community_id=community_id, queue_id=queue.id, member_id=member_id, topic=topic, joined_at=now)
    session.add(entry)
    session.flush()
    return position(session, entry)


def leave(session: Session, community_id: int, member_id: int, now: datetime) -> None:
    queue = require_open(session, community_id)
    mine = my_entry(session, queue.id, member_id)  # type: ignore[arg-type]
    if mine is None or mine.status != "waiting":
        raise UserError("you're not waiting in the queue")
    mine.status, mine.finished_at = "left", now


def waiting(session: Session, queue_id: int) -> list[tuple[QueueEntry, Member]]:
    rows = session.exec(select(QueueEntry, Member).join(Member, Member.id == QueueEntry.member_id)  # type: ignore[arg-type]
                        .where(QueueEntry.queue_id == queue_id, QueueEntry.status == "waiting")
                        .order_by(QueueEntry.joined_at, QueueEntry.id)).all()  # type: ignore[arg-type]
    return [(e, m) for e, m in rows]


def position(session: Session, entry: QueueEntry) -> int:
    ids = [e.id for e, _ in waiting(session, entry.queue_id)]
    return ids.index(entry.id) + 1


def pop_next(session: Session, community_id: int, instructor_id: int, now: datetime) -> tuple[QueueEntry, Member] | None:
    """Take the oldest waiting member for this instructor; None when nobody is waiting."""
    queue = require_open(session, community_id)
    while True:
        first = session.exec(select(QueueEntry.id).where(QueueEntry.queue_id == queue.id,
                                                         QueueEntry.status == "waiting")
                             .order_by(QueueEntry.joined_at, QueueEntry.id).limit(1)).first()  # type: ignore[arg-type]
        if first is None:
            return None
        taken = session.execute(update(QueueEntry).where(QueueEntry.id == first,  # type: ignore[arg-type]
                                                         QueueEntry.status == "waiting")
                                .values(status="helping", called_at=now, called_by=instructor_id))
        if taken.rowcount == 1:
            entry = session.get(QueueEntry, first)
            member = session.get(Member, entry.member_id)  # type: ignore[union-attr]
            session.flush()
            session.expunge_all()
            return entry, member  # type: ignore[return-value]
        # someone else took that one between our read and our write: try the next


def finish(session: Session, community_id: int, entry_id: int, status: str,
           now: datetime) -> tuple[QueueEntry, Member]:
    entry = session.get(QueueEntry, entry_id)
    if entry is None or entry.community_id != community_id:
        raise NotFound("this visit no longer exists")
    if entry.status != "helping":
        raise UserError("this visit is already finished")
    entry.status, entry.finished_at = status, now
    member = session.get(Member, entry.member_id)
    session.flush()
    session.expunge_all()
    return entry, member  # type: ignore[return-value]


def visits(session: Session, community_id: int, since: datetime) -> list[Visit]:
    rows = session.exec(select(QueueEntry).where(QueueEntry.community_id == community_id,
                                                 QueueEntry.joined_at >= since)).all()
    return [Visit(r.status, r.joined_at, r.called_at, r.finished_at) for r in rows]


def sessions(session: Session, community_id: int, since: datetime, until: datetime) -> list[QueueSession]:
    """Queue openings in [since, until) with their visits, oldest first (the digest's lines)."""
    queues = session.exec(select(HelpQueue).where(HelpQueue.community_id == community_id,
                                                  HelpQueue.opened_at >= since, HelpQueue.opened_at < until)
                          .order_by(HelpQueue.opened_at)).all()
    out = []
    for queue in queues:
        rows = session.exec(select(QueueEntry).where(QueueEntry.queue_id == queue.id)).all()
        out.append(QueueSession(queue.topic, queue.opened_at,
                                [Visit(r.status, r.joined_at, r.called_at, r.finished_at) for r in rows]))
    return out


def erase_member(session: Session, community_id: int, member_id: int) -> int:
    """Forget: the member's visits go; visits they helped stay, without the helper."""
    result = session.execute(delete(QueueEntry).where(QueueEntry.community_id == community_id,  # type: ignore[arg-type]
                                                      QueueEntry.member_id == member_id))
    helped = session.execute(update(QueueEntry).where(QueueEntry.community_id == community_id,  # type: ignore[arg-type]
                                                      QueueEntry.called_by == member_id).values(called_by=None))
    return (result.rowcount or 0) + (helped.rowcount or 0)
