"""Database work of the events cog: plain functions run inside ``db.run``/``db.read``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot import Community, Member, NotFound, UserError

from .logic import LABELS, RsvpChange, decide_rsvp, promotions
from .models import Event, EventAttendance, EventCalendar, EventRsvp, EventSeries


@dataclass
class EventView:
    """An event with what its card shows."""

    event: Event
    counts: dict[str, int] = field(default_factory=dict)  # status -> members
    checked_in: int = 0

    @property
    def going(self) -> int:
        return self.counts.get("going", 0)

    @property
    def spots_left(self) -> int | None:
        cap = self.event.capacity
        return None if cap is None else max(0, cap - self.going)


def get_event(session: Session, community_id: int, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None or event.community_id != community_id:
        raise NotFound(f"unknown event #{event_id} — see /event list")
    return event


def insert_event(session: Session, event: Event) -> Event:
    session.add(event)
    session.flush()
    session.refresh(event)
    session.expunge(event)
    return event


def insert_occurrence(session: Session, event: Event) -> Event | None:
    """A series occurrence, once: None when another process (or an earlier run) made it."""
    exists = session.exec(select(Event.id).where(Event.community_id == event.community_id,
                                                 Event.series_key == event.series_key,
                                                 Event.starts_at == event.starts_at)).first()
    if exists is not None:
        return None
    try:
        with session.begin_nested():  # a concurrent insert of the same occurrence loses cleanly
            session.add(event)
    except IntegrityError:
        return None
    session.refresh(event)
    session.expunge(event)
    return event


def delete_event(session: Session, event_id: int) -> None:
    session.execute(delete(EventRsvp).where(EventRsvp.event_id == event_id))  # type: ignore[arg-type]
    event = session.get(Event, event_id)
    if event is not None:
        session.delete(event)


def set_message(session: Session, event_id: int, ref: Any) -> None:
    event = session.get(Event, event_id)
    assert event is not None
    event.message = ref


def set_native_id(session: Session, event_id: int, native_id: str | None) -> None:
    event = session.get(Event, event_id)
    if event is not None:
        event.native_id = native_id


def load_view(session: Session, event_id: int) -> EventView:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(f"unknown event #{event_id}")
    rows = session.exec(select(EventRsvp.status, func.count()).where(EventRsvp.event_id == event_id)
                        .group_by(EventRsvp.status)).all()
    checked = session.exec(select(func.count()).select_from(EventAttendance)
                           .where(EventAttendance.event_id == event_id)).one()
    session.expunge(event)
    return EventView(event, {status: count for status, count in rows}, int(checked))


def rsvp(session: Session, community_id: int, event_id: int, member_id: int, choice: str,
         now: datetime) -> RsvpChange:
    """Record a click; frees and hands out spots in waitlist order in the same transaction.

    The event row is locked first (``FOR UPDATE`` on PostgreSQL) so two clicks for the last
    spot cannot both get it."""
    event = session.exec(select(Event).where(Event.id == event_id).with_for_update()).first()
    if event is None or event.community_id != community_id:
        raise NotFound(f"unknown event #{event_id}")
    if event.is_cancelled:
        raise UserError(f"event #{event_id} was cancelled")
    if now >= event.ends_at:
        raise UserError(f"event #{event_id} is over — RSVPs are closed")
    row = session.exec(select(EventRsvp).where(EventRsvp.event_id == event_id,
                                               EventRsvp.member_id == member_id)).first()
    before = row.status if row else None
    going = _count(session, event_id, "going")
    after = decide_rsvp(choice, before, going, event.capacity)
    if row is None:
        row = EventRsvp(community_id=community_id, event_id=event_id, member_id=member_id, status=after)
        session.add(row)
    if after == "waitlist" and before != "waitlist":
        row.waitlisted_at = now
    elif after != "waitlist":
        row.waitlisted_at = None
    row.status, row.updated_at = after, now
    session.flush()
    promoted = promote(session, event, now) if before == "going" and after != "going" else []
    return RsvpChange(before, after, tuple(promoted))


def promote(session: Session, event: Event, now: datetime) -> list[int]:
    """Move waitlisted members into free spots, first come first served; returns their ids."""
    waiting = session.exec(select(EventRsvp).where(EventRsvp.event_id == event.id, EventRsvp.status == "waitlist")
                           .order_by(EventRsvp.waitlisted_at, EventRsvp.id)).all()  # type: ignore[arg-type]
    chosen = promotions(event.capacity, _count(session, event.id, "going"), [r.member_id for r in waiting])
    for row in waiting:
        if row.member_id in chosen:
            row.status, row.waitlisted_at, row.promoted_at = "going", None, now
    session.flush()
    return chosen


def untold_promotions(session: Session, older_than: datetime, now: datetime) -> list[tuple[int, int]]:
    """(event id, member id) of promotions whose DM was not sent by ``older_than`` (a process
    stopped in between), for events not over; each is leased (promoted_at moved to ``now``) so
    another process's sweep leaves it alone while it is being sent."""
    rows = session.exec(select(EventRsvp).join(Event, Event.id == EventRsvp.event_id)
                        .where(EventRsvp.promoted_at < older_than, EventRsvp.status == "going",  # type: ignore[operator]
                               Event.ends_at > now, Event.status == "scheduled")
                        .order_by(EventRsvp.id).limit(200)).all()  # type: ignore[arg-type]
    leased = []
    for row in rows:
        taken = session.exec(update(EventRsvp).where(EventRsvp.id == row.id, EventRsvp.promoted_at == row.promoted_at)
                             .values(promoted_at=now))  # type: ignore[call-overload]
        if taken.rowcount == 1:
            leased.append((row.event_id, row.member_id))
    return leased


