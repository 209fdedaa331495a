"""Study-group sets in the database: ``fn(session, ...)`` functions (see groups.py for the logic).

Confirming and cancelling are conditional UPDATEs (preview -> confirmed|cancelled): whoever
changes the row wins, a second click or process sees it already changed and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from bot import Member, MessageRef

from .groups import GroupsPlan
from .models import MentorProfile, StudyGroup, StudyGroupMember, StudyGroupSet
from .profiles import is_available


@dataclass
class GroupView:
    group: StudyGroup
    members: list[Member]


@dataclass
class SetView:
    set: StudyGroupSet
    groups: list[GroupView]
    unplaced: list[Member]

    @property
    def sizes(self) -> list[int]:
        return [len(g.members) for g in self.groups]


def _execute(session: Session, stmt: Any) -> int:
    return session.execute(stmt).rowcount or 0  # type: ignore[attr-defined]


def past_groups(session: Session, community_id: int) -> list[tuple[date, list[int]]]:
    """(day confirmed, member ids) of every group of every confirmed set: the no-repeat history."""
    rows = session.exec(select(StudyGroupSet.confirmed_at, StudyGroupMember.group_id, StudyGroupMember.member_id)
                        .join(StudyGroupSet, col(StudyGroupSet.id) == StudyGroupMember.set_id)
                        .where(StudyGroupSet.community_id == community_id, StudyGroupSet.status == "confirmed",
                               col(StudyGroupMember.group_id).is_not(None))).all()
    groups: dict[int, tuple[date, list[int]]] = {}
    for confirmed_at, group_id, member_id in rows:
        when = confirmed_at.date() if confirmed_at else date.min
        groups.setdefault(group_id, (when, []))[1].append(member_id)
    return list(groups.values())


def create_set(session: Session, community_id: int, plan: GroupsPlan, *, size: int, topic: str | None,
               created_by: int | None, now: datetime) -> tuple[StudyGroupSet, int]:
    """Store a previewed set; an older open preview is cancelled. Returns (set, previews cancelled)."""
    superseded = _execute(session, update(StudyGroupSet).where(StudyGroupSet.community_id == community_id,
                                                               StudyGroupSet.status == "preview")
                          .values(status="cancelled"))
    row = StudyGroupSet(community_id=community_id, size=size, topic=topic, repeats=plan.repeats,
                        created_by=created_by, created_at=now)
    session.add(row)
    session.flush()
    assert row.id is not None
    for planned in plan.groups:
        group = StudyGroup(community_id=community_id, set_id=row.id, score=planned.score,
                           topics=", ".join(planned.topics)[:500], overlap_hours=planned.overlap_hours)
        session.add(group)
        session.flush()
        for member_id in planned.members:
            session.add(StudyGroupMember(community_id=community_id, set_id=row.id, group_id=group.id,
                                         member_id=member_id))
    for member_id in plan.unplaced:
        session.add(StudyGroupMember(community_id=community_id, set_id=row.id, group_id=None, member_id=member_id))
    session.flush()
    session.refresh(row)
    return row, superseded


def load_set(session: Session, community_id: int, set_id: int) -> SetView | None:
    row = session.get(StudyGroupSet, set_id)
    if row is None or row.community_id != community_id:
        return None
    groups = session.exec(select(StudyGroup).where(StudyGroup.set_id == set_id).order_by(col(StudyGroup.id))).all()
    people = session.exec(select(StudyGroupMember, Member).join(Member, col(Member.id) == StudyGroupMember.member_id)
                          .where(StudyGroupMember.set_id == set_id).order_by(col(StudyGroupMember.id))).all()
    by_group: dict[int | None, list[Member]] = {}
    for gm, member in people:
        by_group.setdefault(gm.group_id, []).append(member)
    return SetView(row, [GroupView(g, by_group.get(g.id, [])) for g in groups], by_group.get(None, []))


def claim_status(session: Session, community_id: int, set_id: int, to: str, *, by: int | None,
                 now: datetime) -> str:
    """preview -> confirmed|cancelled. Returns "ok", or the status that stopped it ("missing")."""
    values: dict[str, Any] = {"status": to}
    if to == "confirmed":
        values.update(confirmed_at=now, confirmed_by=by)
    if _execute(session, update(StudyGroupSet).where(col(StudyGroupSet.id) == set_id,
                                                     StudyGroupSet.community_id == community_id,
                                                     StudyGroupSet.status == "preview").values(**values)):
        return "ok"
    row = session.get(StudyGroupSet, set_id)
    return "missing" if row is None or row.community_id != community_id else row.status


def drop_unavailable(session: Session, community_id: int, set_id: int, today: date) -> int:
    """Members who left or paused mentoring since the preview are taken out of their group (a
    group left with one person is dissolved, that person not placed). Returns how many left."""
    profiles = {p.member_id: p for p in session.exec(select(MentorProfile)
                                                     .where(MentorProfile.community_id == community_id)).all()}
    rows = session.exec(select(StudyGroupMember).where(StudyGroupMember.set_id == set_id,
                                                       col(StudyGroupMember.group_id).is_not(None))).all()
    gone = [r for r in rows if r.member_id not in profiles or not is_available(profiles[r.member_id], today)]
    for r in gone:
        session.delete(r)
    session.flush()
    for group_id in {r.group_id for r in gone}:
        left = session.exec(select(StudyGroupMember).where(StudyGroupMember.group_id == group_id)).all()
        if len(left) < 2:
            for r in left:
                r.group_id = None
                session.add(r)
            session.flush()
            _execute(session, delete(StudyGroup).where(col(StudyGroup.id) == group_id))
    return len(gone)


def latest_group(session: Session, community_id: int, member_id: int) -> tuple[StudyGroupSet, GroupView] | None:
    """The member's group in the latest confirmed set they were placed in (for /mentor me)."""
    found = session.exec(select(StudyGroupSet, StudyGroupMember.group_id)
                         .join(StudyGroupMember, col(StudyGroupMember.set_id) == StudyGroupSet.id)
                         .where(StudyGroupSet.community_id == community_id, StudyGroupSet.status == "confirmed",
                                StudyGroupMember.member_id == member_id, col(StudyGroupMember.group_id).is_not(None))
                         .order_by(col(StudyGroupSet.id).desc())).first()
    if found is None:
        return None
    row, group_id = found
    view = load_set(session, community_id, row.id or 0)
    group = next((g for g in view.groups if g.group.id == group_id), None) if view else None
    return (row, group) if group is not None else None


