"""What one batch of participation events writes, as plain rows and the statements that write them.

A batch is folded in memory first (``aggregate``): the event rows, then one upsert per
(community, day, member) into the daily rollup, one per (community, day, member, kind) into
the counts by kind, one per (community, member, kind, week) into the weekly trend ring and
one per member into ``participation_member`` and one per (community, day, kind) into
``participation_day_kind`` — never one upsert per event.

The trend ring (``participation_trend``) keeps, per member and at-risk signal, the counts of the last
``TREND_WEEKS`` weeks in fixed slots: week number W lives in slot ``W % TREND_WEEKS`` and the
row's ``week`` is the newest week it has seen. A newer week clears the slots of the weeks it
skips over; an older week still inside the ring adds to its slot; an older one is dropped.
The at-risk rule reads one row per member and signal instead of six weeks of daily rows.
Which signal a kind feeds (``signal_of``) is the loaded cogs' declaration (trend.py).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from sqlalchemy import and_, case, func, literal_column, or_

from .models import (TREND_WEEKS, ParticipantState, ParticipationDaily, ParticipationDailyKind, ParticipationDayKind,
                     ParticipationEvent, ParticipationTrend)

EVENT = ParticipationEvent.__table__
DAILY = ParticipationDaily.__table__
KIND = ParticipationDailyKind.__table__
DAY = ParticipationDayKind.__table__
STATE = ParticipantState.__table__
TREND = ParticipationTrend.__table__
SLOTS = [f"w{i}" for i in range(TREND_WEEKS)]


class Item(NamedTuple):
    """One participation event as the listener queues it (no ORM object, no text)."""

    community_id: int
    member_id: int
    kind: str
    channel_id: str | None
    at: datetime  # aware UTC
    day: date  # the community's local day
    points: float
    active: bool = True  # the kind makes a member active that day (ActivityKind.active)


def week_number(day: date) -> int:
    """Weeks since 0001-01-01 (a Monday): consecutive weeks have consecutive numbers."""
    return (day.toordinal() - 1) // 7


def _upsert(table: Any, dialect: str, keys: list[str], updates: dict[str, Any]) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(table)
    excluded = stmt.excluded
    return stmt.on_conflict_do_update(index_elements=keys,
                                      set_={name: build(table.c, excluded) for name, build in updates.items()})


def _later(col: Any, new: Any) -> Any:
    return case((new > col, new), else_=col)


def _earlier(col: Any, new: Any) -> Any:
    return case((new < col, new), else_=col)


def rollup_statement(dialect: str) -> Any:
    adds = {c: (lambda t, e, c=c: t[c] + e[c]) for c in ("events", "active", "points")}
    return _upsert(DAILY, dialect, ["community_id", "day", "member_id"], adds)


def kind_statement(dialect: str) -> Any:
    return _upsert(KIND, dialect, ["community_id", "day", "member_id", "kind"],
                   {"count": lambda t, e: t.count + e.count})


def day_statement(dialect: str) -> Any:
    return _upsert(DAY, dialect, ["community_id", "day", "kind"], {"count": lambda t, e: t.count + e.count})


def state_statement(dialect: str) -> Any:
    return _upsert(STATE, dialect, ["community_id", "member_id"], {
        "first_event_at": lambda t, e: _earlier(t.first_event_at, e.first_event_at),
        "last_event_at": lambda t, e: _later(t.last_event_at, e.last_event_at),
        "joined_at": lambda t, e: func.coalesce(t.joined_at, e.joined_at),
        "points_total": lambda t, e: t.points_total + e.points_total,
        "last_active_day": lambda t, e: case((or_(t.last_active_day.is_(None), e.last_active_day > t.last_active_day),
                                              e.last_active_day), else_=t.last_active_day),
    })


def trend_statement(dialect: str) -> Any:
    """Add one week's count to a member-kind ring (see the module docstring). The inserted row
    carries the count in its week's slot and 0 elsewhere. Constants are inlined (not bound), so
    the statement's only parameters are the row's, in TREND_KEYS order."""
    n = TREND_WEEKS

    def c(value: int) -> Any:
        return literal_column(str(int(value)))

    def slot(i: int) -> Any:
        def build(t: Any, e: Any) -> Any:
            gap = e.week - t.week
            # slot i holds a week the new one skips over: ((i - old - 1) mod n) < gap, kept non-negative
            skipped = and_(gap > c(0), or_(gap >= c(n), (c(i + 2 * n - 1) - t.week % c(n)) % c(n) < gap))
            return (case((skipped, c(0)), else_=t[f"w{i}"])
                    + case((gap <= c(-n), c(0)), else_=e[f"w{i}"]))
        return build

    return _upsert(TREND, dialect, ["community_id", "member_id", "signal"], {
        **{f"w{i}": slot(i) for i in range(n)},
        "week": lambda t, e: _later(t.week, e.week),
    })


EVENT_KEYS = ["community_id", "member_id", "kind", "channel_id", "created_at", "points"]
DAILY_KEYS = ["community_id", "day", "member_id", "events", "active", "points"]
KIND_KEYS = ["community_id", "day", "member_id", "kind", "count"]
STATE_KEYS = ["community_id", "member_id", "first_event_at", "last_event_at", "joined_at", "points_total",
              "last_active_day"]
TREND_KEYS = ["community_id", "member_id", "signal", "week", *SLOTS]
DAY_KEYS = ["community_id", "day", "kind", "count"]


def _same(value: Any) -> Any:
    return value


def aggregate(items: Iterable[Item], stamp: Callable[[Any], Any] = _same, day_text: Callable[[Any], Any] = _same,
              signal_of: Mapping[str, str] | None = None) -> tuple[list[Any], ...]:
    """One pass over a batch: event rows (EVENT_KEYS order), rollup rows (one per member-day,
    DAILY_KEYS order), counts by kind (one per member-day-kind, KIND_KEYS order), state rows
    (one per member, STATE_KEYS order), trend rows (one per member-signal-week, TREND_KEYS; a
kind feeds the signal ``signal_of`` names, none if absent) and
    community-day counts (one per community-day-kind, DAY_KEYS).

    ``stamp``/``day_text`` turn datetimes/dates into what the driver stores (SQLite: text,
    whose order is the time order, so min/max below work on either).
    """
    events: list[tuple[Any, ...]] = []
    daily: dict[tuple[int, Any, int], list[Any]] = {}
    state: dict[tuple[int, int], list[Any]] = {}
    days: dict[Any, tuple[Any, int]] = {}
    append = events.append  # hot loop: locals
    for cid, mid, kind, channel, at, day, points, active in items:
        at = stamp(at)
        append((cid, mid, kind, channel, at, points))
        row = daily.get((cid, day, mid))
        if row is None:
            known = days.get(day)
            if known is None:
                known = days[day] = (day_text(day), week_number(day))
            row = daily[(cid, day, mid)] = [cid, known[0], mid, 0, 0, 0.0, {}, known[1]]
        row[3] += 1
        if active:
            row[4] += 1
        row[5] += points
        counts = row[6]  # the member-day's counts by kind: a small dict, cheaper than a 4-part key
        counts[kind] = counts.get(kind, 0) + 1
        st = state.get((cid, mid))
        if st is None:
            state[(cid, mid)] = [cid, mid, at, at, at if kind == "join" else None, points, day if active else None]
            continue
        if at < st[2]:
            st[2] = at
        elif at > st[3]:
            st[3] = at
        st[5] += points
        if kind == "join" and st[4] is None:
            st[4] = at
        if active and (st[6] is None or day > st[6]):
            st[6] = day
    for st in state.values():
        if st[6] is not None:
            st[6] = days[st[6]][0]  # as the driver stores it
    rows = list(daily.values())
    kinds = []
    weekly: dict[tuple[int, int, str, int], int] = {}
    per_day: dict[tuple[int, Any, str], int] = {}
    signal_of = signal_of or {}
    for r in rows:
        week = r.pop()
        for kind, n in r.pop().items():
            kinds.append([r[0], r[1], r[2], kind, n])
            signal = signal_of.get(kind)
            if signal is not None:
                key = (r[0], r[2], signal, week)
                weekly[key] = weekly.get(key, 0) + n
            day_key = (r[0], r[1], kind)
            per_day[day_key] = per_day.get(day_key, 0) + n
    trend = []
    zeros = [0] * TREND_WEEKS
    for (cid, mid, signal, week), n in weekly.items():
        slots = zeros.copy()
        slots[week % TREND_WEEKS] = n
        trend.append([cid, mid, signal, week, *slots])
    return events, rows, kinds, list(state.values()), trend, [[*k, n] for k, n in per_day.items()]


def sqlite_times() -> Callable[[datetime | None], str | None]:
    """Datetimes as SQLAlchemy's SQLite DateTime stores them ("YYYY-MM-DD HH:MM:SS.ffffff", UTC),
    so raw and ORM rows compare alike. Events of one second share the formatted prefix: a
    cached prefix plus the microseconds is ~4x cheaper than formatting each datetime."""
    prefixes: dict[int, str] = {}

    def stamp(value: datetime | None) -> str | None:
        if value is None:
            return None
        second = int(value.timestamp() // 1)
        prefix = prefixes.get(second)
        if prefix is None:
            if len(prefixes) > 4096:
                prefixes.clear()
            prefix = prefixes[second] = value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.")
        return f"{prefix}{value.microsecond:06d}"

    return stamp


sqlite_datetime = sqlite_times()