def promotion_told(session: Session, event_id: int, member_ids: list[int]) -> None:
    session.exec(update(EventRsvp).where(EventRsvp.event_id == event_id,  # type: ignore[call-overload]
                                         EventRsvp.member_id.in_(member_ids))  # type: ignore[union-attr]
                 .values(promoted_at=None))


def _count(session: Session, event_id: int | None, status: str) -> int:
    return int(session.exec(select(func.count()).select_from(EventRsvp)
                            .where(EventRsvp.event_id == event_id, EventRsvp.status == status)).one())


def members_with(session: Session, event_id: int, statuses: tuple[str, ...]) -> list[Member]:
    return list(session.exec(select(Member).join(EventRsvp, EventRsvp.member_id == Member.id)  # type: ignore[arg-type]
                             .where(EventRsvp.event_id == event_id, EventRsvp.status.in_(statuses))  # type: ignore[attr-defined]
                             .order_by(EventRsvp.id)).all())


def waitlist_position(session: Session, event_id: int, member_id: int) -> int:
    waiting = session.exec(select(EventRsvp.member_id).where(EventRsvp.event_id == event_id,
                                                             EventRsvp.status == "waitlist")
                           .order_by(EventRsvp.waitlisted_at, EventRsvp.id)).all()  # type: ignore[arg-type]
    return list(waiting).index(member_id) + 1


def check_in(session: Session, community_id: int, event_id: int, member_id: int, now: datetime,
             source: str) -> bool:
    """Record attendance once; False when it was already recorded."""
    exists = session.exec(select(EventAttendance.id).where(EventAttendance.event_id == event_id,
                                                           EventAttendance.member_id == member_id)).first()
    if exists is not None:
        return False
    session.add(EventAttendance(community_id=community_id, event_id=event_id, member_id=member_id, at=now,
                                source=source))
    return True


def cancel(session: Session, community_id: int, event_id: int, now: datetime) -> Event:
    event = get_event(session, community_id, event_id)
    if event.is_cancelled:
        raise UserError(f"event #{event_id} is already cancelled")
    if now >= event.ends_at:
        raise UserError(f"event #{event_id} is already over")
    event.status, event.cancelled_at = "cancelled", now
    session.flush()
    session.expunge(event)
    return event


def upcoming(session: Session, community_id: int, now: datetime, limit: int = 10) -> list[Event]:
    rows = session.exec(select(Event).where(Event.community_id == community_id, Event.status == "scheduled",
                                            Event.ends_at > now).order_by(Event.starts_at).limit(limit)).all()
    return list(rows)


