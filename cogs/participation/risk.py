"""The at-risk report: members active earlier in the term, now declining in every signal.

Read from the weekly trend ring (``participation_ring``: one row per member holding every
signal's last weeks, in primary-key order). The database filters the community's rows with the
rule cross-multiplied into whole numbers (at least MIN_WEEKLY a week earlier, no signal's recent
rate above RATIO of its earlier one) and returns each candidate's per-signal sums;
``logic.is_at_risk`` then decides each candidate, exactly as it decides the daily counts' sums.
On 10 million events that filters ~50k rows instead of grouping six weeks of daily counts by
member (2 s on SQLite: its sorter) or ~150k rows of one row per member and signal (~150 ms:
participation_0004's layout). When the ring cannot answer — ``today`` older than it holds, or
other signals than it was written with — the daily counts by kind answer the same question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from functools import lru_cache
from typing import Any, Callable, Iterator, Mapping, Sequence

from sqlalchemy import Connection, and_, case, func, select, text

from .logic import MemberSignals, at_risk_windows, is_at_risk
from .models import TREND_WEEKS, ParticipantState, ParticipationDailyKind, ParticipationRing
from .rollups import ring_slots, week_number
from .trend import fingerprint, ring_signals, signal_map

K = ParticipationDailyKind.__table__.c
S = ParticipantState.__table__.c
T = ParticipationRing.__table__.c
MIN_WEEKLY, RATIO = 1.0, 0.5  # logic.is_at_risk's defaults
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

    def risky(mid: int, earlier: dict[str, float], recent: dict[str, float]) -> bool:
        return is_at_risk(MemberSignals(mid, earlier, recent), earlier_weeks, recent_weeks, min_weekly=MIN_WEEKLY,
                          ratio=RATIO)

    if ring:  # hidden members are left out, and names read, by the ring's query
        out = ring_found(conn, community_id, windows, signals, risky)
    else:
        found = [(mid, sum(e.values()) / earlier_weeks, sum(r.values()) / recent_weeks)
                 for mid, e, r in daily_sums(conn, community_id, windows, signals) if risky(mid, e, r)]
        hidden = _hidden_among(conn, community_id, [f[0] for f in found])
        names = _names(conn, [f[0] for f in found if f[0] not in hidden])
        out = [AtRisk(mid, *names.get(mid, ("?", "?")), before, now) for mid, before, now in found
               if mid not in hidden]
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


def ring_found(conn: Connection, community_id: int, windows: Windows, signals: Mapping[str, Sequence[str]],
               risky: Callable[[int, dict[str, float], dict[str, float]], bool]) -> list[AtRisk]:
    """Every visible member at risk, from the ring (ring_answers: it was written for ``signals``).
    The query's rows hold for the rule in whole numbers; those exactly on one of its boundaries
    (``edge``) are decided by ``risky`` (is_at_risk) on their sums by signal, which may round
    either way there, as it does for the daily counts' sums."""
    slot_of = ring_slots(signal_map(signals)) or {}
    names = list(signals)
    slots = tuple(slot_of[signals[name][0]] for name in names)
    earlier_weeks, recent_weeks = (windows[1] - windows[0]).days / 7, (windows[2] - windows[1]).days / 7
    out, edges = [], {}
    for mid, external_id, name, earlier, recent, edge in _fetch(conn, _ring_sql(windows, slots, conn.dialect.name),
                                                                community_id):
        if edge:
            edges[mid] = (external_id, name)
        else:
            out.append(AtRisk(mid, external_id, name, earlier / earlier_weeks, recent / recent_weeks))
    ids = list(edges)
    for begin in range(0, len(ids), 500):
        chunk = ", ".join(str(int(mid)) for mid in ids[begin:begin + 500])
        for row in _fetch(conn, _sums_sql(windows, slots) + f" AND r.member_id IN ({chunk})", community_id):
            values = [float(v) for v in row[1:]]
            e, r = dict(zip(names, values[0::2])), dict(zip(names, values[1::2]))
            if risky(row[0], e, r):
                out.append(AtRisk(row[0], *edges[row[0]], sum(e.values()) / earlier_weeks,
                                  sum(r.values()) / recent_weeks))
    return out


def _fetch(conn: Connection, sql: str, community_id: int) -> list[Any]:
    """Rows of ``sql`` (the community id in it as ``{cid}``) on the driver's cursor: SQLAlchemy's
    result rows cost ~8 us each here, and a big community has thousands at risk."""
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(sql.replace("{cid}", str(int(community_id))))
        return cursor.fetchall()
    finally:
        cursor.close()


