"""Report queries. Each takes a SQLAlchemy Connection and returns plain data.

Everything reads the daily rollups (``participation_daily`` for events and points,
``participation_daily_kind`` for counts by kind) or the per-member state
(``participation_member``), never the raw events, so reports stay fast on tens of millions
of events. Opted-out members and bots never appear in rankings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping, Sequence

from sqlalchemy import Connection, and_, case, func, or_, select, text

from bot import Member

from .logic import streak, week_start
from .models import ParticipantState, ParticipationDaily, ParticipationDailyKind, ParticipationDay, ParticipationDayKind

D = ParticipationDaily.__table__.c
K = ParticipationDailyKind.__table__.c
S = ParticipantState.__table__.c
DK = ParticipationDayKind.__table__.c
AD = ParticipationDay.__table__.c
M = Member.__table__.c
DAILY, KINDS, STATE = ParticipationDaily.__table__, ParticipationDailyKind.__table__, ParticipantState.__table__


def _hidden(community_id: int) -> Any:
    """Members who never appear in rankings: opted out, or bots (read from the partial index of
    just those, core_0004: the community index would read every member)."""
    return _pin(select(M.id).where(M.community_id == community_id, or_(M.opted_out, M.is_bot)), Member.__table__,
                "ix_member_hidden")


def _by_member(conn: Connection, table: Any = D) -> Any:
    """GROUP BY member for range scans over a rollup. On SQLite, "+member_id" (a unary plus)
    stops the planner choosing the member-first index; the primary key's (community_id, day)
    range scan is ~10x faster here. PostgreSQL plans this well on its own (and would reject
    selecting member_id while grouping by an expression of it)."""
    if conn.dialect.name == "sqlite":
        return _UNARY_PLUS[table.member_id.table.name]
    return table.member_id


_UNARY_PLUS = {"participation_daily": text("+participation_daily.member_id"),
               "participation_daily_kind": text("+participation_daily_kind.member_id")}


def _pin(q: Any, table: Any, index: str) -> Any:
    """``q`` reading ``table`` through ``index`` on SQLite (INDEXED BY; other databases plan
    these well and ignore the hint). SQLite's choice depends on its statistics: with none (a
    database never ANALYZEd) /stats me's reads took the primary key's range over the whole
    community's days instead of the member index; with statistics from before an index existed
    the rank count took that index (a lookup per member). Pinned, the plan is the same either way."""
    return q.with_hint(table, f"INDEXED BY {index}", "sqlite")


DAILY_BY_MEMBER, KIND_BY_MEMBER = "ix_participation_daily_member", "ix_participation_daily_kind_member"
DAILY_BY_POINTS, STATE_BY_LAST = "ix_participation_daily_points", "ix_participation_member_last"
STATE_KEY = "sqlite_autoindex_participation_member_1"  # the primary key of a WITHOUT ROWID table


def _names(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = conn.execute(select(M.id, M.external_id, M.display_name).where(M.id.in_(list(ids))))
    return {r.id: (r.external_id, r.display_name) for r in rows}


# --- /stats leaderboard ----------------------------------------------------------------------
@dataclass
class Ranked:
    member_id: int
    external_id: str
    name: str
    points: float
    events: int


def _hidden_among(conn: Connection, community_id: int, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    return set(conn.execute(_hidden(community_id).where(M.id.in_(list(ids)))).scalars())


def leaderboard(conn: Connection, community_id: int, since: date | None, today: date,
                limit: int = 10) -> list[Ranked]:
    """Top members by points over days ``since``..``today`` (since None = all time).
    Opted-out members and bots never appear."""
    if since is None:
        return _top_all_time(conn, community_id, limit)
    return _top_since(conn, community_id, since, today, limit)


def _top_all_time(conn: Connection, community_id: int, limit: int) -> list[Ranked]:
    extra = 10
    while True:  # hidden members are dropped afterwards (a NOT IN inside the scan cost more)
        rows = conn.execute(select(S.member_id, S.points_total).where(S.community_id == community_id)
                            .order_by(S.points_total.desc(), S.member_id).limit(limit + extra)).all()
        hidden = _hidden_among(conn, community_id, [r.member_id for r in rows])
        visible = [(r.member_id, float(r.points_total), 0) for r in rows
                   if r.member_id not in hidden and r.points_total > 0][:limit]
        if len(visible) == limit or len(rows) < limit + extra:
            return _ranked(conn, visible)
        extra *= 4


def _top_since(conn: Connection, community_id: int, since: date, today: date, limit: int) -> list[Ranked]:
    """Exact top-k of points summed over days, by the threshold algorithm (Fagin et al.).

    Read each day's rows in descending points (index ix_participation_daily_points), a few at
    a time; sum every member seen over the whole range exactly (member index); stop when the
    k-th best exact sum beats the sum of the last points read from each day, which bounds
    anyone not seen yet. A 7-day GROUP BY over ~175k member-days took 60-110 ms on SQLite
    (its sorter); this reads a few hundred rows.
    """
    days = [since + timedelta(days=i) for i in range((today - since).days + 1)]
    seen: dict[int, tuple[float, int]] = {}
    hidden: set[int] = set()
    depth, offset = 16, 0
    while True:
        frontier, fresh, exhausted = 0.0, set(), True
        for day in days:
            rows = conn.execute(_pin(select(D.member_id, D.points).where(D.community_id == community_id, D.day == day)
                                     .order_by(D.points.desc()).limit(depth).offset(offset), DAILY,
                                     DAILY_BY_POINTS)).all()
            fresh.update(r.member_id for r in rows if r.member_id not in seen)
            if len(rows) == depth:
                frontier += float(rows[-1].points)
                exhausted = False
        if fresh:
            sums = conn.execute(_pin(select(D.member_id, func.sum(D.points), func.sum(D.events)).where(
                D.community_id == community_id, D.member_id.in_(sorted(fresh)), D.day >= since, D.day <= today)
                .group_by(D.member_id), DAILY, DAILY_BY_MEMBER)).all()
            seen.update({m: (float(p or 0), int(e or 0)) for m, p, e in sums})
            hidden |= _hidden_among(conn, community_id, list(fresh))
        best = sorted(((m, p, e) for m, (p, e) in seen.items() if m not in hidden and p > 0),
                      key=lambda r: (-r[1], r[0]))[:limit]
        if exhausted or (len(best) == limit and best[-1][1] > frontier):
            return _ranked(conn, best)
        offset += depth
        depth *= 2


def _ranked(conn: Connection, rows: list[tuple[int, float, int]]) -> list[Ranked]:
    names = _names(conn, [r[0] for r in rows])
    return [Ranked(m, *names.get(m, ("?", "?")), p, e) for m, p, e in rows]


def rank_of(conn: Connection, community_id: int, member_id: int) -> int | None:
    """All-time rank by points among visible members (None when the member has no points)."""
    mine = conn.execute(select(S.points_total).where(S.community_id == community_id,
                                                     S.member_id == member_id)).scalar()
    if not mine:
        return None
    above = _pin(select(func.count()).select_from(ParticipantState.__table__).where(
        S.community_id == community_id, S.points_total > mine), STATE, STATE_KEY)
    # hidden members are few: count them separately instead of a NOT IN test on every row
    hidden_above = above.where(S.member_id.in_(_hidden(community_id)))
    return int(conn.execute(above).scalar() or 0) - int(conn.execute(hidden_above).scalar() or 0) + 1


# --- /stats me and /stats member -------------------------------------------------------------
@dataclass
class MemberStats:
    this_week: dict[str, float] = field(default_factory=dict)  # kind -> count (+ "events", "points")
    last_week: dict[str, float] = field(default_factory=dict)
    streak: int = 0
    points_total: float = 0.0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    rank: int | None = None


def member_stats(conn: Connection, community_id: int, member_id: int, today: date) -> MemberStats:
    this_start = week_start(today)
    last_start = this_start - timedelta(days=7)
    is_this = D.day >= this_start
    q = (select(*(func.sum(case((is_this, D[c]), else_=0)).label("t_" + c) for c in ("events", "points")),
                *(func.sum(case((is_this, 0), else_=D[c])).label("l_" + c) for c in ("events", "points")))
         .where(D.community_id == community_id, D.member_id == member_id, D.day >= last_start))
    row = conn.execute(_pin(q, DAILY, DAILY_BY_MEMBER)).one()._mapping
    out = MemberStats(this_week={c: float(row["t_" + c] or 0) for c in ("events", "points")},
                      last_week={c: float(row["l_" + c] or 0) for c in ("events", "points")})
    is_this_k = K.day >= this_start
    by_kind = (select(K.kind, func.sum(case((is_this_k, K.count), else_=0)).label("this"),
                      func.sum(case((is_this_k, 0), else_=K.count)).label("last"))
               .where(K.community_id == community_id, K.member_id == member_id, K.day >= last_start)
               .group_by(K.kind))
    for r in conn.execute(_pin(by_kind, KINDS, KIND_BY_MEMBER)):
        out.this_week[r.kind], out.last_week[r.kind] = float(r.this or 0), float(r.last or 0)
    days = conn.execute(_pin(select(D.day).where(D.community_id == community_id, D.member_id == member_id,
                                                 D.day >= today - timedelta(days=400), D.active > 0)
                             .order_by(D.day.desc()), DAILY, DAILY_BY_MEMBER)).scalars().all()
    out.streak = streak(days, today)
    state = conn.execute(select(S.points_total, S.first_event_at, S.last_event_at).where(
        S.community_id == community_id, S.member_id == member_id)).first()
    if state is not None:
        out.points_total = float(state.points_total)
        out.first_seen, out.last_seen = state.first_event_at, state.last_event_at
    return out


# --- /stats inactive -------------------------------------------------------------------------
@dataclass
class Silent:
    member_id: int
    external_id: str
    name: str
    last_seen: datetime


def silent_members(conn: Connection, community_id: int, cutoff: datetime, limit: int = 50) -> tuple[int, list[Silent]]:
    """(how many, the longest-silent first) members whose last event is before ``cutoff``."""
    where = and_(S.community_id == community_id, S.last_event_at < cutoff,
                 S.member_id.not_in(_hidden(community_id)))
    total = conn.execute(_pin(select(func.count()).select_from(ParticipantState.__table__).where(where),
                              STATE, STATE_BY_LAST)).scalar() or 0
    rows = conn.execute(_pin(select(S.member_id, S.last_event_at).where(where)
                             .order_by(S.last_event_at, S.member_id).limit(limit), STATE, STATE_BY_LAST)).all()
    names = _names(conn, [r.member_id for r in rows])
    return int(total), [Silent(r.member_id, *names.get(r.member_id, ("?", "?")), r.last_event_at) for r in rows]


# --- export, chart, digest -------------------------------------------------------------------
@dataclass
class DayTotals:
    day: date
    active: int
    counts: dict[str, int]  # kind -> events that day


def daily_series(conn: Connection, community_id: int, since: date, until: date) -> list[DayTotals]:
    """Per local day: active members (did something that counts as active: the writer's count per
    day) and events by kind (the community's counts per day: one row per day and kind)."""
    active = {r.day: int(r.active_members) for r in conn.execute(
        select(AD.day, AD.active_members).where(AD.community_id == community_id, AD.day >= since, AD.day <= until))}
    counts: dict[date, dict[str, int]] = {}
    for r in conn.execute(select(DK.day, DK.kind, DK.count)
                          .where(DK.community_id == community_id, DK.day >= since, DK.day <= until, DK.count > 0)):
        counts.setdefault(r.day, {})[r.kind] = int(r.count)
    out = []
    day = since
    while day <= until:
        out.append(DayTotals(day, active.get(day, 0), counts.get(day, {})))
        day += timedelta(days=1)
    return out


@dataclass
class KindWeek:
    count: int  # how many times
    members: int  # how many (visible) members did it


@dataclass
class WeekNumbers:
    members: int  # tracked members (not bots, not opted out)
    active: int
    kinds: dict[str, KindWeek]  # every kind that happened this week

    def count(self, kind: str) -> int:
        found = self.kinds.get(kind)
        return found.count if found else 0


def active_members(conn: Connection, community_id: int, since: date, until: date) -> int:
    """Visible members with an active event on a day ``since``..``until``. When no member was
    active after ``until`` (the range ends today), that is the members whose last active day
    (participation_member, the writer's) is in the range: a count over an index range. Else
    (a past range) the distinct members of the range's daily rows, which SQLite sorts."""
    newest = conn.execute(select(func.max(S.last_active_day)).where(S.community_id == community_id)).scalar()
    if newest is None or newest <= until:
        q = (select(func.count()).select_from(ParticipantState.__table__)
             .where(S.community_id == community_id, S.last_active_day >= since, S.last_active_day <= until,
                    S.member_id.not_in(_hidden(community_id))))
    else:
        q = (select(func.count(func.distinct(case((D.active > 0, D.member_id)))))
             .where(D.community_id == community_id, D.day >= since, D.day <= until,
                    D.member_id.not_in(_hidden(community_id))))
    return int(conn.execute(q).scalar() or 0)


def week_numbers(conn: Connection, community_id: int, since: date, until: date,
                 people_of: Sequence[str] | None = None) -> WeekNumbers:
    """Tracked and active members, and per kind the count and how many (visible) members did it.
    ``people_of``: only these kinds' members are counted (the others' ``members`` are 0) — the
    counts then come from the community's counts per day, and only those kinds' rows are sorted
    for DISTINCT (the Overview asks for two kinds: a tenth of a week's rows)."""
    active = active_members(conn, community_id, since, until)
    in_range = and_(K.community_id == community_id, K.day >= since, K.day <= until)
    if people_of is None:
        by_kind = (select(K.kind, func.sum(K.count).label("n"), func.count(func.distinct(K.member_id)).label("people"))
                   .where(in_range, K.member_id.not_in(_hidden(community_id))).group_by(K.kind))
        kinds = {r.kind: KindWeek(int(r.n or 0), int(r.people or 0)) for r in conn.execute(by_kind)}
    else:
        counts = {r.kind: int(r.n or 0) for r in conn.execute(
            select(DK.kind, func.sum(DK.count).label("n")).where(DK.community_id == community_id, DK.day >= since,
                                                               DK.day <= until).group_by(DK.kind))}
        for r in conn.execute(select(K.kind, func.sum(K.count).label("n"))  # hidden members' share (few)
                              .where(in_range, K.member_id.in_(_hidden(community_id))).group_by(K.kind)):
            counts[r.kind] = counts.get(r.kind, 0) - int(r.n or 0)
        people = {r.kind: int(r.people or 0) for r in conn.execute(
            select(K.kind, func.count(func.distinct(K.member_id)).label("people"))
            .where(in_range, K.kind.in_(list(people_of)), K.member_id.not_in(_hidden(community_id)))
            .group_by(K.kind))} if people_of else {}
        kinds = {k: KindWeek(n, people.get(k, 0)) for k, n in counts.items() if n > 0}
    members = conn.execute(select(func.count()).select_from(Member.__table__).where(
        M.community_id == community_id, M.opted_out.is_(False), M.is_bot.is_(False))).scalar() or 0
    return WeekNumbers(int(members), int(active), kinds)


from .export import export_header, export_rows, export_stream  # noqa: E402,F401  (re-exported: one import site)
from .risk import AtRisk, at_risk  # noqa: E402,F401
