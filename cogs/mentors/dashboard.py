"""What mentoring offers the dashboard, as data: its round schedule with the rounds it will
preview (the scheduler's own trigger), each member's mentoring status, and the Mentoring
page: rounds, groups, check-in outcomes, the unmatched and why, and a button that previews a
round through /mentor match (whose Confirm button is the chat's own)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from bot import Action, Community, MemberColumn, Metric, ScheduleView, Section, Table, fire_times_between, parse_when

from . import store
from .models import MentorMatch, MentorMatchMember, MentorProfile, MentorRound

if TYPE_CHECKING:
    from .cog import Mentors

ROUNDS_SHOWN = 5
OUTCOME = {"met": "met", "not_yet": "not yet", "wont_happen": "won't happen", "pending": "no answer yet"}


def schedules(community: Community, cfg: Any, now: datetime, until: datetime) -> list[ScheduleView]:
    section = cfg.section("mentoring")
    if section is None or not section.when:
        return []
    firings = fire_times_between(parse_when(section.when, cfg.tz), now, until)
    return [ScheduleView("mentoring round", "mentoring", section.when, section.channel or "", firings,
                         note="confirmed automatically" if section.auto_confirm else "preview to staff, then confirm",
                         actions=[Action("Preview a round now", "/mentor match", name="Preview a mentoring round now")])]


def statuses(session: Session, community_id: int, today: date) -> dict[int, str]:
    out: dict[int, str] = {}
    for p in session.exec(select(MentorProfile).where(MentorProfile.community_id == community_id)).all():
        if not p.active:
            out[p.member_id] = f"{p.role}, {p.inactive_reason or 'inactive'}"
        elif p.paused_until and p.paused_until > today:
            out[p.member_id] = f"{p.role}, paused until {p.paused_until:%Y-%m-%d}"
        else:
            out[p.member_id] = p.role
    latest = session.exec(select(MentorRound.id).where(MentorRound.community_id == community_id,
                                                       MentorRound.status == "confirmed")
                          .order_by(col(MentorRound.id).desc())).first()
    if latest is not None:
        rows = session.exec(select(MentorMatchMember.member_id, MentorMatch.status)
                            .join(MentorMatch, col(MentorMatch.id) == MentorMatchMember.match_id)
                            .where(MentorMatch.round_id == latest)).all()
        for member_id, status in rows:
            if member_id in out:
                out[member_id] += f" · matched ({OUTCOME.get(status, status)})"
    return out


async def member_columns(cog: "Mentors", community: Community, today: date) -> list[MemberColumn]:
    return [MemberColumn("Mentoring", await cog.db.read(statuses, community.id, today),
                         note="role, and the latest round's check-in outcome")]


def _name(member: Any) -> str:
    return member.display_name or member.external_id


def rounds_sections(session: Session, community_id: int) -> list[Section]:
    ids = session.exec(select(MentorRound.id).where(MentorRound.community_id == community_id)
                       .order_by(col(MentorRound.id).desc()).limit(ROUNDS_SHOWN)).all()
    sections = []
    for round_id in ids:
        view = store.load_round(session, community_id, round_id or 0)
        if view is None:
            continue
        rnd = view.round
        outcomes = [OUTCOME.get(m.match.status, m.match.status) for m in view.matches]
        groups = Table("Groups", ("Who", "Kind", "Shared topics", "Check-in"),
                       [(", ".join(f"{_name(p.member)} ({p.role})" for p in m.people), m.match.kind,
                         m.match.shared_topics or "—", OUTCOME.get(m.match.status, m.match.status))
                        for m in view.matches], empty="no groups")
        unmatched = Table("Unmatched", ("Who", "Role", "Why"),
                          [(_name(member), u.role, u.reason or "—") for u, member in view.unmatched],
                          empty="everyone was matched")
        when = rnd.confirmed_at or rnd.created_at
        sections.append(Section(
            f"Round #{rnd.id} — {rnd.status}",
            [Metric("groups", str(len(view.matches))), Metric("met", str(outcomes.count("met"))),
             Metric("unmatched", str(len(view.unmatched))), groups, unmatched],
            note=f"{rnd.status} {when:%Y-%m-%d %H:%M} UTC ({rnd.source})."))
    return sections


async def page(cog: "Mentors", community: Community) -> list[Section]:
    sections = await cog.db.read(rounds_sections, community.id)
    start = Section("A new round", [Action("Preview a round", "/mentor match", "primary")],
                    note="The preview shows the groups; nothing is posted until you confirm it.")
    return [start, *(sections or [Section("No rounds yet")])]


def member_mentoring(session: Session, community_id: int, member_id: int, today: date) -> list[Section]:
    """A member's mentoring: their status and topics, and their groups in the latest round."""
    status = statuses(session, community_id, today).get(member_id)
    if status is None:
        return []
    profile = session.exec(select(MentorProfile).where(MentorProfile.community_id == community_id,
                                                       MentorProfile.member_id == member_id)).first()
    groups = store.current_matches(session, community_id, member_id)
    rows = [(", ".join(_name(p.member) for p in mv.people if p.member.id != member_id), mv.match.kind,
             OUTCOME.get(mv.match.status, mv.match.status)) for mv in groups if mv is not None]
    return [Section("Mentoring", [Metric("status", status, profile.topics if profile else ""),
                                  Table("Latest groups", ("With", "Kind", "Check-in"), rows, empty="not matched yet")])]
