"""The participation export, streamed: per-member totals by kind for a date range, a chunk of
members at a time, so the first rows are out at once and memory stays constant whatever the
community's size.

Each chunk is ``CHUNK`` member ids (keyset over the member table). For it, the daily rollup
and the counts by kind are read day by day — ``day = D AND member_id BETWEEN lo AND hi``,
one seek into the (community, day, member) primary key per day, as a UNION ALL of up to
``DAYS_PER_QUERY`` days — reading only the rows the chunk needs, grouped by member in a small
sort. (Written as ``day IN (...)``, SQLite's planner picked the member index instead and
read every day of those members: 8x slower.) The header's columns (the
declared kinds, then any other kind found) come from the community's counts per day.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Iterator, Sequence

from sqlalchemy import Connection, func, select, union_all

from bot import Community, Member

from .models import ParticipantState, ParticipationDaily, ParticipationDailyKind, ParticipationDayKind

D = ParticipationDaily.__table__.c
K = ParticipationDailyKind.__table__.c
S = ParticipantState.__table__.c
M = Member.__table__.c
DK = ParticipationDayKind.__table__.c
CHUNK = 2_000
DAYS_PER_QUERY = 100  # SQLite allows 500 parts in one compound SELECT


def export_header(kinds: Sequence[str]) -> list[str]:
    return ["member_id", "name", *kinds, "events", "points", "last_seen", "opted_out"]


def export_columns(conn: Connection, community_id: int, since: date, until: date, kinds: Sequence[str]) -> list[str]:
    """The declared kinds in order, then any other kind found in those days (a cog since removed)."""
    found = conn.execute(select(DK.kind).where(DK.community_id == community_id, DK.day >= since, DK.day <= until)
                         .distinct()).scalars().all()
    return [*kinds, *sorted(set(found) - set(kinds))]


def export_stream(conn: Connection, community_id: int, since: date, until: date,
                  kinds: Sequence[str] = ()) -> tuple[list[str], Iterator[list[Any]]]:
    """(header, rows as they are read): one row per member with events in ``since``..``until``
    (inclusive), in member id order."""
    columns = export_columns(conn, community_id, since, until, kinds)
    # Only the days that hold rows are read: since:0001-01-01 or until:9999-12-31 is a few
    # days of data, not millions of per-day queries.
    first, last = conn.execute(select(func.min(D.day), func.max(D.day)).where(
        D.community_id == community_id, D.day >= since, D.day <= until)).one()
    days = [] if first is None else [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return export_header(columns), _rows(conn, community_id, days, columns)


def _per_day(days: list[date], part: Any) -> Iterator[Any]:
    """``part(day)`` for each day, as UNION ALL subqueries of at most DAYS_PER_QUERY days."""
    for begin in range(0, len(days), DAYS_PER_QUERY):
        yield union_all(*(part(day) for day in days[begin:begin + DAYS_PER_QUERY])).subquery()


def _rows(conn: Connection, community_id: int, days: list[date], columns: list[str]) -> Iterator[list[Any]]:
    after = 0
    while days:
        people = conn.execute(select(M.id, M.external_id, M.display_name, M.opted_out)
                              .where(M.community_id == community_id, M.id > after)
                              .order_by(M.id).limit(CHUNK)).all()
        if not people:
            return
        lo, hi = people[0].id, people[-1].id
        after = hi
        totals: dict[int, list[Any]] = {}
        for part in _per_day(days, lambda day: select(D.member_id, D.events, D.points).where(
                D.community_id == community_id, D.day == day, D.member_id.between(lo, hi))):
            for mid, events, points in conn.execute(select(part.c.member_id, func.sum(part.c.events),
                                                           func.sum(part.c.points)).group_by(part.c.member_id)):
                mine = totals.setdefault(mid, [0, 0.0])
                mine[0] += int(events or 0)
                mine[1] += float(points or 0)
        if not totals:
            continue
        counts: dict[int, dict[str, int]] = {}
        for part in _per_day(days, lambda day: select(K.member_id, K.kind, K.count).where(
                K.community_id == community_id, K.day == day, K.member_id.between(lo, hi))):
            for mid, kind, n in conn.execute(select(part.c.member_id, part.c.kind, func.sum(part.c.count))
                                             .group_by(part.c.member_id, part.c.kind)):
                mine = counts.setdefault(mid, {})
                mine[kind] = mine.get(kind, 0) + int(n or 0)
        seen = dict(conn.execute(select(S.member_id, S.last_event_at).where(
            S.community_id == community_id, S.member_id.between(lo, hi))).all())
        by_id = {p.id: p for p in people}
        for mid in sorted(totals):
            events, points = totals[mid]
            person = by_id.get(mid)
            mine = counts.get(mid, {})
            last = seen.get(mid)
            yield [person.external_id if person else "?", person.display_name if person else "?",
                   *(mine.get(k, 0) for k in columns), events, points,
                   last.isoformat(timespec="seconds") if last else "", bool(person and person.opted_out)]


def export_rows(conn: Connection, community_id: int, since: date, until: date,
                kinds: Sequence[str] = ()) -> tuple[list[str], list[list[Any]]]:
    """(header, rows) at once: what a chat attachment needs (it is uploaded whole)."""
    header, rows = export_stream(conn, community_id, since, until, kinds)
    return header, list(rows)


def unknown_community(session: Any, args: Any, found: list[Community]) -> str:
    """One line: why --community named no single community, and the ids the database has."""
    wanted = repr(str(args.community)[:60])
    if found:
        which = ", ".join(sorted(c.platform for c in found))
        return f"several communities have the id {wanted} ({which}): add --platform"
    known = sorted(session.exec(select(Community.platform, Community.external_id)).all())
    listed = ", ".join(f"{platform} {external_id!r}" for platform, external_id in known[:10])
    more = f" and {len(known) - 10} more" if len(known) > 10 else ""
    on = f" on {args.platform}" if getattr(args, "platform", None) else ""
    return (f"no community with id {wanted}{on} (known: {listed}{more}) — pass one with --community"
            if known else f"no community with id {wanted}{on}: the database has none yet (run the bot first)")
