"""What one batch of participation events writes, as plain rows and the statements that write them.

A batch is folded in memory first (``aggregate``): the event rows, then one upsert per
(community, day, member) into the daily rollup, one per (community, day, member, kind) into
the counts by kind, one per (community, member, kind, week) into the weekly trend ring and
one per member into ``participation_member`` and one per (community, day, kind) into
``participation_day_kind`` — never one upsert per event.

The trend ring (``participation_ring``) keeps, per member, the counts of every at-risk signal
in the last ``TREND_WEEKS`` weeks in fixed slots: week number W of signal slot j lives in
column ``s{j}w{W % TREND_WEEKS}`` and the row's ``week`` is the newest week it has seen (of any
signal). A newer week clears the slots of the weeks it skips over; an older week still inside
the ring adds to its slot; an older one is dropped. A batch folds each member's events into one
such ring (``aggregate``), and the upsert merges two rings (``trend_statement``). The at-risk
rule reads one row per member instead of six weeks of daily rows. Which signal a kind feeds
(``signal_of``) is the loaded cogs' declaration (trend.py), and a signal's slot its place in
name order (``ring_slots``).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from sqlalchemy import and_, case, func, literal_column, or_

from .models import (RING_SIGNALS, RING_SLOTS, TREND_WEEKS, ParticipantState, ParticipationDaily,
                     ParticipationDailyKind, ParticipationDayKind, ParticipationEvent, ParticipationRing)

EVENT = ParticipationEvent.__table__
DAILY = ParticipationDaily.__table__
KIND = ParticipationDailyKind.__table__
DAY = ParticipationDayKind.__table__
STATE = ParticipantState.__table__
TREND = ParticipationRing.__table__
SLOTS = RING_SLOTS


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


def ring_slots(signal_of: Mapping[str, str]) -> dict[str, int] | None:
    """Kind -> its signal's slot in the ring (the signals in name order); None when the cogs
    declare more signals than the ring has slots (RING_SIGNALS): then no ring is kept."""
    names = sorted(set(signal_of.values()))
    if len(names) > RING_SIGNALS:
        return None
    return {kind: names.index(signal) for kind, signal in signal_of.items()}


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


def _ring_merge() -> dict[str, Callable[[Any, Any], Any]]:
    """The SET of a ring merge (see the module docstring): each ring keeps a slot only if its week
    is still held once the newer of the two weeks is the newest; rings of the same week just add.
    Constants are inlined (not bound), so the statements' only parameters are the row's."""
    n = TREND_WEEKS

    def skipped(old: Any, new: Any, i: int) -> Any:
        # slot i of a ring whose newest week is ``old`` holds a week older than ``new`` keeps:
        # ((i - old - 1) mod n) < gap, kept non-negative
        gap = new - old
        return and_(gap > _c(0), or_(gap >= _c(n), (_c(i + 2 * n - 1) - old % _c(n)) % _c(n) < gap))

    def slot(name: str) -> Callable[[Any, Any], Any]:
        i = int(name.partition("w")[2])

        def build(t: Any, e: Any) -> Any:
            merged = (case((skipped(t.week, e.week, i), _c(0)), else_=t[name])
                      + case((skipped(e.week, t.week, i), _c(0)), else_=e[name]))
            return case((t.week == e.week, t[name] + e[name]), else_=merged)
        return build

    return {**{name: slot(name) for name in SLOTS}, "week": lambda t, e: _later(t.week, e.week)}


def _c(value: int) -> Any:
    return literal_column(str(int(value)))


def trend_statement(dialect: str) -> Any:
    """Merge a batch's ring for a member (TREND_KEYS) into theirs."""
    return _upsert(TREND, dialect, ["community_id", "member_id"], _ring_merge())


# SQLite, a batch's ring holding one week W with W % TREND_WEEKS == i (nearly every ring), as
# WEEK_KEYS(i) — 11 parameters, not TREND_KEYS' 67. ``add`` inserts it or adds it to a ring whose
# newest week is W (and leaves any other ring alone); ``merge`` is the full merge for the rings
# ``add`` left (and leaves those it did alone). The writer runs ``merge`` only when ``add`` changed
# fewer rows than it was given: about once a week per member.
def _week_ring_insert(i: int) -> Any:
    from sqlalchemy import bindparam
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    keys = week_keys(i)
    return sqlite_insert(TREND).values({c: bindparam(c) if c in keys else _c(0) for c in TREND_KEYS})


