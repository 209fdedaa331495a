"""Tables of the events cog. No message text is stored: titles, places and descriptions are
what the instructor typed into /event create (or schedules.yaml), never members' messages.

RSVPs are one row per member and event (``status`` going | maybe | no | waitlist);
``waitlisted_at`` orders the waitlist, so spots are handed out first come, first served.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from bot import message_ref, utcnow


class Event(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("community_id", "series_key", "starts_at", name="uq_event_occurrence"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="member.id")
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=1000)
    location: str = Field(default="", max_length=300)  # a link or a voice channel
    starts_at: datetime = Field(index=True)
    ends_at: datetime
    capacity: int | None = None
    status: str = Field(default="scheduled", max_length=16)  # "scheduled" | "cancelled"
    series_key: str | None = Field(default=None, max_length=100)  # set for occurrences from schedules.yaml
    created_at: datetime = Field(default_factory=utcnow)
    cancelled_at: datetime | None = None
    platform: str | None = Field(default=None, max_length=16)  # where the card is
    server_id: str | None = Field(default=None, max_length=64)
    channel_id: str | None = Field(default=None, max_length=64)
    message_id: str | None = Field(default=None, max_length=64)
    thread_id: str | None = Field(default=None, max_length=64)
    message = message_ref()  # the card: the five columns above as one MessageRef (None until posted)
    native_id: str | None = Field(default=None, max_length=64)  # the platform's own event (Discord)

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"


class EventRsvp(SQLModel, table=True):
    __tablename__ = "event_rsvp"
    __table_args__ = (UniqueConstraint("event_id", "member_id", name="uq_event_rsvp_member"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    status: str = Field(max_length=16)  # going | maybe | no | waitlist
    updated_at: datetime = Field(default_factory=utcnow)
    waitlisted_at: datetime | None = None
    # set by a waitlist promotion, cleared once its "a spot opened" DM is sent (the minute sync sends
    # one left set by a process that stopped in between)
    promoted_at: datetime | None = None


class EventAttendance(SQLModel, table=True):
    __tablename__ = "event_attendance"
    __table_args__ = (UniqueConstraint("event_id", "member_id", name="uq_event_attendance_member"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    source: str = Field(default="check-in", max_length=16)  # "check-in" | "instructor"


class EventCalendar(SQLModel, table=True):
    """The secret token of a community's calendar feed (``GET /calendar/<token>.ics``)."""

    __tablename__ = "event_calendar"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", unique=True)
    token: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class EventSeries(SQLModel, table=True):
    """A recurring session from schedules.yaml: when it first existed (no occurrences before)."""

    __tablename__ = "event_series"
    __table_args__ = (UniqueConstraint("community_id", "key", name="uq_event_series_key"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    key: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
