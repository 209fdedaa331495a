"""The at-risk report: members active earlier in the term, now declining in every signal.

Read from the weekly trend ring (``participation_trend``: one row per member and signal, in
primary-key order, so grouping by member needs no sort). The database decides each member
with the rule cross-multiplied (HAVING: at least MIN_WEEKLY a week earlier, no signal's
recent rate above RATIO of its earlier one); the few members within rounding of a boundary
are decided again by ``logic.is_at_risk`` on their per-signal sums. On 10 million events
that reads ~150k small rows instead of grouping six weeks of daily counts by member (2 s on
SQLite: its sorter). When the ring cannot answer — ``today`` older than it holds, or other
signals than it was written with — the daily counts by kind answer the same question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterator, Mapping, Sequence

from sqlalchemy import Connection, and_, case, func, literal_column, select, text

from bot import Member

from .logic import MemberSignals, at_risk_windows, is_at_risk
from .models import TREND_WEEKS, ParticipantState, ParticipationDailyKind, ParticipationTrend
from .rollups import week_number
from .trend import fingerprint, ring_signals, signal_map

K = ParticipationDailyKind.__table__.c
S = ParticipantState.__table__.c
T = ParticipationTrend.__table__.c
M = Member.__table__.c
MIN_WEEKLY, RATIO = 1.0, 0.5  # logic.is_at_risk's defaults
EPS = 1e-6  # closer than this to a boundary: decided again by is_at_risk
# SQLite's planner took the last-active-day index for this once it had statistics from before
# participation_0006 (none of that index in sqlite_stat1): a scan of every member, 37 ms on 50k
LAST_SQLITE = text("SELECT max(last_event_at) FROM participation_member INDEXED BY ix_participation_member_last"
                   " WHERE community_id = :cid")


@dataclass
class AtRisk:
    member_id: int
    external_id: str
    name: str
    earlier_weekly: float
    recent_weekly: float


Windows = tuple[date, date, date]


def at_risk(conn: Connection, community_id: int, today: date, term_start: date | None,
            signals: Mapping[str, Sequence[str]]) -> list[AtRisk]:
    """Members active earlier in the term but declining in every signal (see logic.is_at_risk),
    over the whole-week windows of logic.at_risk_windows. ``signals``: at-risk signal -> the
    kinds summed into it (logic.signal_columns)."""
    return find(conn, community_id, today, term_start, signals, ring=None)


def find(conn: Connection, community_id: int, today: date, term_start: date | None,
         signals: Mapping[str, Sequence[str]], *, ring: bool | None) -> list[AtRisk]:
    """``at_risk``, from the ring (True), the daily counts (False) or whichever can answer (None)."""
    from .reports import _hidden_among, _names

    windows = at_risk_windows(today, term_start)
    signals = {name: tuple(kinds) for name, kinds in signals.items() if kinds}
    if windows is None or not signals:
        return []
    if ring is None:
        ring = ring_answers(conn, community_id, today, signals)
    earlier_weeks = (windows[1] - windows[0]).days / 7
    recent_weeks = (windows[2] - windows[1]).days / 7

    def decided(sums: Iterator[tuple[int, dict[str, float], dict[str, float]]]) -> list[tuple[int, float, float]]:
        return [(mid, sum(e.values()) / earlier_weeks, sum(r.values()) / recent_weeks) for mid, e, r in sums
                if is_at_risk(MemberSignals(mid, e, r), earlier_weeks, recent_weeks, min_weekly=MIN_WEEKLY,
                              ratio=RATIO)]

    out: list[AtRisk] = []
    if ring:
        unsure = []
        for verdict in ring_verdicts(conn, community_id, windows, signals):
            if isinstance(verdict, int):
                unsure.append(verdict)
            else:
                mid, earlier, recent, external_id, name = verdict
                out.append(AtRisk(mid, external_id, name, earlier / earlier_weeks, recent / recent_weeks))
        found = decided(_ring_detail(conn, community_id, windows, unsure))
    else:
        found = decided(daily_sums(conn, community_id, windows, signals))
    hidden = _hidden_among(conn, community_id, [f[0] for f in found])
    names = _names(conn, [f[0] for f in found if f[0] not in hidden])
    out.extend(AtRisk(mid, *names.get(mid, ("?", "?")), before, now) for mid, before, now in found
               if mid not in hidden)
    out.sort(key=lambda a: (a.recent_weekly - a.earlier_weekly, a.member_id))
    return out


def ring_answers(conn: Connection, community_id: int, today: date, signals: Mapping[str, Sequence[str]]) -> bool:
    """The ring was written for these signals and still holds the six weeks up to ``today``
    (nobody's newest week is more than TREND_WEEKS - 6 weeks after today's: the last event,
    read from the last-seen index)."""
    if ring_signals(conn) != fingerprint(signal_map(signals)):
        return False
    if conn.dialect.name == "sqlite":  # its planner may take the other index (LAST_SQLITE)
        last = conn.execute(LAST_SQLITE, {"cid": community_id}).scalar()
    else:
        last = conn.execute(select(func.max(S.last_event_at)).where(S.community_id == community_id)).scalar()
    if last is None:
        return True
    newest = date.fromisoformat(last[:10]) if isinstance(last, str) else last.date()
    return week_number(newest + timedelta(days=1)) - week_number(today) <= TREND_WEEKS - 6


def _window_sums(windows: Windows) -> tuple[Any, Any]:
    """The ring row's earlier and recent counts, as SQL: week W is in slot W % TREND_WEEKS while
    the row's newest week is W .. W + TREND_WEEKS - 1. Rows whose newest week is this week (or
    up to the ring's spare weeks after it) hold every week asked for: plain sums, no test per
    week — the common case, and a third of the query's time otherwise."""
    earlier_start, recent_start, end = windows
    first, split, last = week_number(earlier_start), week_number(recent_start), week_number(end - timedelta(days=1))

    def slot(week: int) -> Any:
        return T[f"w{week % TREND_WEEKS}"]

    def held(week: int) -> Any:
        return case((and_(T.week >= _n(week), T.week < _n(week + TREND_WEEKS)), slot(week)), else_=_n(0))

    def total(weeks: range) -> Any:
        plain = sum((slot(w) for w in weeks), _n(0))
        tested = sum((held(w) for w in weeks), _n(0))
        return case((and_(T.week >= _n(last), T.week < _n(first + TREND_WEEKS)), plain), else_=tested)

    return total(range(first, split)), total(range(split, last + 1))