def my_rsvps(session: Session, member_id: int, event_ids: list[int]) -> dict[int, str]:
    rows = session.exec(select(EventRsvp.event_id, EventRsvp.status).where(EventRsvp.member_id == member_id,
                                                                           EventRsvp.event_id.in_(event_ids))).all()  # type: ignore[attr-defined]
    return {event_id: status for event_id, status in rows}


def pending_events(session: Session, now: datetime) -> list[tuple[Event, Community]]:
    """Scheduled events not over yet, with their community (for reminders and card changes)."""
    rows = session.exec(select(Event, Community).join(Community, Community.id == Event.community_id)  # type: ignore[arg-type]
                        .where(Event.status == "scheduled", Event.ends_at > now)).all()
    return [(e, c) for e, c in rows]


def attendance_rows(session: Session, event_id: int) -> list[tuple[Member, str | None, datetime | None,
                                                                    EventAttendance | None]]:
    """Everyone who RSVPed or attended: (member, rsvp, rsvp time, attendance)."""
    rsvps = {r.member_id: r for r in session.exec(select(EventRsvp).where(EventRsvp.event_id == event_id)).all()}
    seen = {a.member_id: a for a in session.exec(select(EventAttendance)
                                                 .where(EventAttendance.event_id == event_id)).all()}
    ids = list(dict.fromkeys([*rsvps, *seen]))
    members = {m.id: m for m in session.exec(select(Member).where(Member.id.in_(ids))).all()}  # type: ignore[union-attr]
    out = []
    for member_id in ids:
        r = rsvps.get(member_id)
        out.append((members[member_id], r.status if r else None, r.updated_at if r else None, seen.get(member_id)))
    return out


def calendar_token(session: Session, community_id: int) -> str:
    row = session.exec(select(EventCalendar).where(EventCalendar.community_id == community_id)).first()
    if row is None:
        row = EventCalendar(community_id=community_id, token=secrets.token_urlsafe(24))
        session.add(row)
        session.flush()
    return row.token


def calendar_events(session: Session, token: str) -> tuple[Community, list[Event]] | None:
    row = session.exec(select(EventCalendar).where(EventCalendar.token == token)).first()
    if row is None:
        return None
    community = session.get(Community, row.community_id)
    events = session.exec(select(Event).where(Event.community_id == row.community_id)
                          .order_by(Event.starts_at)).all()
    return community, list(events)  # type: ignore[return-value]


def series_since(session: Session, community_id: int, key: str, now: datetime) -> datetime:
    row = session.exec(select(EventSeries).where(EventSeries.community_id == community_id,
                                                 EventSeries.key == key)).first()
    if row is None:
        row = EventSeries(community_id=community_id, key=key, created_at=now)
        session.add(row)
        session.flush()
    return row.created_at


def erase_member(session: Session, community_id: int, member_id: int, now: datetime) -> tuple[int, dict[int, list[int]]]:
    """Forget: RSVPs and attendance go; events they created stay, without an author. A spot the
    member held on an upcoming session goes to the waitlist. Returns (rows, event -> promoted)."""
    held = session.exec(select(Event).join(EventRsvp, EventRsvp.event_id == Event.id)  # type: ignore[arg-type]
                        .where(EventRsvp.community_id == community_id, EventRsvp.member_id == member_id,
                               EventRsvp.status == "going", Event.status == "scheduled", Event.ends_at > now)).all()
    count = 0
    for table in (EventRsvp, EventAttendance):
        result = session.execute(delete(table).where(table.community_id == community_id,  # type: ignore[attr-defined]
                                                     table.member_id == member_id))  # type: ignore[attr-defined]
        count += result.rowcount or 0
    for event in session.exec(select(Event).where(Event.community_id == community_id,
                                                  Event.author_id == member_id)).all():
        event.author_id = None
        count += 1
    session.flush()
    return count, {e.id: promote(session, e, now) for e in held}  # type: ignore[misc]


def status_label(status: str | None) -> str:
    return LABELS.get(status or "", "—")
