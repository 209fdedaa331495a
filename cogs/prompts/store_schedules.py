"""Database work for schedules: YAML sync, command schedules, rotation state, posts.

Each function takes a Session first and runs inside ``db.run``/``db.read`` (off the loop).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from bot import NotFound, UserError

from .logic import ScheduleSettings, pick_question, unique_questions
from .models import PromptBank, PromptPost, PromptQuestion, PromptSchedule


# --- settings <-> rows -------------------------------------------------------------------
def apply_settings(row: PromptSchedule, settings: ScheduleSettings) -> None:
    row.key = settings.key
    row.channel = settings.channel
    row.when_text = settings.when
    row.timezone = settings.timezone
    row.bank = settings.bank
    row.questions_json = json.dumps(list(settings.questions))
    row.rotation = settings.rotation
    row.thread = settings.thread
    row.mention = settings.mention
    row.start_date = settings.start
    row.end_date = settings.end
    row.skip_json = json.dumps(list(settings.skip))
    row.grace = settings.grace
    row.config_hash = settings.fingerprint()


def _timing(row: PromptSchedule) -> tuple[str, str | None]:
    return row.when_text, row.timezone


# --- YAML sync ---------------------------------------------------------------------------
@dataclass
class SyncReport:
    added: list[str]
    updated: list[str]
    deactivated: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deactivated)


def sync_yaml(session: Session, community_id: int, wanted: list[ScheduleSettings],
              banks: dict[str, list[str]], now: datetime) -> SyncReport:
    """Make the database match the community's YAML; running it twice changes nothing.

    A changed schedule is updated (and re-activated: editing the file resumes a schedule
    cancelled with /prompt cancel); one gone from the file is deactivated, history kept.
    """
    _sync_banks(session, community_id, banks)
    report = SyncReport([], [], [])
    rows = {r.key.lower(): r for r in session.exec(
        select(PromptSchedule).where(PromptSchedule.community_id == community_id)).all()}
    for settings in wanted:
        row = rows.get(settings.key.lower())
        fingerprint = settings.fingerprint()
        if row is None:
            row = PromptSchedule(community_id=community_id, key=settings.key, source="yaml", channel="",
                                 when_text="", active_since=now, created_at=now, updated_at=now)
            apply_settings(row, settings)
            session.add(row)
            report.added.append(settings.key)
            continue
        back_in_file = not row.active and row.inactive_reason == "removed"
        if row.source == "yaml" and row.config_hash == fingerprint and not back_in_file:
            continue  # unchanged (a schedule cancelled by command stays paused)
        before = (_timing(row), row.active)
        apply_settings(row, settings)
        row.source, row.active, row.inactive_reason, row.updated_at = "yaml", True, None, now
        if before != (_timing(row), True):
            row.active_since = now  # new timing: nothing from before the change is caught up
        session.add(row)
        report.updated.append(settings.key)
    wanted_keys = {s.key.lower() for s in wanted}
    for key, row in rows.items():
        if row.source == "yaml" and key not in wanted_keys and row.inactive_reason != "removed":
            row.active, row.inactive_reason, row.updated_at = False, "removed", now
            session.add(row)
            report.deactivated.append(row.key)
    session.flush()
    return report


def _sync_banks(session: Session, community_id: int, banks: dict[str, list[str]]) -> None:
    existing = {b.name: b for b in session.exec(select(PromptBank).where(PromptBank.community_id == community_id)).all()}
    for name, questions in banks.items():
        bank = existing.get(name)
        if bank is None:
            bank = PromptBank(community_id=community_id, name=name, source="yaml")
            session.add(bank)
            session.flush()
        elif bank.source != "yaml":
            bank.source = "yaml"
            session.add(bank)
        _sync_bank_questions(session, community_id, bank, unique_questions(questions))
    for name, bank in existing.items():
        if bank.source == "yaml" and name not in banks:
            _sync_bank_questions(session, community_id, bank, [])  # flushes: questions go before the bank
            if not session.exec(select(PromptQuestion).where(PromptQuestion.bank_id == bank.id)).first():
                session.delete(bank)
            else:  # questions added by hand stay, in a bank the file no longer owns
                bank.source = "command"
                session.add(bank)


def _sync_bank_questions(session: Session, community_id: int, bank: PromptBank, wanted: list[str]) -> None:
    rows = session.exec(select(PromptQuestion).where(PromptQuestion.bank_id == bank.id)
                        .order_by(PromptQuestion.position, PromptQuestion.id)).all()
    by_text = {r.text: r for r in rows}
    for position, text in enumerate(wanted):
        row = by_text.get(text) or PromptQuestion(community_id=community_id, bank_id=bank.id or 0, text=text)
        if (row.position, row.source) != (position, "yaml") or row.id is None:
            row.position, row.source = position, "yaml"
            session.add(row)
    extra = [r for r in rows if r.text not in set(wanted)]
    for offset, row in enumerate(extra):
        if row.source == "yaml":
            session.delete(row)
        elif row.position != len(wanted) + offset:
            row.position = len(wanted) + offset
            session.add(row)
    session.flush()


# --- reading schedules -------------------------------------------------------------------
def all_active(session: Session) -> list[PromptSchedule]:
    return list(session.exec(select(PromptSchedule).where(PromptSchedule.active == True)  # noqa: E712
                             .order_by(PromptSchedule.id)).all())


def schedules_of(session: Session, community_id: int) -> list[PromptSchedule]:
    return list(session.exec(select(PromptSchedule).where(PromptSchedule.community_id == community_id)
                             .order_by(PromptSchedule.key)).all())


def schedule_by_id(session: Session, schedule_id: int) -> PromptSchedule | None:
    return session.get(PromptSchedule, schedule_id)


def schedule_by_key(session: Session, community_id: int, key: str) -> PromptSchedule | None:
    rows = session.exec(select(PromptSchedule).where(PromptSchedule.community_id == community_id)).all()
    return next((r for r in rows if r.key.lower() == key.strip().lower()), None)


def require_schedule(session: Session, community_id: int, key: str) -> PromptSchedule:
    row = schedule_by_key(session, community_id, key)
    if row is None or row.inactive_reason == "removed":
        known = ", ".join(r.key for r in schedules_of(session, community_id) if r.active) or "none yet"
        raise NotFound(f'no prompt schedule "{key}" here (active: {known}) — see /prompt list')
    return row


# --- command schedules -------------------------------------------------------------------
def save_command_schedule(session: Session, community_id: int, settings: ScheduleSettings,
                          member_id: int | None, now: datetime) -> tuple[PromptSchedule, bool]:
    """Create or replace a schedule made by command. Returns (row, created)."""
    row = schedule_by_key(session, community_id, settings.key)
    if row is not None and row.source == "yaml" and row.inactive_reason != "removed":
        raise UserError(f'"{settings.key}" is defined in schedules.yaml — edit it there, or pick another id')
    created = row is None
    if row is None:
        row = PromptSchedule(community_id=community_id, key=settings.key, channel="", when_text="", created_at=now,
                             created_by=member_id)
    apply_settings(row, settings)
    row.source, row.active, row.inactive_reason = "command", True, None
    row.active_since, row.updated_at = now, now
    session.add(row)
    session.flush()
    session.refresh(row)
    return row, created


def cancel_schedule(session: Session, community_id: int, key: str, now: datetime) -> PromptSchedule:
    row = require_schedule(session, community_id, key)
    if not row.active:
        raise UserError(f'"{row.key}" is already cancelled')
    row.active, row.inactive_reason, row.updated_at = False, "cancelled", now
    session.add(row)
    session.flush()
    return row


def resume_schedule(session: Session, community_id: int, key: str, now: datetime) -> PromptSchedule:
    """Start a cancelled schedule again; firings due while it was paused are not caught up."""
    row = require_schedule(session, community_id, key)
    if row.active:
        raise UserError(f'"{row.key}" is running — nothing to resume')
    row.active, row.inactive_reason, row.active_since, row.updated_at = True, None, now, now
    session.add(row)
    session.flush()
    return row


# --- questions and rotation --------------------------------------------------------------
def bank_texts(session: Session, community_id: int, name: str) -> list[str] | None:
    """The bank's questions in order, or None when there is no such bank."""
    bank = session.exec(select(PromptBank).where(PromptBank.community_id == community_id,
                                                 PromptBank.name == name)).first()
    if bank is None:
        return None
    rows = session.exec(select(PromptQuestion).where(PromptQuestion.bank_id == bank.id)
                        .order_by(PromptQuestion.position, PromptQuestion.id)).all()
    return [r.text for r in rows]