def set_intro(session: Session, group_id: int, ref: MessageRef) -> None:
    """Save where a study group's intro was posted (its private group)."""
    group = session.get(StudyGroup, group_id)
    assert group is not None
    group.intro = ref
    session.add(group)


def delete_member_rows(session: Session, community_id: int, member_id: int) -> int:
    """The member's places in study groups; a group nobody is left in goes too; sets they created
    or confirmed forget who did it."""
    group_ids = {g for g in session.exec(select(StudyGroupMember.group_id).where(
        StudyGroupMember.community_id == community_id, StudyGroupMember.member_id == member_id)).all() if g}
    deleted = _execute(session, delete(StudyGroupMember).where(StudyGroupMember.community_id == community_id,
                                                               StudyGroupMember.member_id == member_id))
    for group_id in group_ids:
        left = session.exec(select(func.count()).select_from(StudyGroupMember)
                            .where(StudyGroupMember.group_id == group_id)).one()
        if left == 0:
            deleted += _execute(session, delete(StudyGroup).where(col(StudyGroup.id) == group_id))
    for column in ("created_by", "confirmed_by"):
        _execute(session, update(StudyGroupSet).where(StudyGroupSet.community_id == community_id,
                                                      getattr(StudyGroupSet, column) == member_id)
                 .values({column: None}))
    return deleted
