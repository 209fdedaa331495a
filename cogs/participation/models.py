"""Participation tables. Metadata only (who, where, when, what kind) — never message text.

- ``participation_event``: one row per event (pruned after ``retention``). Indexed on
  (community_id, created_at, member_id) — time-first, which is what ingest and range scans
  want; a member-first index cut batched ingest to a third (PERFORMANCE-NOTES.md). Erasing a
  member scans their community's events, which is rare and runs off the event loop.
- ``participation_daily``: one row per (community, local day, member) with the events, the
  active events and the points — what leaderboards and streaks read. Kept forever (erased
  on "forget").
- ``participation_daily_kind``: one row per (community, local day, member, kind) with its
  count — any kind any cog declares, no column per kind. Kept and erased like the above.
- ``participation_member``: per member first/last event, total points and the last local day
  they were active (``last_active_day``, the writer's); ``last_event_at`` is indexed for the
  "silent for N days" report, ``last_active_day`` for "active in the last N days" (a count
  over an index range instead of DISTINCT over every member-day of the range).
- ``participation_day_kind``: per (community, local day, kind) the count — the chart's bars
  and the export's columns without reading every member's day. Kept like the rollups.
- ``participation_day``: per (community, local day) the members active that day — the chart's
  line, kept by the writer. Kept like the rollups.
- ``participation_ring``: per (community, member) the counts of the last ``TREND_WEEKS`` weeks
  of every at-risk signal in a ring of week slots (rollups.py) — what the at-risk rule reads:
  one row per member (a filter, no grouping) instead of six weeks of daily rows. Signal slot
  j is the j-th of the loaded cogs' signals in name order (trend.ring_slots); rebuilt from the
  counts by kind when those signals change (trend.py). Erased on "forget".
- ``participation_digest``: when each community's digest schedule started (its ``since``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from bot import utcnow


class ParticipationEvent(SQLModel, table=True):
    __tablename__ = "participation_event"
    __table_args__ = (Index("ix_participation_event_time", "community_id", "created_at", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int  # no foreign keys on this one table: see the module docstring
    member_id: int
    kind: str = Field(max_length=16)
    channel_id: str | None = Field(default=None, max_length=64)
    created_at: datetime
    points: float = 0.0


class ParticipationDaily(SQLModel, table=True):
    __tablename__ = "participation_daily"
    # WITHOUT ROWID on SQLite: rows are stored in primary-key order, so a (community, day)
    # range is one sequential read (a rowid table did a random lookup per row: 10x slower).
    # The member index serves one member's days (/stats me, streaks); the points index
    # serves leaderboards (each day's rows in points order, see reports._top_since).
    __table_args__ = (Index("ix_participation_daily_member", "community_id", "member_id", "day"),
                      Index("ix_participation_daily_points", "community_id", "day", "points"),
                      {"sqlite_with_rowid": False})

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    day: date = Field(primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    events: int = 0
    active: int = 0  # events of kinds that make a member active that day (all but "join")
    points: float = 0.0


class ParticipationDailyKind(SQLModel, table=True):
    __tablename__ = "participation_daily_kind"
    # Counts by kind for any kind a cog declares (no column per kind). WITHOUT ROWID in
    # primary-key order, so a (community, day) range is one sequential read; the member
    # index serves one member's weeks (/stats me).
    __table_args__ = (Index("ix_participation_daily_kind_member", "community_id", "member_id", "day"),
                      {"sqlite_with_rowid": False})

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    day: date = Field(primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    kind: str = Field(primary_key=True, max_length=16)
    count: int = 0


class ParticipantState(SQLModel, table=True):
    __tablename__ = "participation_member"
    # WITHOUT ROWID: the last-seen index then carries the member id (the primary key), so
    # "silent for N days" reads only the index; a community's rows are contiguous for ranks.
    __table_args__ = (Index("ix_participation_member_last", "community_id", "last_event_at"),
                      Index("ix_participation_member_active", "community_id", "last_active_day"),
                      {"sqlite_with_rowid": False})

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    first_event_at: datetime
    last_event_at: datetime
    joined_at: datetime | None = None
    points_total: float = 0.0
    last_active_day: date | None = None  # the newest local day with an active event (None: never active)


class ParticipationDayKind(SQLModel, table=True):
    __tablename__ = "participation_day_kind"
    __table_args__ = ({"sqlite_with_rowid": False},)

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    day: date = Field(primary_key=True)
    kind: str = Field(primary_key=True, max_length=16)
    count: int = 0


class ParticipationDay(SQLModel, table=True):
    __tablename__ = "participation_day"
    # per (community, local day) how many members were active: the chart's line without counting
    # every member's day. The writer adds a member the batch that makes their day active (one
    # whose rollup row had no active event yet); "forget" takes them out again.
    __table_args__ = ({"sqlite_with_rowid": False},)

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    day: date = Field(primary_key=True)
    active_members: int = 0


SIGNAL_LENGTH = 100
TREND_WEEKS = 8  # the at-risk rule looks back 6 weeks (4 earlier + 2 recent); 2 spare for late digests
RING_SIGNALS = 16  # signal slots per member row; the cogs in this repository declare 9 signals (a kind with
# no signal= is a signal of its own), so 8 left the shipped bot without a ring; a 0 or 1 costs SQLite no
# record bytes, so idle slots are nearly free
RING_SLOTS = [f"s{j}w{i}" for j in range(RING_SIGNALS) for i in range(TREND_WEEKS)]


def _ring_model() -> type[SQLModel]:
    """``participation_ring``: one row per (community, member); ``week`` is the newest week
    number the ring holds (rollups.week_number) and column ``s{j}w{i}`` the count of signal slot
    j in the week W of the ring with W % TREND_WEEKS == i. WITHOUT ROWID in primary-key order: a
    community's rows are one sequential read. Zero columns cost SQLite one header byte each.
    One row per member and signal (participation_0004) made the at-risk rule group ~150k rows
    per big community (~110 ms of SQLite's grouping before any arithmetic): this layout lets it
    filter ~50k rows instead (participation_0007). The columns are generated, not written out:
    64 identical integer counters."""
    annotations: dict[str, Any] = {"community_id": int, "member_id": int, "week": int}
    namespace: dict[str, Any] = {
        "__module__": __name__, "__doc__": _ring_model.__doc__, "__tablename__": "participation_ring",
        "__table_args__": ({"sqlite_with_rowid": False},), "__annotations__": annotations,
        "community_id": Field(foreign_key="community.id", primary_key=True),
        "member_id": Field(foreign_key="member.id", primary_key=True),
    }
    for name in RING_SLOTS:
        annotations[name] = int
        namespace[name] = 0
    return type(SQLModel)("ParticipationRing", (SQLModel,), namespace, table=True)


ParticipationRing = _ring_model()


class DigestSchedule(SQLModel, table=True):
    __tablename__ = "participation_digest"

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    when_text: str = Field(max_length=100)
    channel: str = Field(max_length=100)
    since: datetime = Field(default_factory=utcnow)