def schedule_questions(session: Session, row: PromptSchedule) -> list[str]:
    if row.bank:
        return bank_texts(session, row.community_id, row.bank) or []
    return row.questions


@dataclass
class Rotation:
    cycle: int
    used: set[str]
    last: str | None


def rotation_of(session: Session, schedule_id: int) -> Rotation:
    """Which questions the schedule's current cycle has used (its posts of that cycle)."""
    cycle = session.exec(select(func.max(PromptPost.cycle)).where(PromptPost.schedule_id == schedule_id)).first()
    if cycle is None:
        return Rotation(0, set(), None)
    used = session.exec(select(PromptPost.question).where(PromptPost.schedule_id == schedule_id,
                                                          PromptPost.cycle == cycle)).all()
    last = session.exec(select(PromptPost.question).where(PromptPost.schedule_id == schedule_id)
                        .order_by(PromptPost.id.desc())).first()  # type: ignore[union-attr]
    return Rotation(int(cycle), set(used), last)


def least_posted(session: Session, community_id: int, questions: list[str]) -> str:
    """For a hand-made post from a bank: the question posted least often here (bank order breaks ties)."""
    counts = dict(session.exec(select(PromptPost.question, func.count()).where(
        PromptPost.community_id == community_id).group_by(PromptPost.question)).all())
    return min(questions, key=lambda q: (counts.get(q, 0), questions.index(q)))


