"""What participation offers the dashboard's Overview: numbers, the daily series and the
at-risk list, as plain data (the core renders them)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Mapping

from sqlalchemy import Connection, and_, case, func, select

from bot import DaySeries, MemberColumn, Metric, Section, Table

from . import reports
from .logic import format_number, percent
from .reports import D, K, S


RATES = (("prompt_response", "prompt response rate"), ("poll_vote", "poll turnout"))


def overview_parts(community_id: int, today: date, since: date, term_start: date | None,
                   signals: Mapping[str, Any], labels: Mapping[str, str]) -> list[Callable[[Connection], list[Any]]]:
    """The Overview's panels as independent questions, in page order: the cog asks them at once
    on separate connections (their time is then the slowest one's, not the sum)."""

    def numbers(conn: Connection) -> list[Any]:
        week = reports.week_numbers(conn, community_id, today - timedelta(days=6), today,
                                    people_of=[kind for kind, _ in RATES])
        panels: list[Any] = [Metric("active members", str(week.active), f"of {week.members} tracked")]
        panels.append(Metric("new members", str(week.count("join"))))
        for kind, label in RATES:
            done = week.kinds.get(kind)
            people = done.members if done else 0
            panels.append(Metric(label, percent(people, week.members), f"{people} of {week.members} members"))
        answers, correct = week.count("quiz_answer"), week.count("quiz_correct")
        panels.append(Metric("quiz average", percent(correct, answers) if answers else "—",
                             f"{correct} of {answers} answers correct"))
        panels.append(Metric("mentor meetings", str(week.count("mentor_meeting"))))
        return panels

    def series(conn: Connection) -> list[Any]:
        days = reports.daily_series(conn, community_id, since, today)
        return [DaySeries("active members", [(d.day, float(d.active)) for d in days])]

    def at_risk(conn: Connection) -> list[Any]:
        risky = reports.at_risk(conn, community_id, today, term_start, signals)
        return [Table("At risk", ("Member", "Why"),
                      [(r.name, f"{r.earlier_weekly:.1f} activities/week earlier in the term, "
                                f"{r.recent_weekly:.1f}/week this week and last") for r in risky[:100]],
                      note="Active earlier in the term, now at half or less in every signal "
                           f"({', '.join(sorted(signals))}) this week and last.")]

    def silent(conn: Connection) -> list[Any]:
        cutoff = datetime.combine(today - timedelta(days=13), time(), tzinfo=timezone.utc)
        total, quiet = reports.silent_members(conn, community_id, cutoff, 100)
        return [Table("Silent for 14+ days", ("Member", "Last seen"),
                      [(s.name, f"{s.last_seen:%Y-%m-%d}") for s in quiet],
                      note=f"{total - len(quiet)} more not shown." if total > len(quiet) else "")]

    return [numbers, series, at_risk, silent]


def overview_panels(conn: Connection, community_id: int, today: date, since: date, term_start: date | None,
                    signals: Mapping[str, Any], labels: Mapping[str, str]) -> list[Any]:
    """Every Overview panel, one question after another on one connection."""
    return [panel for part in overview_parts(community_id, today, since, term_start, signals, labels)
            for panel in part(conn)]


# --- the Members page and a member's page ------------------------------------------------------
TREND_WEEKS = 4
TIMELINE_WEEKS = 8


def member_columns(conn: Connection, community_id: int, today: date) -> list[Any]:
    """Last seen and all-time points (per-member state), and points in each of the last 4
    weeks (oldest first) from the daily rollup: two range reads, whatever the member count."""
    state = conn.execute(select(S.member_id, S.last_event_at, S.points_total).where(S.community_id == community_id))
    seen, points = {}, {}
    for r in state:
        seen[r.member_id], points[r.member_id] = r.last_event_at, float(r.points_total)
    first = today - timedelta(days=7 * TREND_WEEKS - 1)
    weeks = [func.sum(case((and_(D.day >= first + timedelta(days=7 * w), D.day < first + timedelta(days=7 * (w + 1))),
                             D.points), else_=0)) for w in range(TREND_WEEKS)]
    trend = {r[0]: tuple(float(v or 0) for v in r[1:]) for r in conn.execute(
        select(D.member_id, *weeks).where(D.community_id == community_id, D.day >= first, D.day <= today)
        .group_by(reports._by_member(conn)))}  # the (community, day) range scan, as the reports do
    for member_id in points:
        trend.setdefault(member_id, (0.0,) * TREND_WEEKS)
    return [MemberColumn("Last seen", seen, "when"), MemberColumn("Points", points, "number"),
            MemberColumn("4-week trend", trend, "trend", note="points per week over the last 4 weeks, oldest first")]


def member_timeline(conn: Connection, community_id: int, member_id: int, today: date,
                    labels: Mapping[str, str]) -> list[Any]:
    """A member's last 8 weeks by kind (one row per week, newest first), and their totals."""
    stats = reports.member_stats(conn, community_id, member_id, today)
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=TIMELINE_WEEKS - 1)
    counts: dict[tuple[date, str], int] = {}
    for r in conn.execute(select(K.day, K.kind, K.count).where(K.community_id == community_id,
                                                               K.member_id == member_id, K.day >= first)):
        week = r.day - timedelta(days=r.day.weekday())
        counts[(week, r.kind)] = counts.get((week, r.kind), 0) + int(r.count)
    kinds = [k for k in labels if any(kind == k for _, kind in counts)] + \
        sorted({kind for _, kind in counts} - set(labels))
    rows = [(f"{monday - timedelta(weeks=w):%Y-%m-%d}", *(str(counts.get((monday - timedelta(weeks=w), k), 0))
                                                         for k in kinds)) for w in range(TIMELINE_WEEKS)]
    seen = f"{stats.last_seen:%Y-%m-%d %H:%M} UTC" if stats.last_seen else "never"
    return [Section("Activity", [Metric("points (all time)", format_number(stats.points_total)),
                                 Metric("streak", f"{stats.streak} days"), Metric("last seen", seen)]),
            Section("Timeline by kind", [Table("Weeks", ("Week of", *(labels.get(k, k) for k in kinds)), rows,
                                               empty="nothing recorded")],
                    note="Counts of what they did, never what they wrote.")]
