"""Database work for question banks and member suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, select

from bot import Member, MessageRef, NotFound, UserError, plural

from .models import PromptBank, PromptQuestion, PromptSchedule, PromptSuggestion


def find_bank(session: Session, community_id: int, name: str) -> PromptBank | None:
    return session.exec(select(PromptBank).where(PromptBank.community_id == community_id,
                                                 PromptBank.name == name)).first()


def bank_names(session: Session, community_id: int) -> list[str]:
    return list(session.exec(select(PromptBank.name).where(PromptBank.community_id == community_id)
                             .order_by(PromptBank.name)).all())


def require_bank(session: Session, community_id: int, name: str) -> PromptBank:
    bank = find_bank(session, community_id, name)
    if bank is None:
        known = ", ".join(bank_names(session, community_id)) or "none yet — create one with /prompt bank add"
        raise NotFound(f'no question bank "{name}" (banks: {known})')
    return bank


@dataclass
class Added:
    added: int
    skipped: int  # already in the bank
    total: int


def add_questions(session: Session, community_id: int, name: str, texts: list[str], source: str,
                  suggested_by: int | None = None) -> Added:
    """Append questions to a bank (created if missing); repeats are skipped."""
    bank = find_bank(session, community_id, name)
    if bank is None:
        bank = PromptBank(community_id=community_id, name=name, source="command")
        session.add(bank)
        session.flush()
    present = set(session.exec(select(PromptQuestion.text).where(PromptQuestion.bank_id == bank.id)).all())
    position = session.exec(select(func.max(PromptQuestion.position)).where(PromptQuestion.bank_id == bank.id)).first()
    position = -1 if position is None else position
    added = 0
    for text in texts:
        if text in present:
            continue
        position += 1
        session.add(PromptQuestion(community_id=community_id, bank_id=bank.id or 0, text=text, position=position,
                                   source=source, suggested_by=suggested_by))
        present.add(text)
        added += 1
    session.flush()
    return Added(added, len(texts) - added, len(present))


@dataclass
class BankSummary:
    name: str
    source: str
    count: int


def list_banks(session: Session, community_id: int) -> list[BankSummary]:
    banks = session.exec(select(PromptBank).where(PromptBank.community_id == community_id)
                         .order_by(PromptBank.name)).all()
    counts = dict(session.exec(select(PromptQuestion.bank_id, func.count()).where(
        PromptQuestion.community_id == community_id).group_by(PromptQuestion.bank_id)).all())
    return [BankSummary(b.name, b.source, counts.get(b.id, 0)) for b in banks]


@dataclass
class QuestionLine:
    text: str
    source: str
    suggested_by: str | None  # display name of the member who suggested it


def bank_questions(session: Session, community_id: int, name: str) -> list[QuestionLine]:
    bank = require_bank(session, community_id, name)
    rows = session.exec(select(PromptQuestion, Member).join(Member, PromptQuestion.suggested_by == Member.id,
                                                            isouter=True)
                        .where(PromptQuestion.bank_id == bank.id)
                        .order_by(PromptQuestion.position, PromptQuestion.id)).all()
    return [QuestionLine(q.text, q.source, m.display_name if m else None) for q, m in rows]


def remove_question(session: Session, community_id: int, name: str, number: int) -> str:
    bank = require_bank(session, community_id, name)
    rows = session.exec(select(PromptQuestion).where(PromptQuestion.bank_id == bank.id)
                        .order_by(PromptQuestion.position, PromptQuestion.id)).all()
    if not 1 <= number <= len(rows):
        raise UserError(f'bank "{name}" has {plural(len(rows), "question")} — pick a number from /prompt bank list bank:{name}')
    row = rows[number - 1]
    if row.source == "yaml":
        raise UserError(f'question {number} comes from schedules.yaml — remove it there (it would come back at the next start)')
    session.delete(row)
    session.flush()
    return row.text


def remove_bank(session: Session, community_id: int, name: str) -> int:
    bank = require_bank(session, community_id, name)
    if bank.source == "yaml":
        raise UserError(f'bank "{name}" is defined in schedules.yaml — remove it there')
    users = session.exec(select(PromptSchedule.key).where(PromptSchedule.community_id == community_id,
                                                          PromptSchedule.bank == name,
                                                          PromptSchedule.active == True)).all()  # noqa: E712
    if users:
        raise UserError(f'bank "{name}" is used by {", ".join(users)} — cancel those schedules first')
    rows = session.exec(select(PromptQuestion).where(PromptQuestion.bank_id == bank.id)).all()
    for row in rows:
        session.delete(row)
    session.flush()  # questions first: they point at the bank
    session.delete(bank)
    session.flush()
    return len(rows)


# --- suggestions -------------------------------------------------------------------------
def create_suggestion(session: Session, community_id: int, member_id: int, bank: str, text: str,
                      now: datetime) -> PromptSuggestion:
    row = PromptSuggestion(community_id=community_id, member_id=member_id, bank=bank, text=text, created_at=now)
    session.add(row)
    session.flush()
    session.refresh(row)
    return row


def set_suggestion_message(session: Session, suggestion_id: int, ref: MessageRef) -> None:
    row = session.get(PromptSuggestion, suggestion_id)
    if row is not None:
        row.message = ref
        session.add(row)


def delete_suggestion(session: Session, suggestion_id: int) -> None:
    row = session.get(PromptSuggestion, suggestion_id)
    if row is not None:
        session.delete(row)


@dataclass
class Decision:
    suggestion: PromptSuggestion
    decided: bool  # False: someone had already handled it
    handled_by: str | None  # who handled it (display name)
    suggester: Member | None
    added: Added | None = None


def decide_suggestion(session: Session, community_id: int, suggestion_id: int, status: str, handler_id: int,
                      now: datetime) -> Decision:
    """Approve or reject once: the status changes only if still pending (safe against double clicks)."""
    row = session.get(PromptSuggestion, suggestion_id)
    if row is None or row.community_id != community_id:
        raise NotFound("this suggestion no longer exists")
    result = session.execute(update(PromptSuggestion).where(PromptSuggestion.id == suggestion_id,
                                                             PromptSuggestion.status == "pending")
                             .values(status=status, handled_by=handler_id, handled_at=now))
    session.refresh(row)
    suggester = session.get(Member, row.member_id) if row.member_id else None
    handler = session.get(Member, row.handled_by) if row.handled_by else None
    decision = Decision(row, bool(result.rowcount), handler.display_name if handler else None, suggester)
    if decision.decided and status == "approved":
        decision.added = add_questions(session, community_id, row.bank, [row.text], "suggestion",
                                       row.member_id)
    return decision