def reserve_post(session: Session, schedule_id: int, due_at: datetime | None, posted_at: datetime,
                 posted_by: int | None) -> PromptPost:
    """Pick the schedule's next question and record the post before it goes out.

    One transaction, with the schedule row locked, so two processes posting for the same
    schedule at nearly the same time still take different questions. Raises EmptyBank.
    """
    row = session.exec(select(PromptSchedule).where(PromptSchedule.id == schedule_id).with_for_update()).one()
    rotation = rotation_of(session, schedule_id)
    question, cycle = pick_question(schedule_questions(session, row), rotation.used, rotation.cycle, row.rotation,
                                    schedule_id, rotation.last)
    post = PromptPost(community_id=row.community_id, schedule_id=schedule_id, question=question, cycle=cycle,
                      platform="", server_id="", channel_id="", message_id="", due_at=due_at, posted_at=posted_at,
                      posted_by=posted_by)
    return store_post(session, post)


def complete_post(session: Session, post_id: int, platform: str, server_id: str, channel_id: str, message_id: str,
                  thread_id: str | None) -> PromptPost:
    """Where a reserved post ended up on the platform."""
    post = session.get(PromptPost, post_id)
    assert post is not None
    post.platform, post.server_id, post.channel_id, post.message_id = platform, server_id, channel_id, message_id
    post.thread_id = thread_id
    return store_post(session, post)


def drop_post(session: Session, post_id: int) -> None:
    """A reserved post that could not be sent: its question stays unused."""
    post = session.get(PromptPost, post_id)
    if post is not None:
        session.delete(post)


def store_post(session: Session, post: PromptPost) -> PromptPost:
    session.add(post)
    session.flush()
    session.refresh(post)
    return post
