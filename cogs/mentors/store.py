"""Rounds, matches and check-in answers in the database: ``fn(session, ...)`` functions.

State changes that two processes could race on (confirm, cancel, posting check-ins, closing
them, publishing a meeting) are conditional UPDATEs: whoever changes the row wins, the other
sees rowcount 0 and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from bot import Member, MessageRef

from .models import MentorMatch, MentorMatchMember, MentorProfile, MentorRound, MentorUnmatched
from .planning import History, Plan, history_from_rounds
from .profiles import avoid_pairs, is_available


@dataclass
class Person:
    member: Member
    role: str
    answer: str | None = None


@dataclass
class MatchView:
    match: MentorMatch
    people: list[Person]

    def has(self, member_id: int) -> bool:
        return any(p.member.id == member_id for p in self.people)


@dataclass
class RoundView:
    round: MentorRound
    matches: list[MatchView]
    unmatched: list[tuple[MentorUnmatched, Member]]


def _execute(session: Session, stmt: Any) -> int:
    return session.execute(stmt).rowcount or 0  # type: ignore[attr-defined]


# --- matching inputs --------------------------------------------------------------------------
def load_inputs(session: Session, community_id: int, today: date) -> tuple[list[MentorProfile], History,
                                                                             set[frozenset[int]]]:
    profiles = session.exec(select(MentorProfile).where(MentorProfile.community_id == community_id,
                                                        MentorProfile.active == True)).all()  # noqa: E712
    rounds = session.exec(select(MentorRound).where(MentorRound.community_id == community_id,
                                                    MentorRound.status == "confirmed")
                          .order_by(col(MentorRound.confirmed_at))).all()
    groups: dict[int, list[int]] = {}
    match_round: dict[int, int] = {}
    if rounds:
        rows = session.exec(select(MentorMatchMember, MentorMatch.round_id)
                            .join(MentorMatch, col(MentorMatch.id) == MentorMatchMember.match_id)
                            .where(MentorMatch.community_id == community_id,
                                   col(MentorMatch.round_id).in_([r.id for r in rounds]))).all()
        for mm, round_id in rows:
            groups.setdefault(mm.match_id, []).append(mm.member_id)
            match_round[mm.match_id] = round_id
    by_round: dict[int, list[list[int]]] = {}
    for match_id, members in groups.items():
        by_round.setdefault(match_round[match_id], []).append(members)
    history_rows = [(r.confirmed_at.date() if r.confirmed_at else today, by_round.get(r.id or 0, []))
                    for r in rounds]
    waiting: list[int] = []
    if rounds:
        waiting = list(session.exec(select(MentorUnmatched.member_id)
                                    .where(MentorUnmatched.round_id == rounds[-1].id)).all())
    available = [p for p in profiles if is_available(p, today)]
    return available, history_from_rounds(history_rows, waiting), avoid_pairs(session, community_id)


# --- rounds -----------------------------------------------------------------------------------
def create_preview(session: Session, community_id: int, plan: Plan, *, mode: str, source: str,
                   created_by: int | None, now: datetime) -> tuple[MentorRound, list[MentorRound]]:
    """Store a proposed round; older open previews are cancelled (only one can be confirmed)."""
    stale = session.exec(select(MentorRound).where(MentorRound.community_id == community_id,
                                                   MentorRound.status == "preview")).all()
    for old in stale:
        old.status = "cancelled"
        session.add(old)
    rnd = MentorRound(community_id=community_id, mode=mode, source=source, created_by=created_by, created_at=now)
    session.add(rnd)
    session.flush()
    assert rnd.id is not None
    for group in plan.groups:
        match = MentorMatch(community_id=community_id, round_id=rnd.id, kind=group.kind, score=group.score,
                            shared_topics=", ".join(group.shared_topics)[:500], overlap_hours=group.overlap_hours)
        session.add(match)
        session.flush()
        assert match.id is not None
        for member_id, role in zip(group.members, group.roles):
            session.add(MentorMatchMember(community_id=community_id, match_id=match.id, member_id=member_id,
                                          role=role))
    for waiting in plan.unmatched:
        session.add(MentorUnmatched(community_id=community_id, round_id=rnd.id, member_id=waiting.member_id,
                                    role=waiting.role, reason=waiting.reason[:300]))
    session.flush()
    session.refresh(rnd)
    return rnd, list(stale)


def set_preview(session: Session, round_id: int, ref: MessageRef) -> None:
    """Save where a round's preview was posted (to edit it when a newer round replaces it)."""
    rnd = session.get(MentorRound, round_id)
    assert rnd is not None
    rnd.preview = ref
    session.add(rnd)


