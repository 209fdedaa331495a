"""Participation reports on a large database, through the real report functions.

Generates N events (10 M full; 50 k quick) straight into the tables with executemany in
chunks — the events, the daily rollups and the per-member state they imply (numpy does the
folding) — with a largest community of 50 k members holding half the events over a
16-week term (~310 k events in its last 7 days). Then times, for that community, the
real queries (/stats leaderboard 7d, /stats inactive 14d, /stats me) against the same
questions asked of the raw events table, median of 5 after a warm-up.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np

from bot.app import BotApp
from bot.config import parse_config
from bot.storage import Database
from cogs.participation import reports
from cogs.participation.logic import signal_columns
from cogs.participation.models import RING_SLOTS, TREND_WEEKS
from cogs.participation.rollups import ring_slots, week_number
from cogs.participation.trend import STATE_KEY, ensure_ring, fingerprint, signal_map

from . import dashboard_bench
from .kinds import DECLARED, POINTS
from .stats import repeat, summary

START = datetime(2026, 1, 12, tzinfo=timezone.utc)
DAYS = 112
KIND_NAMES = ["message", "thread_reply", "reaction", "prompt_response", "poll_vote", "quiz_answer", "quiz_correct",
              "survey_answer", "mentor_meeting", "join"]
KIND_P = np.array([0.45, 0.12, 0.25, 0.06, 0.05, 0.03, 0.02, 0.01, 0.005, 0.005])
WEIGHTS = np.array([POINTS[k] for k in KIND_NAMES], dtype=np.float64)
ACTIVE = np.array([DECLARED[k].active for k in KIND_NAMES], dtype=np.int64)
NAME_RANK = np.argsort(np.argsort(KIND_NAMES))  # each kind's position in name order (the primary key's)
SIGNALS = signal_columns(DECLARED)


def _layout(quick: bool) -> tuple[int, list[int], list[float]]:
    if quick:
        return 50_000, [2_000, 400, 400, 400, 400], [0.5, 0.125, 0.125, 0.125, 0.125]
    return 10_000_000, [50_000, 10_000, 10_000, 10_000, 10_000], [0.5, 0.125, 0.125, 0.125, 0.125]


def build(path: Path, quick: bool, seed: int = 7) -> dict[str, Any]:
    """Create and fill the database; returns facts the queries need."""
    n, sizes, shares = _layout(quick)
    db = Database(f"sqlite:///{path}")
    app = BotApp(config=parse_config("", "x.yaml"), db=db)
    app.load_cogs(["cogs.participation"])
    db.upgrade(app.migration_dirs())
    db.dispose()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("BEGIN")
    offsets = np.cumsum([0, *sizes])  # member ids: community c owns offsets[c-1]+1 .. offsets[c]
    for c in range(1, len(sizes) + 1):
        con.execute("INSERT INTO community (id, platform, external_id, name, timezone, created_at) "
                    "VALUES (?, 'console', ?, ?, 'UTC', '2026-01-01 00:00:00.000000')", (c, f"c{c}", f"Community {c}"))
        con.executemany("INSERT INTO member (id, community_id, external_id, display_name, opted_out, is_bot, "
                        "joined_at) VALUES (?, ?, ?, ?, ?, 0, '2026-01-01 00:00:00.000000')",
                        [(int(m), c, f"u{m}", f"user {m}", int(m % 500 == 0))
                         for m in range(offsets[c - 1] + 1, offsets[c] + 1)])
    con.execute("COMMIT")
    community_of = np.zeros(offsets[-1] + 1, dtype=np.int32)
    for c in range(1, len(sizes) + 1):
        community_of[offsets[c - 1] + 1:offsets[c] + 1] = c

    rng = np.random.default_rng(seed)
    con.execute("DROP INDEX ix_participation_event_time")  # built once at the end: much faster
    members_all, days_all, kinds_all, secs_all = [], [], [], []
    chunk = 1_000_000
    for begin in range(0, n, chunk):
        size = min(chunk, n - begin)
        comm = rng.choice(len(sizes), size=size, p=shares)
        sizes_arr, offs = np.array(sizes), offsets[:-1]
        # skewed activity: a few members do most of it; members drift away over the term
        local = (sizes_arr[comm] * rng.random(size) ** 1.6).astype(np.int64)
        member = (offs[comm] + 1 + local).astype(np.int32)
        secs = rng.integers(0, DAYS * 86_400, size=size)
        fading = (local % 10 == 0) & (secs > (DAYS - 21) * 86_400)  # 10% go quiet in the last 3 weeks
        secs[fading] -= rng.integers(21 * 86_400, 60 * 86_400, size=int(fading.sum()))
        secs = np.clip(secs, 0, DAYS * 86_400 - 1)
        kind = rng.choice(len(KIND_NAMES), size=size, p=KIND_P).astype(np.int8)
        micros = rng.integers(0, 1_000_000, size=size)
        stamps = (np.datetime64("2026-01-12T00:00:00", "us") + secs.astype("timedelta64[s]")
                  + micros.astype("timedelta64[us]"))
        text = np.char.replace(np.datetime_as_string(stamps, unit="us"), "T", " ")
        rows = zip((comm + 1).tolist(), member.tolist(), np.array(KIND_NAMES)[kind].tolist(), ["general"] * size,
                   text.tolist(), WEIGHTS[kind].tolist())
        con.execute("BEGIN")
        con.executemany("INSERT INTO participation_event (community_id, member_id, kind, channel_id, created_at, "
                        "points) VALUES (?, ?, ?, ?, ?, ?)", rows)
        con.execute("COMMIT")
        members_all.append(member)
        days_all.append((secs // 86_400).astype(np.int16))
        kinds_all.append(kind)
        secs_all.append(secs + micros / 1e6)
    con.execute("CREATE INDEX ix_participation_event_time ON participation_event (community_id, created_at, member_id)")
    member = np.concatenate(members_all)
    day = np.concatenate(days_all)
    kind = np.concatenate(kinds_all)
    secs = np.concatenate(secs_all)
    del members_all, days_all, kinds_all, secs_all
    _write_rollups(con, member, day, kind, community_of)
    _write_state(con, member, kind, secs, community_of)
    _write_trend(con, member, day, kind, community_of)
    con.execute("ANALYZE")
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    end = START + timedelta(days=DAYS)
    ranked = np.bincount(member[member <= sizes[0]], minlength=sizes[0] + 1)
    typical = int(np.argsort(ranked)[len(ranked) // 2])  # a median-activity member of the big community
    return {"events": n, "members": sizes[0], "now": end - timedelta(hours=1), "today": (end - timedelta(hours=1)).date(),
            "member": typical}


def _write_rollups(con: sqlite3.Connection, member: np.ndarray, day: np.ndarray, kind: np.ndarray,
                   community_of: np.ndarray) -> None:
    nk = len(KIND_NAMES)
    key = (member.astype(np.int64) * DAYS + day) * nk + kind
    uniq, counts = np.unique(key, return_counts=True)
    member_day, k = uniq // nk, uniq % nk
    md, inverse = np.unique(member_day, return_inverse=True)
    events, active, points = np.zeros(len(md), np.int64), np.zeros(len(md), np.int64), np.zeros(len(md))
    np.add.at(events, inverse, counts)
    np.add.at(active, inverse, counts * ACTIVE[k])
    np.add.at(points, inverse, counts * WEIGHTS[k])
    m, d = (md // DAYS).astype(np.int64), (md % DAYS).astype(np.int64)
    order = np.lexsort((m, d, community_of[m]))  # primary-key order: appends to the clustered b-tree
    m, d, events, active, points = m[order], d[order], events[order], active[order], points[order]
    day_text = [(START.date() + timedelta(days=i)).isoformat() for i in range(DAYS)]
    _insert(con, "INSERT INTO participation_daily (community_id, day, member_id, events, active, points) "
                 "VALUES (?, ?, ?, ?, ?, ?)", len(md),
            lambda sl: zip(community_of[m[sl]].tolist(), [day_text[i] for i in d[sl]], m[sl].tolist(),
                           events[sl].tolist(), active[sl].tolist(), points[sl].tolist()))
    cd, n_active = np.unique(community_of[m[active > 0]].astype(np.int64) * DAYS + d[active > 0], return_counts=True)
    con.execute("BEGIN")  # members active per community-day (the chart's line), as the writer keeps it
    con.executemany("INSERT INTO participation_day (community_id, day, active_members) VALUES (?, ?, ?)",
                    [(int(k // DAYS), day_text[int(k % DAYS)], int(c)) for k, c in zip(cd.tolist(), n_active.tolist())])
    con.execute("COMMIT")
    km, kd = (member_day // DAYS).astype(np.int64), (member_day % DAYS).astype(np.int64)
    order = np.lexsort((NAME_RANK[k], km, kd, community_of[km]))
    km, kd, kk, kc = km[order], kd[order], k[order], counts[order]
    names = np.array(KIND_NAMES)
    _insert(con, "INSERT INTO participation_daily_kind (community_id, day, member_id, kind, count) "
                 "VALUES (?, ?, ?, ?, ?)", len(km),
            lambda sl: zip(community_of[km[sl]].tolist(), [day_text[i] for i in kd[sl]], km[sl].tolist(),
                           names[kk[sl]].tolist(), kc[sl].tolist()))
    cdk = (community_of[km].astype(np.int64) * DAYS + kd) * nk + NAME_RANK[kk]  # the community's counts per day
    keys, first = np.unique(cdk, return_index=True)
    sums = np.add.reduceat(kc[np.argsort(cdk, kind="stable")], np.searchsorted(np.sort(cdk), keys))
    by_rank = np.argsort(NAME_RANK)
    con.execute("BEGIN")
    con.executemany("INSERT INTO participation_day_kind (community_id, day, kind, count) VALUES (?, ?, ?, ?)",
                    [(int(key // nk // DAYS), day_text[int(key // nk % DAYS)], KIND_NAMES[by_rank[key % nk]], int(n))
                     for key, n in zip(keys.tolist(), sums.tolist())])
    con.execute("COMMIT")


def _write_trend(con: sqlite3.Connection, member: np.ndarray, day: np.ndarray, kind: np.ndarray,
                 community_of: np.ndarray) -> None:
    """The weekly ring per member (participation_ring: every signal's weeks in one row), as the
    writer leaves it, and the signals it was written for (so the report reads it, as the bot's would)."""
    signal_of = signal_map(SIGNALS)
    slot_of = ring_slots(signal_of)
    code = np.array([slot_of.get(k, -1) for k in KIND_NAMES])
    sig = code[kind]
    keep_kind = sig >= 0
    member, day, sig = member[keep_kind], day[keep_kind], sig[keep_kind]
    ring = TREND_WEEKS
    first_week = week_number(START.date())
    week = (START.date().weekday() + day.astype(np.int64)) // 7  # weeks since START's week
    members, inverse = np.unique(member, return_inverse=True)  # sorted: primary-key order within a community
    latest = np.zeros(len(members), np.int64)
    np.maximum.at(latest, inverse, week)
    keep = latest[inverse] - week < ring
    slots = np.zeros((len(members), len(RING_SLOTS)), np.int64)
    np.add.at(slots, (inverse[keep], sig[keep] * ring + (week[keep] + first_week) % ring), 1)
    order = np.lexsort((members, community_of[members]))
    m, latest, slots = members[order], latest[order] + first_week, slots[order]
    marks = ", ".join("?" * len(RING_SLOTS))
    _insert(con, f"INSERT INTO participation_ring (community_id, member_id, week, {', '.join(RING_SLOTS)}) "
                 f"VALUES (?, ?, ?, {marks})", len(m),
            lambda sl: zip(community_of[m[sl]].tolist(), m[sl].tolist(), latest[sl].tolist(), *slots[sl].T.tolist()))
    con.execute("INSERT INTO bot_state (key, value, updated_at) VALUES (?, ?, '2026-01-01 00:00:00.000000')",
                (STATE_KEY, fingerprint(signal_of)))


def _insert(con: sqlite3.Connection, sql: str, n: int, rows: Callable[[slice], Any], step: int = 500_000) -> None:
    for begin in range(0, n, step):
        con.execute("BEGIN")
        con.executemany(sql, rows(slice(begin, begin + step)))
        con.execute("COMMIT")


def _write_state(con: sqlite3.Connection, member: np.ndarray, kind: np.ndarray, secs: np.ndarray,
                 community_of: np.ndarray) -> None:
    order = np.lexsort((secs, member))
    m_sorted = member[order]
    starts = np.flatnonzero(np.r_[True, m_sorted[1:] != m_sorted[:-1]])
    ends = np.r_[starts[1:], len(m_sorted)] - 1
    ids = m_sorted[starts]
    first, last = secs[order][starts], secs[order][ends]
    totals = np.add.reduceat(WEIGHTS[kind[order]], starts)

    def text(s: float) -> str:
        return (START + timedelta(seconds=float(s))).strftime("%Y-%m-%d %H:%M:%S.%f")

    rows = [(int(community_of[i]), int(i), text(f), text(l), None, float(t))
            for i, f, l, t in zip(ids, first, last, totals)]
    con.execute("BEGIN")
    con.executemany("INSERT INTO participation_member (community_id, member_id, first_event_at, last_event_at, "
                    "joined_at, points_total) VALUES (?, ?, ?, ?, ?, ?)", rows)
    # each member's last active day, as the writer keeps it (the daily rollup's newest active day)
    # (one grouped pass: a max() subquery per member walks the rollup's primary key, see participation_0006)
    con.execute("UPDATE participation_member SET last_active_day = t.newest FROM (SELECT community_id, member_id, "
                "max(day) AS newest FROM participation_daily WHERE active > 0 GROUP BY community_id, member_id) AS t "
                "WHERE t.community_id = participation_member.community_id AND t.member_id = participation_member.member_id")
    con.execute("COMMIT")


# --- the same questions asked of the raw events -------------------------------------------------
def raw_leaderboard(con: sqlite3.Connection, since: str) -> list[Any]:
    return con.execute("SELECT member_id, SUM(points) AS p FROM participation_event WHERE community_id = 1 "
                       "AND created_at >= ? GROUP BY member_id ORDER BY p DESC LIMIT 10", (since,)).fetchall()


def raw_inactive(con: sqlite3.Connection, cutoff: str) -> list[Any]:
    return con.execute("SELECT id FROM member WHERE community_id = 1 AND id NOT IN (SELECT member_id FROM "
                       "participation_event WHERE community_id = 1 AND created_at >= ?) ORDER BY id",
                       (cutoff,)).fetchall()


def raw_member(con: sqlite3.Connection, member: int, since: str, streak_since: str) -> list[Any]:
    kinds = con.execute("SELECT kind, COUNT(*), SUM(points) FROM participation_event WHERE community_id = 1 "
                        "AND member_id = ? AND created_at >= ? GROUP BY kind", (member, since)).fetchall()
    days = con.execute("SELECT DISTINCT substr(created_at, 1, 10) FROM participation_event WHERE community_id = 1 "
                       "AND member_id = ? AND created_at >= ?", (member, streak_since)).fetchall()
    total = con.execute("SELECT SUM(points) FROM participation_event WHERE community_id = 1 AND member_id = ?",
                        (member,)).fetchall()
    return [kinds, days, total]


def _first_row(conn: Any, since: date, until: date) -> None:
    header, stream = reports.export_stream(conn, 1, since, until, KIND_NAMES)
    next(stream, None)


def _peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def _risk_chart_export_rows(conn: Any, today: date, size: str) -> list[dict[str, Any]]:
    from cogs.participation import risk

    since = today - timedelta(days=27)
    ring_t = timed(lambda: reports.at_risk(conn, 1, today, None, SIGNALS))
    daily_t = timed(lambda: risk.find(conn, 1, today, None, SIGNALS, ring=False), runs=3)
    chart_t = timed(lambda: reports.daily_series(conn, 1, today - timedelta(days=29), today))
    counted_t = timed(lambda: _active_counted(conn, today - timedelta(days=29), today))
    first_t = timed(lambda: _first_row(conn, since, today))
    whole_t = timed(lambda: reports.export_rows(conn, 1, since, today, KIND_NAMES), runs=3)
    streamed = _peak_mb(lambda: sum(1 for _ in reports.export_stream(conn, 1, since, today, KIND_NAMES)[1]))
    listed = _peak_mb(lambda: reports.export_rows(conn, 1, since, today, KIND_NAMES))
    row = "participation reports"
    return [
        {"row": row, "measure": f"at-risk rule (weekly trend ring; this week + last vs the 4 before) — {size}",
         "value": summary(ring_t, "ms", scale=1000),
         "baseline": f"same rule from six weeks of daily counts: {summary(daily_t, 'ms', scale=1000)}",
         "target": "< 100 ms", "ok": statistics.median(ring_t) < 0.1},
        {"row": row, "measure": f"/stats chart days:30 (series: active members + counts per day) — {size}",
         "value": summary(chart_t, "ms", scale=1000),
         "baseline": f"active members counted per day from the daily rollup (before participation_day): "
                     f"{summary(counted_t, 'ms', scale=1000)}", "target": "< 50 ms",
         "ok": statistics.median(chart_t) < 0.05},
        {"row": row, "measure": f"/stats export, 4 weeks, streamed: first row / all rows — {size}",
         "value": f"{summary(first_t, 'ms', scale=1000)} / {summary(whole_t, 'ms', scale=1000)}",
         "baseline": "—", "target": "first byte < 500 ms", "ok": statistics.median(first_t) < 0.5},
        {"row": row, "measure": "/stats export, 4 weeks: peak memory traced while streaming every row",
         "value": f"{streamed:.1f} MB", "baseline": f"the same rows held in a list: {listed:.1f} MB",
         "target": "constant (a chunk of members)", "ok": None},
    ]


def _active_counted(conn: Any, since: date, until: date) -> dict[Any, int]:
    from cogs.participation.reports import D
    from sqlalchemy import func, select

    q = (select(D.day, func.count()).where(D.community_id == 1, D.day >= since, D.day <= until, D.active > 0)
         .group_by(D.day))
    return {day: n for day, n in conn.execute(q)}


def timed(fn: Callable[[], Any], runs: int = 5) -> list[float]:
    return repeat(fn, runs, warmup=True)  # warm: the page cache, as on a running bot


def _kept(quick: bool) -> tuple[Path, dict[str, Any]] | None:
    """BENCH_REPORTS_DB=path: a database this generator built before (full size), kept with its
    facts in path.facts.json — the ~10-minute build is then skipped. Written on first use."""
    kept = os.environ.get("BENCH_REPORTS_DB")
    if quick or not kept:
        return None
    path, facts_file = Path(kept), Path(kept + ".facts.json")
    if not facts_file.exists():
        facts = build(path, quick)
        facts_file.write_text(json.dumps({**facts, "now": facts["now"].isoformat(), "today": facts["today"].isoformat()}))
    else:  # built before the newest migrations (e.g. participation_0006): brought up to date (a no-op at head)
        db = Database(f"sqlite:///{path}")
        app = BotApp(config=parse_config("", "x.yaml"), db=db)
        app.load_cogs(dashboard_bench.COGS)  # every cog whose tables the dashboard bench made there
        db.upgrade(app.migration_dirs())
        db.dispose()
    facts = json.loads(facts_file.read_text())
    facts["now"], facts["today"] = datetime.fromisoformat(facts["now"]), date.fromisoformat(facts["today"])
    return path, facts


def run(quick: bool = False) -> list[dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    path = folder / "reports.db"
    try:
        started = time.perf_counter()
        kept = _kept(quick)
        if kept is not None:
            path, facts = kept
        else:
            facts = build(path, quick)
        built = time.perf_counter() - started
        db = Database(f"sqlite:///{path}")
        db.run_sync(ensure_ring, signal_map(SIGNALS))  # a kept database another app rebuilt: these signals again
        raw = sqlite3.connect(path)
        today, now, mid = facts["today"], facts["now"], facts["member"]

        def text(moment: datetime) -> str:
            return moment.strftime("%Y-%m-%d %H:%M:%S.%f")

        with db.read_engine.connect() as conn:
            def me() -> Any:
                return reports.member_stats(conn, 1, mid, today), reports.rank_of(conn, 1, mid)

            measures = [
                ("/stats leaderboard days:7", lambda: reports.leaderboard(conn, 1, today - timedelta(days=6), today),
                 lambda: raw_leaderboard(raw, text(now - timedelta(days=7))), "< 25 ms"),
                ("/stats inactive days:14 (silent list)",
                 lambda: reports.silent_members(conn, 1, now - timedelta(days=14)),
                 lambda: raw_inactive(raw, text(now - timedelta(days=14))), "< 25 ms"),
                ("/stats me (week vs last, streak, points, rank)", me,
                 lambda: raw_member(raw, mid, text(now - timedelta(days=14)), text(now - timedelta(days=60))),
                 "< 25 ms"),
            ]
            rows: list[dict[str, Any]] = []
            size = f"{facts['events']:,} events, {facts['members']:,} members in the largest community"
            for name, ours, baseline, target in measures:
                ours_t, raw_t = timed(ours), timed(baseline)
                rows.append({"row": "participation reports", "measure": f"{name} — {size}",
                             "value": summary(ours_t, "ms", scale=1000),
                             "baseline": f"same question on raw events: {summary(raw_t, 'ms', scale=1000)}",
                             "target": target, "ok": statistics.median(ours_t) < 0.025})
            rows += _risk_chart_export_rows(conn, today, size)
        raw.close()
        db.dispose()
        rows.append({"row": "participation reports", "measure": "generating the database (events, rollups, state)",
                     "value": f"{built:.0f} s" if kept is None else f"kept from an earlier build ({path.name})",
                     "baseline": "—", "target": "—"})
        rows.extend(dashboard_bench.page_rows(path, facts))  # the same database, built once
        return rows
    finally:
        shutil.rmtree(folder, ignore_errors=True)
