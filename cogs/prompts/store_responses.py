"""Database work for responses to prompts and the instructor's report.

Only metadata is stored: which member answered which post, and when they first did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable

from sqlalchemy import delete, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot import Member, NotFound

from .models import PromptPost, PromptResponse, PromptSchedule, PromptSuggestion, PromptQuestion
from .store_schedules import require_schedule


def post_answered_by(session: Session, community_id: int, thread_id: str | None,
                     reply_to: str | None) -> int | None:
    """The prompt post a message answers: one in its thread, or one it replies to."""
    conditions = []
    if thread_id:
        conditions.append(PromptPost.thread_id == thread_id)
    if reply_to:
        conditions.append(PromptPost.message_id == reply_to)
    if not conditions:
        return None
    return session.exec(select(PromptPost.id).where(PromptPost.community_id == community_id, or_(*conditions))
                        .order_by(PromptPost.id.desc())).first()  # type: ignore[union-attr]


def record_response(session: Session, community_id: int, post_id: int, member_id: int, at: datetime) -> bool:
    """Store the member's first response to the post; False if they had already answered."""
    exists = session.exec(select(PromptResponse.id).where(PromptResponse.post_id == post_id,
                                                          PromptResponse.member_id == member_id)).first()
    if exists is not None:
        return False
    try:
        with session.begin_nested():  # another process may record the same pair concurrently
            session.add(PromptResponse(community_id=community_id, post_id=post_id, member_id=member_id, first_at=at))
    except IntegrityError:
        return False
    return True


# --- report ------------------------------------------------------------------------------
@dataclass
class PostReport:
    post: PromptPost
    schedule_key: str | None
    answered: list[str]
    missing: list[str]
    opted_out: int


@dataclass
class TermReport:
    posts: int
    responses: int
    members: int
    per_post: list[tuple[PromptPost, int]] = field(default_factory=list)


def find_report_post(session: Session, community_id: int, post_id: int | None, schedule: str | None) -> PromptPost:
    query = select(PromptPost).where(PromptPost.community_id == community_id)
    if post_id is not None:
        post = session.get(PromptPost, post_id)
        if post is None or post.community_id != community_id:
            raise NotFound(f"no prompt #{post_id} here — /prompt report without options shows the latest")
        return post
    if schedule:
        row = require_schedule(session, community_id, schedule)
        query = query.where(PromptPost.schedule_id == row.id)
    post = session.exec(query.order_by(PromptPost.posted_at.desc(), PromptPost.id.desc())).first()  # type: ignore[attr-defined]
    if post is None:
        raise NotFound("no prompt has been posted yet" + (f' by "{schedule}"' if schedule else "")
                       + " — post one with /prompt post")
    return post


def _eligible(session: Session, community_id: int, exclude: set[str]) -> tuple[list[Member], int]:
    members = session.exec(select(Member).where(Member.community_id == community_id,
                                                Member.is_bot == False)).all()  # noqa: E712
    members = [m for m in members if m.external_id not in exclude]
    return [m for m in members if not m.opted_out], sum(1 for m in members if m.opted_out)


def post_report(session: Session, community_id: int, post_id: int | None, schedule: str | None,
                exclude: set[str]) -> PostReport:
    post = find_report_post(session, community_id, post_id, schedule)
    members, opted_out = _eligible(session, community_id, exclude)
    answered_ids = [r.member_id for r in session.exec(select(PromptResponse).where(
        PromptResponse.post_id == post.id).order_by(PromptResponse.first_at)).all()]
    by_id = {m.id: m for m in members}
    answered = [by_id[i].display_name for i in answered_ids if i in by_id]
    missing = sorted((m.display_name for m in members if m.id not in set(answered_ids)), key=str.lower)
    key = None
    if post.schedule_id is not None:
        schedule_row = session.get(PromptSchedule, post.schedule_id)
        key = schedule_row.key if schedule_row else None
    return PostReport(post, key, answered, missing, opted_out)


def term_report(session: Session, community_id: int, in_term: Callable[[date], bool],
                local_day: Callable[[datetime], date], exclude: set[str]) -> TermReport:
    members, _ = _eligible(session, community_id, exclude)
    eligible = {m.id for m in members}
    posts = [p for p in session.exec(select(PromptPost).where(PromptPost.community_id == community_id)
                                     .order_by(PromptPost.posted_at)).all() if in_term(local_day(p.posted_at))]
    counts: dict[int, int] = {}
    if posts:
        rows = session.exec(select(PromptResponse.post_id, PromptResponse.member_id).where(
            PromptResponse.community_id == community_id)).all()
        for post_id, member_id in rows:
            if member_id in eligible:
                counts[post_id] = counts.get(post_id, 0) + 1
    per_post = [(p, counts.get(p.id or 0, 0)) for p in posts]
    return TermReport(len(posts), sum(c for _, c in per_post), len(members), per_post)


# --- privacy -----------------------------------------------------------------------------
def forget_member(session: Session, community_id: int, member_id: int) -> int:
    """Erase the member's responses and suggestions; questions they suggested lose the credit."""
    deleted = 0
    for table in (PromptResponse, PromptSuggestion):
        result = session.execute(delete(table).where(table.community_id == community_id,  # type: ignore[attr-defined]
                                                     table.member_id == member_id))  # type: ignore[attr-defined]
        deleted += result.rowcount or 0
    for question in session.exec(select(PromptQuestion).where(PromptQuestion.community_id == community_id,
                                                              PromptQuestion.suggested_by == member_id)).all():
        question.suggested_by = None
        session.add(question)
        deleted += 1
    # Rows that only point at the member as an actor lose the pointer (the row stays).
    for table, column in ((PromptSuggestion, "handled_by"), (PromptSchedule, "created_by"), (PromptPost, "posted_by")):
        attr = getattr(table, column)
        session.execute(update(table).where(table.community_id == community_id, attr == member_id)  # type: ignore[attr-defined]
                        .values({column: None}))
    return deleted


def response_count(session: Session, post_id: int) -> int:
    return session.exec(select(func.count()).where(PromptResponse.post_id == post_id)).one()