def load_round(session: Session, community_id: int, round_id: int) -> RoundView | None:
    rnd = session.get(MentorRound, round_id)
    if rnd is None or rnd.community_id != community_id:
        return None
    matches = session.exec(select(MentorMatch).where(MentorMatch.round_id == round_id)
                           .order_by(col(MentorMatch.id))).all()
    people = session.exec(select(MentorMatchMember, Member).join(Member, col(Member.id) == MentorMatchMember.member_id)
                          .where(col(MentorMatchMember.match_id).in_([m.id for m in matches]))
                          .order_by(col(MentorMatchMember.id))).all() if matches else []
    by_match: dict[int, list[Person]] = {}
    for mm, member in people:
        by_match.setdefault(mm.match_id, []).append(Person(member, mm.role, mm.answer))
    unmatched = session.exec(select(MentorUnmatched, Member).join(Member, col(Member.id) == MentorUnmatched.member_id)
                             .where(MentorUnmatched.round_id == round_id).order_by(col(MentorUnmatched.id))).all()
    return RoundView(rnd, [MatchView(m, by_match.get(m.id or 0, [])) for m in matches], list(unmatched))


def latest_confirmed(session: Session, community_id: int) -> RoundView | None:
    round_id = session.exec(select(func.max(MentorRound.id)).where(MentorRound.community_id == community_id,
                                                                   MentorRound.status == "confirmed")).first()
    return load_round(session, community_id, round_id) if round_id else None


def claim_status_change(session: Session, community_id: int, round_id: int, to: str, *,
                        by: int | None, now: datetime, check_in_after: timedelta,
                        answer_within: timedelta) -> str:
    """preview -> confirmed|cancelled. Returns "ok", or the status that stopped it ("missing")."""
    values: dict[str, Any] = {"status": to}
    if to == "confirmed":
        due = now + check_in_after
        values.update(confirmed_at=now, confirmed_by=by, check_in_due_at=due, answers_close_at=due + answer_within)
    changed = _execute(session, update(MentorRound).where(col(MentorRound.id) == round_id,
                                                          MentorRound.community_id == community_id,
                                                          MentorRound.status == "preview").values(**values))
    if changed:
        return "ok"
    rnd = session.get(MentorRound, round_id)
    return "missing" if rnd is None or rnd.community_id != community_id else rnd.status


def drop_stale_groups(session: Session, community_id: int, round_id: int, today: date) -> int:
    """Groups that can no longer meet since the preview (someone left or paused, a new avoid)."""
    view = load_round(session, community_id, round_id)
    if view is None:
        return 0
    profiles = {p.member_id: p for p in session.exec(select(MentorProfile)
                                                     .where(MentorProfile.community_id == community_id)).all()}
    avoid = avoid_pairs(session, community_id)
    dropped = 0
    for mv in view.matches:
        ids = [p.member.id for p in mv.people]
        gone = any(i not in profiles or not is_available(profiles[i], today) for i in ids)
        blocked = any(frozenset((a, b)) in avoid for a in ids for b in ids if a != b)
        if gone or blocked:
            delete_match(session, mv.match.id or 0)
            dropped += 1
    return dropped


def delete_match(session: Session, match_id: int) -> None:
    _execute(session, delete(MentorMatchMember).where(col(MentorMatchMember.match_id) == match_id))
    _execute(session, delete(MentorMatch).where(col(MentorMatch.id) == match_id))


def set_intro(session: Session, match_id: int, ref: MessageRef) -> None:
    """Save where a match's intro was posted (its group: the check-in is asked there)."""
    match = session.get(MentorMatch, match_id)
    assert match is not None
    match.intro = ref
    session.add(match)


# --- check-ins --------------------------------------------------------------------------------
def rounds_due(session: Session, now: datetime, *, closing: bool) -> list[tuple[int, int]]:
    """(community_id, round_id) of confirmed rounds whose check-in is due (or whose answers close)."""
    stmt = select(MentorRound.community_id, MentorRound.id).where(MentorRound.status == "confirmed")
    if closing:
        stmt = stmt.where(MentorRound.checked_in == True, MentorRound.closed == False,  # noqa: E712
                          col(MentorRound.answers_close_at) <= now)
    else:
        stmt = stmt.where(MentorRound.checked_in == False, col(MentorRound.check_in_due_at) <= now)  # noqa: E712
    return [(c, r) for c, r in session.exec(stmt.order_by(col(MentorRound.id))).all() if r is not None]


def claim_flag(session: Session, round_id: int, flag: str) -> bool:
    """Set ``checked_in`` or ``closed`` if nobody has yet; True for the one who did."""
    column = getattr(MentorRound, flag)
    return _execute(session, update(MentorRound).where(col(MentorRound.id) == round_id, column == False)  # noqa: E712
                    .values({flag: True})) == 1


