"""Profiles and avoid lists: input checks (pure) and their storage (``fn(session, ...)``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, or_
from sqlmodel import Session, select

from bot import UserError

from .models import MentorAvoid, MentorProfile

MAX_TOPICS = 12
MAX_TOPIC_LENGTH = 40


def normalise_topics(text: str) -> list[str]:
    """ "Python, SQL ; career" -> ["python", "sql", "career"] (lowercase, deduplicated, in order)."""
    seen: dict[str, None] = {}
    for raw in re.split(r"[,;\n]", text):
        topic = " ".join(raw.split()).lower().lstrip("#")
        if topic:
            seen.setdefault(topic, None)
    topics = list(seen)
    if not topics:
        raise UserError('topics: name at least one topic, separated by commas, e.g. topics:"python, sql, career"')
    if len(topics) > MAX_TOPICS:
        raise UserError(f"topics: at most {MAX_TOPICS} topics (got {len(topics)}) — pick the ones that matter most")
    too_long = [t for t in topics if len(t) > MAX_TOPIC_LENGTH]
    if too_long:
        raise UserError(f'topics: keep each topic under {MAX_TOPIC_LENGTH} characters ("{too_long[0][:20]}..." is too '
                        "long) — separate topics with commas")
    return topics


@dataclass(frozen=True)
class ProfileInput:
    role: str
    topics: list[str]
    timezone: str
    capacity: int
    goals: str | None


def effective_capacity(role: str, capacity: int | None) -> tuple[int, str | None]:
    """Mentors take 1-20 mentees (default 1). Anyone else: capacity does not apply (ignored, with a note)."""
    if role == "mentor":
        return capacity or 1, None
    if capacity is not None and capacity != 1:
        return 1, f"capacity only applies to mentors, so I ignored capacity:{capacity}."
    return 1, None


def is_available(profile: MentorProfile, today: date) -> bool:
    return profile.active and (profile.paused_until is None or profile.paused_until <= today)


# --- storage ---------------------------------------------------------------------------------
def get_profile(session: Session, community_id: int, member_id: int) -> MentorProfile | None:
    return session.exec(select(MentorProfile).where(MentorProfile.community_id == community_id,
                                                    MentorProfile.member_id == member_id)).first()


def save_profile(session: Session, community_id: int, member_id: int, data: ProfileInput,
                 now: datetime) -> tuple[MentorProfile, bool]:
    """Create or update the member's profile; joining again also un-pauses. Returns (profile, created)."""
    profile = get_profile(session, community_id, member_id)
    created = profile is None
    if profile is None:
        profile = MentorProfile(community_id=community_id, member_id=member_id, role=data.role, joined_at=now)
    profile.role = data.role
    profile.topics = ", ".join(data.topics)
    profile.timezone = data.timezone
    profile.capacity = data.capacity
    profile.goals = data.goals or None
    profile.active, profile.inactive_reason, profile.paused_until, profile.ignored_rounds = True, None, None, 0
    profile.updated_at = now
    session.add(profile)
    session.flush()
    session.refresh(profile)
    return profile, created


def set_inactive(session: Session, community_id: int, member_id: int, reason: str,
                 now: datetime) -> MentorProfile | None:
    profile = get_profile(session, community_id, member_id)
    if profile is None:
        return None
    profile.active, profile.inactive_reason, profile.updated_at = False, reason, now
    session.add(profile)
    return profile


def set_paused_until(session: Session, community_id: int, member_id: int, until: date,
                     now: datetime) -> MentorProfile | None:
    profile = get_profile(session, community_id, member_id)
    if profile is None:
        return None
    profile.paused_until, profile.updated_at = until, now
    session.add(profile)
    return profile


def add_avoid(session: Session, community_id: int, member_id: int, avoided_id: int, now: datetime) -> bool:
    """True when newly added (False: already on the list)."""
    exists = session.exec(select(MentorAvoid).where(MentorAvoid.community_id == community_id,
                                                    MentorAvoid.member_id == member_id,
                                                    MentorAvoid.avoided_member_id == avoided_id)).first()
    if exists is not None:
        return False
    session.add(MentorAvoid(community_id=community_id, member_id=member_id, avoided_member_id=avoided_id,
                            created_at=now))
    return True


def remove_avoid(session: Session, community_id: int, member_id: int, avoided_id: int) -> bool:
    result = session.execute(delete(MentorAvoid).where(MentorAvoid.community_id == community_id,
                                                    MentorAvoid.member_id == member_id,
                                                    MentorAvoid.avoided_member_id == avoided_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def avoid_pairs(session: Session, community_id: int) -> set[frozenset[int]]:
    rows = session.exec(select(MentorAvoid).where(MentorAvoid.community_id == community_id)).all()
    return {frozenset((r.member_id, r.avoided_member_id)) for r in rows}


def delete_profile_rows(session: Session, community_id: int, member_id: int) -> int:
    """The member's profile and every avoid entry naming them (either direction)."""
    deleted = 0
    for stmt in (
        delete(MentorAvoid).where(MentorAvoid.community_id == community_id,
                                  or_(MentorAvoid.member_id == member_id,
                                      MentorAvoid.avoided_member_id == member_id)),
        delete(MentorProfile).where(MentorProfile.community_id == community_id,
                                    MentorProfile.member_id == member_id),
    ):
        deleted += session.execute(stmt).rowcount or 0  # type: ignore[attr-defined]
    return deleted