def week_ring_add(i: int) -> Any:
    """Add a one-week ring to a ring on that week: cheap to build (16 sums)."""
    stmt, keys = _week_ring_insert(i), week_keys(i)
    t, e = TREND.c, stmt.excluded
    return stmt.on_conflict_do_update(index_elements=["community_id", "member_id"],
                                      set_={c: t[c] + e[c] for c in keys[3:]}, where=t.week == e.week)


def week_ring_merge(i: int) -> Any:
    """Merge a one-week ring into a ring on another week: 128 merged slots, ~70 ms to build and compile."""
    stmt = _week_ring_insert(i)
    t, e = TREND.c, stmt.excluded
    return stmt.on_conflict_do_update(index_elements=["community_id", "member_id"],
                                      set_={c: f(t, e) for c, f in _ring_merge().items()}, where=t.week != e.week)


def week_keys(i: int) -> list[str]:
    return ["community_id", "member_id", "week", *(f"s{j}w{i}" for j in range(RING_SIGNALS))]


EVENT_KEYS = ["community_id", "member_id", "kind", "channel_id", "created_at", "points"]
DAILY_KEYS = ["community_id", "day", "member_id", "events", "active", "points"]
KIND_KEYS = ["community_id", "day", "member_id", "kind", "count"]
STATE_KEYS = ["community_id", "member_id", "first_event_at", "last_event_at", "joined_at", "points_total",
              "last_active_day"]
TREND_KEYS = ["community_id", "member_id", "week", *SLOTS]
DAY_KEYS = ["community_id", "day", "kind", "count"]


def _same(value: Any) -> Any:
    return value


def aggregate(items: Iterable[Item], stamp: Callable[[Any], Any] = _same, day_text: Callable[[Any], Any] = _same,
              signal_of: Mapping[str, str] | None = None) -> tuple[list[Any], ...]:
    """One pass over a batch: event rows (EVENT_KEYS order), rollup rows (one per member-day,
    DAILY_KEYS order), counts by kind (one per member-day-kind, KIND_KEYS order), state rows
    (one per member, STATE_KEYS order), ring rows (one per member; a kind feeds the signal
    ``signal_of`` names, none if absent: a ring of one week — nearly all — as community, member,
    week and each signal slot's count that week, see ``week_keys``; others in TREND_KEYS order) and
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
    rings: dict[tuple[int, int], list[Any]] = {}  # (community, member) -> their ring row (WEEK_KEYS or TREND_KEYS)
    per_day: dict[tuple[int, Any, str], int] = {}
    slot_of = ring_slots(signal_of or {}) or {}
    n, narrow = TREND_WEEKS, 3 + RING_SIGNALS
    for r in rows:
        week = r.pop()
        for kind, count in r.pop().items():
            kinds.append([r[0], r[1], r[2], kind, count])
            j = slot_of.get(kind)
            if j is not None:
                ring = rings.get((r[0], r[2]))
                if ring is None:
                    ring = rings[(r[0], r[2])] = [r[0], r[2], week, *_WEEK_ZEROS]
                if len(ring) == narrow:
                    if week == ring[2]:
                        ring[3 + j] += count
                        continue
                    ring = rings[(r[0], r[2])] = widened(ring)
                if week != ring[2] and not _moved(ring, week):
                    continue  # older than the ring holds
                ring[3 + j * n + week % n] += count
            day_key = (r[0], r[1], kind)
            per_day[day_key] = per_day.get(day_key, 0) + count
    trend = list(rings.values())
    return events, rows, kinds, list(state.values()), trend, [[*k, n] for k, n in per_day.items()]


_ZEROS = [0] * len(SLOTS)
_WEEK_ZEROS = [0] * RING_SIGNALS


def widened(ring: list[Any]) -> list[Any]:
    """A ring row of one week (WEEK_KEYS order, its week's slot) as a whole ring (TREND_KEYS)."""
    if len(ring) == 3 + len(SLOTS):
        return ring
    n, i = TREND_WEEKS, ring[2] % TREND_WEEKS
    whole = [ring[0], ring[1], ring[2], *_ZEROS]
    for j, count in enumerate(ring[3:]):
        whole[3 + j * n + i] = count
    return whole


def _moved(ring: list[Any], week: int) -> bool:
    """A batch's ring (aggregate) meets another week: a newer one clears the slots of the weeks it
    skips over (as trend_statement does); True when ``week`` is held."""
    n = TREND_WEEKS
    if week < ring[2]:
        return ring[2] - week < n
    for skipped in range(ring[2] + 1, min(week, ring[2] + n) + 1):
        for j in range(RING_SIGNALS):
            ring[3 + j * n + skipped % n] = 0
    ring[2] = week
    return True


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
