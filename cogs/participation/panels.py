"""What participation offers the dashboard's Overview: numbers, the daily series and the
at-risk list, as plain data (the core renders them)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Mapping

from sqlalchemy import Connection

from bot import DaySeries, Metric, Table

from . import reports
from .logic import percent


def overview_panels(conn: Connection, community_id: int, today: date, since: date, term_start: date | None,
                    signals: Mapping[str, Any], labels: Mapping[str, str]) -> list[Any]:
    week = reports.week_numbers(conn, community_id, today - timedelta(days=6), today)
    panels: list[Any] = [Metric("active members", str(week.active), f"of {week.members} tracked")]
    panels.append(Metric("new members", str(week.count("join"))))
    for kind, label in (("prompt_response", "prompt response rate"), ("poll_vote", "poll turnout")):
        done = week.kinds.get(kind)
        people = done.members if done else 0
        panels.append(Metric(label, percent(people, week.members), f"{people} of {week.members} members"))
    answers, correct = week.count("quiz_answer"), week.count("quiz_correct")
    panels.append(Metric("quiz average", percent(correct, answers) if answers else "—",
                         f"{correct} of {answers} answers correct"))
    panels.append(Metric("mentor meetings", str(week.count("mentor_meeting"))))
    series = reports.daily_series(conn, community_id, since, today)
    panels.append(DaySeries("active members", [(d.day, float(d.active)) for d in series]))
    risky = reports.at_risk(conn, community_id, today, term_start, signals)
    panels.append(Table("At risk", ("Member", "Why"),
                        [(r.name, f"{r.earlier_weekly:.1f} activities/week earlier in the term, "
                                  f"{r.recent_weekly:.1f}/week in the last 2 weeks") for r in risky[:100]],
                        note="Active earlier in the term, now at half or less in every signal "
                             f"({', '.join(sorted(signals))}) over 2 weeks."))
    cutoff = datetime.combine(today - timedelta(days=13), time(), tzinfo=timezone.utc)
    total, silent = reports.silent_members(conn, community_id, cutoff, 100)
    panels.append(Table("Silent for 14+ days", ("Member", "Last seen"),
                        [(s.name, f"{s.last_seen:%Y-%m-%d}") for s in silent],
                        note=f"{total - len(silent)} more not shown." if total > len(silent) else ""))
    return panels