def count_ignores(session: Session, community_id: int, round_id: int, pause_after: int,
                  now: datetime) -> list[int]:
    """Close a round's check-in: who answered (or whose group met) starts over; who did not
    gets one more ignored round. Returns the member ids paused now for ignoring ``pause_after``."""
    view = load_round(session, community_id, round_id)
    if view is None:
        return []
    paused: list[int] = []
    for mv in view.matches:
        if mv.match.intro is None:
            continue  # the group was never introduced (posting failed): nobody was asked
        for person in mv.people:
            profile = session.exec(select(MentorProfile).where(MentorProfile.community_id == community_id,
                                                               MentorProfile.member_id == person.member.id)).first()
            if profile is None:
                continue
            if person.answer is not None or mv.match.status == "met":
                profile.ignored_rounds = 0
            else:
                profile.ignored_rounds += 1
                if profile.ignored_rounds >= pause_after and profile.active:
                    profile.active, profile.inactive_reason, profile.updated_at = False, "ignored", now
                    paused.append(profile.member_id)
            session.add(profile)
    return paused


def record_answer(session: Session, community_id: int, match_id: int, member_id: int, answer: str,
                  now: datetime) -> tuple[MatchView | None, bool, bool]:
    """Store one member's answer. Returns (match view, is a member of the match, publish "met" now).

    "We met" is final for the group: a later "not yet" from someone else does not undo it."""
    match = session.get(MentorMatch, match_id)
    rnd = session.get(MentorRound, match.round_id) if match is not None else None
    if match is None or match.community_id != community_id or rnd is None or rnd.status != "confirmed":
        return None, False, False
    changed = _execute(session, update(MentorMatchMember)
                       .where(MentorMatchMember.match_id == match_id, MentorMatchMember.member_id == member_id)
                       .values(answer=answer, answered_at=now))
    if not changed:
        return _match_view(session, community_id, match), False, False
    _execute(session, update(MentorProfile).where(MentorProfile.community_id == community_id,
                                                  MentorProfile.member_id == member_id).values(ignored_rounds=0))
    if answer != "met":
        _execute(session, update(MentorMatch).where(col(MentorMatch.id) == match_id, MentorMatch.status != "met")
                 .values(status=answer))
        publish = False
    else:
        publish = _execute(session, update(MentorMatch).where(col(MentorMatch.id) == match_id,
                                                              MentorMatch.met_published == False)  # noqa: E712
                           .values(status="met", met_published=True)) == 1
    session.refresh(match)
    return _match_view(session, community_id, match), True, publish


def _match_view(session: Session, community_id: int, match: MentorMatch) -> MatchView | None:
    view = load_round(session, community_id, match.round_id)
    return next((mv for mv in view.matches if mv.match.id == match.id), None) if view else None


def current_matches(session: Session, community_id: int, member_id: int) -> list[MatchView]:
    """The member's groups in the latest confirmed round they were part of (a mentor may have several)."""
    mine = (select(MentorMatch)
            .join(MentorMatchMember, col(MentorMatchMember.match_id) == MentorMatch.id)
            .join(MentorRound, col(MentorRound.id) == MentorMatch.round_id)
            .where(MentorMatch.community_id == community_id, MentorMatchMember.member_id == member_id,
                   MentorRound.status == "confirmed"))
    latest = session.exec(mine.order_by(col(MentorMatch.id).desc())).first()
    if latest is None:
        return []
    matches = session.exec(mine.where(MentorMatch.round_id == latest.round_id).order_by(MentorMatch.id)).all()
    return [_match_view(session, community_id, m) for m in matches]


# --- privacy ----------------------------------------------------------------------------------
def delete_member_rows(session: Session, community_id: int, member_id: int) -> int:
    """The member's match memberships and unmatched entries; a group left with fewer than two
    people is deleted; rounds they created or confirmed forget who did it."""
    match_ids = list(session.exec(select(MentorMatchMember.match_id).where(
        MentorMatchMember.community_id == community_id, MentorMatchMember.member_id == member_id)).all())
    deleted = _execute(session, delete(MentorMatchMember).where(MentorMatchMember.community_id == community_id,
                                                                MentorMatchMember.member_id == member_id))
    for match_id in match_ids:
        left = session.exec(select(func.count()).select_from(MentorMatchMember)
                            .where(MentorMatchMember.match_id == match_id)).one()
        if left < 2:
            delete_match(session, match_id)
            deleted += 1
    deleted += _execute(session, delete(MentorUnmatched).where(MentorUnmatched.community_id == community_id,
                                                               MentorUnmatched.member_id == member_id))
    for column in ("created_by", "confirmed_by"):
        _execute(session, update(MentorRound).where(MentorRound.community_id == community_id,
                                                    getattr(MentorRound, column) == member_id)
                 .values({column: None}))
    return deleted