def _n(value: float) -> Any:
    """A number written into the SQL, not bound: SQLite then sees the HAVING's sums as the
    SELECT's and computes each once (bound parameters make every copy look different)."""
    return literal_column(repr(value))


def ring_verdicts(conn: Connection, community_id: int, windows: Windows,
                  signals: Mapping[str, Sequence[str]]) -> Iterator[tuple[int, float, float, str, str] | int]:
    """(member, earlier total, recent total, external id, name) of every visible member at risk,
    from the ring; a bare member id: decide again (within rounding of a boundary)."""
    earlier_start, recent_start, end = windows
    ew, rw = (recent_start - earlier_start).days / 7, (end - recent_start).days / 7
    e, r = _window_sums(windows)
    total_e, total_r = func.sum(e), func.sum(r)
    margin = func.max(r * _n(ew) - _n(RATIO) * e * _n(rw))  # <= 0: no signal above RATIO of its earlier rate
    grouped = (select(T.member_id, total_e.label("e"), total_r.label("r"), margin.label("m"))
               # every row is one of ``signals`` (ring_answers: the ring was written for them)
               .where(T.community_id == community_id, T.week >= _n(week_number(earlier_start)))
               .group_by(T.member_id)
               .having(and_(total_e >= _n(MIN_WEEKLY * ew - EPS), margin <= _n(EPS)))).subquery()
    q = (select(grouped.c.member_id, grouped.c.e, grouped.c.r, grouped.c.m, M.external_id, M.display_name)
         .join_from(grouped, Member.__table__, M.id == grouped.c.member_id)
         .where(M.opted_out.is_(False), M.is_bot.is_(False)))  # hidden members never listed
    for member_id, earlier, recent, worst, external_id, name in conn.execute(q):
        if float(earlier) > MIN_WEEKLY * ew + EPS and float(worst) < -EPS:
            yield member_id, float(earlier), float(recent), external_id, name
        else:
            yield member_id


def _ring_detail(conn: Connection, community_id: int, windows: Windows,
                 members: list[int]) -> Iterator[tuple[int, dict[str, float], dict[str, float]]]:
    e, r = _window_sums(windows)
    for begin in range(0, len(members), 500):
        found: dict[int, tuple[dict[str, float], dict[str, float]]] = {}
        for mid, signal, earlier, recent in conn.execute(
                select(T.member_id, T.signal, e, r).where(T.community_id == community_id,
                                                          T.member_id.in_(members[begin:begin + 500]))):
            mine = found.setdefault(mid, ({}, {}))
            mine[0][signal], mine[1][signal] = float(earlier), float(recent)
        for mid, (earlier_by, recent_by) in found.items():
            yield mid, earlier_by, recent_by


def daily_sums(conn: Connection, community_id: int, windows: Windows,
               signals: Mapping[str, Sequence[str]]) -> Iterator[tuple[int, dict[str, float], dict[str, float]]]:
    """(member, earlier sums by signal, recent sums by signal) from the daily counts by kind
    (any ``today``, any signals; slower on big communities)."""
    from .reports import _by_member

    earlier_start, recent_start, end = windows
    is_recent = K.day >= recent_start
    sums = {name: (func.sum(case((and_(K.kind.in_(kinds), ~is_recent), K.count), else_=0)),
                   func.sum(case((and_(K.kind.in_(kinds), is_recent), K.count), else_=0)))
            for name, kinds in signals.items()}
    every = sorted({k for kinds in signals.values() for k in kinds})
    q = (select(K.member_id, *(x for pair in sums.values() for x in pair))
         .where(K.community_id == community_id, K.day >= earlier_start, K.day < end, K.kind.in_(every))
         .group_by(_by_member(conn, K)))
    names = list(sums)
    for row in conn.execute(q):
        values = [float(v or 0) for v in row[1:]]
        yield row[0], dict(zip(names, values[0::2])), dict(zip(names, values[1::2]))