def _windows_sums(windows: Windows, slots: tuple[int, ...]) -> list[tuple[str, str]]:
    earlier_start, recent_start, end = windows
    first, split, last = week_number(earlier_start), week_number(recent_start), week_number(end - timedelta(days=1))
    return [(_held_sum(j, range(first, split), first, last), _held_sum(j, range(split, last + 1), first, last))
            for j in slots]


@lru_cache(maxsize=64)
def _sums_sql(windows: Windows, slots: tuple[int, ...]) -> str:
    columns = ", ".join(f"{e}, {r}" for e, r in _windows_sums(windows, slots))
    return f"SELECT r.member_id, {columns} FROM participation_ring AS r WHERE r.community_id = {{cid}}"


@lru_cache(maxsize=64)
def _ring_sql(windows: Windows, slots: tuple[int, ...], dialect: str) -> str:
    """The community's ring rows filtered by the rule in whole numbers — (earlier days) x (recent
    count) x q <= p x (earlier count) x (recent days) for RATIO = p/q, and 7 x q' x (earlier total)
    >= p' x (earlier days) for MIN_WEEKLY = p'/q' — which is the rule without rounding: every
    member it holds for is among the rows, and off its boundaries exactly those (a float can
    only round the other way on one: ``edge``). Text, built once per windows: a SQLAlchemy
    expression this size cost ~10 ms a call to build and key for its cache."""
    earlier_start, recent_start, end = windows
    first, last = week_number(earlier_start), week_number(end - timedelta(days=1))
    earlier_days, recent_days = (recent_start - earlier_start).days, (end - recent_start).days
    ratio, least = Fraction(RATIO).limit_denominator(1000), Fraction(MIN_WEEKLY).limit_denominator(1000)
    sums = _windows_sums(windows, slots)

    def times(n: int) -> str:  # PostgreSQL: in bigint, the counts are int4 (SQLite's integers are 64-bit)
        return f"CAST({n} AS BIGINT) *" if dialect == "postgresql" else f"{n} *"

    sides = [(f"{times(earlier_days * ratio.denominator)} ({r})", f"{times(ratio.numerator * recent_days)} ({e})", e)
             for e, r in sums]
    total_e, total_r = " + ".join(f"({e})" for e, _ in sums), " + ".join(f"({r})" for _, r in sums)
    sides.append((f"{times(least.numerator * earlier_days)} 1", f"{times(7 * least.denominator)} ({total_e})", "1"))
    tests = " AND ".join(f"{small} <= {big}" for small, big, _ in sides)
    # on a boundary: both sides equal and not 0 (a signal used in neither window is no edge: 0 is exact)
    edge = " OR ".join(f"({small} = {big} AND ({nonzero}) > 0)" for small, big, nonzero in sides)
    # hidden members never listed; SQLite: CROSS JOIN keeps the ring the outer loop (statistics aside)
    join = "CROSS JOIN" if dialect == "sqlite" else "JOIN"
    return (f"SELECT r.member_id, m.external_id, m.display_name, {total_e}, {total_r}, CASE WHEN {edge} THEN 1 "
            f"ELSE 0 END FROM participation_ring AS r {join} member AS m ON m.id = r.member_id "
            f"WHERE r.community_id = {{cid}} AND r.week >= {first} AND r.week < {last + TREND_WEEKS} AND {tests} "
            f"AND NOT m.opted_out AND NOT m.is_bot")


def _held_sum(j: int, weeks: range, first: int, last: int) -> str:
    """Signal slot j's count over ``weeks``, as SQL: a row whose newest week is W holds weeks
    W - TREND_WEEKS + 1 .. W, in column s{j}w{week % TREND_WEEKS}. One CASE branch per distinct
    set of weeks held; rows holding all of them (newest week last .. first + TREND_WEEKS - 1,
    nearly every row) take the first."""
    def held(newest: int) -> tuple[int, ...]:
        return tuple(w for w in weeks if newest - TREND_WEEKS < w <= newest)

    def total(held_weeks: tuple[int, ...]) -> str:
        return " + ".join(f"s{j}w{w % TREND_WEEKS}" for w in held_weeks) or "0"

    branches: list[tuple[int, int, tuple[int, ...]]] = []  # (lowest, highest newest week, weeks held)
    for newest in range(first, last + TREND_WEEKS):
        got = held(newest)
        if branches and branches[-1][2] == got:
            branches[-1] = (branches[-1][0], newest, got)
        else:
            branches.append((newest, newest, got))
    branches.sort(key=lambda b: -len(b[2]))
    whens = " ".join(f"WHEN r.week BETWEEN {lo} AND {hi} THEN {total(got)}" for lo, hi, got in branches if got)
    return f"CASE {whens} ELSE 0 END"


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
