"""Database work of the helpdesk (each function runs inside one transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot import Community, Member

from .models import HelpWatch


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def open_watch(session: Any, community_id: int, channel_id: str, message_id: str, author_id: int,
               posted_at: datetime, due_at: datetime) -> bool:
    """Watch a new question; False if it is watched already (a redelivered event)."""
    try:
        with session.begin_nested():
            session.add(HelpWatch(community_id=community_id, channel_id=channel_id, message_id=message_id,
                                  author_id=author_id, posted_at=posted_at, due_at=due_at))
    except IntegrityError:
        return False
    return True


def _watch(session: Any, community_id: int, message_id: str) -> HelpWatch | None:
    return session.exec(select(HelpWatch).where(HelpWatch.community_id == community_id,
                                                HelpWatch.message_id == message_id)).first()


def record_reply(session: Any, community_id: int, parent_id: str, replier_id: int, at: datetime) -> int | None:
    """A reply to a watched question: counted; the first by someone else answers (and resolves) it.

    Returns the watch id when this reply was that first answer, else None."""
    watch = _watch(session, community_id, parent_id)
    if watch is None:
        return None
    watch.reply_count += 1
    first = replier_id != watch.author_id and watch.answered_at is None
    if first:
        watch.answered_at, watch.answered_by_id = at, replier_id
        if watch.resolved_at is None:
            watch.resolved_at, watch.resolved_how = at, "answer"
    session.add(watch)
    return watch.id if first else None


def resolve_by_author(session: Any, community_id: int, message_id: str, member_id: int, at: datetime) -> bool:
    """The author's ✅ on their own question closes it."""
    watch = _watch(session, community_id, message_id)
    if watch is None or watch.author_id != member_id or watch.resolved_at is not None:
        return False
    watch.resolved_at, watch.resolved_how = at, "author"
    session.add(watch)
    return True


@dataclass(frozen=True)
class Due:
    watch_id: int
    community_id: int
    channel_id: str
    message_id: str
    author_mention: str
    posted_at: datetime


def due(session: Any, now: datetime, limit: int = 200) -> list[Due]:
    """Open questions past their time whose notice has not gone out (any community), oldest first."""
    rows = session.exec(select(HelpWatch, Member).join(Member, Member.id == HelpWatch.author_id).where(
        HelpWatch.resolved_at.is_(None), HelpWatch.notified_at.is_(None),  # type: ignore[union-attr]
        HelpWatch.due_at <= now, Member.opted_out == False)  # noqa: E712
        .order_by(HelpWatch.due_at, HelpWatch.id).limit(limit)).all()
    return [Due(w.id, w.community_id, w.channel_id, w.message_id, m.mention, aware(w.posted_at)) for w, m in rows]


def claim_notice(session: Any, watch_id: int, now: datetime) -> bool:
    """Exactly one process sends a question's notice: whoever sets notified_at first."""
    result = session.exec(update(HelpWatch).where(HelpWatch.id == watch_id, HelpWatch.notified_at.is_(None),  # type: ignore[union-attr]
                                                  HelpWatch.resolved_at.is_(None))  # type: ignore[union-attr]
                          .values(notified_at=now))
    return bool(result.rowcount)


def community(session: Any, community_id: int) -> Community | None:
    return session.get(Community, community_id)


@dataclass(frozen=True)
class Open:
    channel_id: str
    message_id: str
    author_mention: str
    posted_at: datetime
    reply_count: int


def open_questions(session: Any, community_id: int, limit: int = 50) -> tuple[int, list[Open]]:
    """(how many are open, the oldest ``limit`` of them)."""
    query = select(HelpWatch, Member).join(Member, Member.id == HelpWatch.author_id).where(
        HelpWatch.community_id == community_id, HelpWatch.resolved_at.is_(None),  # type: ignore[union-attr]
        Member.opted_out == False)  # noqa: E712  (opted out since asking: no longer shown)
    rows = session.exec(query.order_by(HelpWatch.posted_at, HelpWatch.id)).all()
    shown = [Open(w.channel_id, w.message_id, m.mention, aware(w.posted_at), w.reply_count) for w, m in rows[:limit]]
    return len(rows), shown


def week(session: Any, community_id: int, since: datetime, until: datetime) -> tuple[list[Any], int, int]:
    """Questions asked in [since, until): (times to first answer, unanswered, asked)."""
    rows = session.exec(select(HelpWatch).join(Member, Member.id == HelpWatch.author_id).where(
        HelpWatch.community_id == community_id, HelpWatch.posted_at >= since, HelpWatch.posted_at < until,
        Member.opted_out == False)).all()  # noqa: E712
    times = [aware(w.answered_at) - aware(w.posted_at) for w in rows if w.answered_at is not None]
    unanswered = sum(1 for w in rows if w.answered_at is None and w.resolved_how != "author")
    return times, unanswered, len(rows)


def erase_member(session: Any, community_id: int, member_id: int) -> int:
    """Their questions go; answers they gave stay counted for the asker, without their name."""
    removed = session.exec(delete(HelpWatch).where(HelpWatch.community_id == community_id,
                                                   HelpWatch.author_id == member_id))
    kept = session.exec(update(HelpWatch).where(HelpWatch.community_id == community_id,
                                                HelpWatch.answered_by_id == member_id).values(answered_by_id=None))
    return int(removed.rowcount or 0) + int(kept.rowcount or 0)
