"""The events cog's lines in the weekly digest: turnout per session that ended this week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from bot import Field

from .models import Event, EventAttendance, EventRsvp

MAX_LINES = 12  # a digest field holds 1,024 characters on Discord: the busiest weeks show the first dozen


@dataclass(frozen=True)
class Turnout:
    title: str
    starts_at: datetime
    going: int  # said Going (waitlist not counted)
    attended: int  # checked in or marked by an instructor
    attended_going: int  # of those going, how many came


def turnouts(session: Session, community_id: int, since: datetime, until: datetime) -> list[Turnout]:
    """Sessions (not cancelled) that ended in [since, until), oldest first."""
    events = session.exec(select(Event).where(Event.community_id == community_id, Event.status == "scheduled",
                                              Event.ends_at >= since, Event.ends_at < until)
                          .order_by(Event.starts_at)).all()
    out = []
    for event in events:
        going = set(session.exec(select(EventRsvp.member_id).where(EventRsvp.event_id == event.id,
                                                                   EventRsvp.status == "going")).all())
        came = set(session.exec(select(EventAttendance.member_id).where(EventAttendance.event_id == event.id)).all())
        out.append(Turnout(event.title, event.starts_at, len(going), len(came), len(going & came)))
    return out


def turnout_line(t: Turnout, tz: ZoneInfo) -> str:
    start = t.starts_at if t.starts_at.tzinfo else t.starts_at.replace(tzinfo=timezone.utc)
    when = f"{start.astimezone(tz):%a %d %b %H:%M}"
    if t.going:
        share = round(100 * t.attended_going / t.going)
        extra = t.attended - t.attended_going
        tail = f", +{extra} without RSVP" if extra else ""
        return f"{t.title} ({when}): {t.attended} attended — {t.attended_going} of {t.going} going ({share}%){tail}"
    return f"{t.title} ({when}): {t.attended} attended, nobody had RSVPed"


def digest_field(items: list[Turnout], tz: ZoneInfo) -> list[Field]:
    if not items:
        return []
    lines = [turnout_line(t, tz) for t in items[:MAX_LINES]]
    if len(items) > MAX_LINES:
        lines.append(f"and {len(items) - MAX_LINES} more — /event attendance for each")
    return [Field("Live sessions", "\n".join(lines)[:1024], inline=False)]
