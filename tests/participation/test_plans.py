"""The report reads keep their indexes whatever SQLite's statistics say.

SQLite plans from sqlite_stat1 once a database is ANALYZEd, and from guesses before. Three states
a real database is in: never analysed (the bot never does it on its own), analysed before a
migration added an index (participation_0006's last-active-day index: the 10M bench database),
and analysed now. Unpinned, /stats me read the whole community's days through the primary key in
the first state (a scan of every member's rows), and its rank count looked every member up
through the last-active-day index in the second (57 ms on 10M events instead of 25); the hidden
members (opted out, bots) are read from their partial index (core_0004), not from every member of
the community. Here each read is asked for its plan (EXPLAIN QUERY PLAN) in all three states, on a
generated database.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone
from typing import Any, Callable

import pytest
from sqlalchemy import event

from bot.models import Member
from cogs.participation import reports
from cogs.participation.writer import BatchStore, Item

from .helpers import PARTICIPATION_COGS, YAML, start
from .test_reports import TODAY

NEW_INDEX = "ix_participation_member_active"  # participation_0006's


async def _generated(bot: Any) -> tuple[int, list[int]]:
    """Two communities (so a community is a range of the keys), 80 members, 40 days of events."""
    rnd = random.Random(5)
    ids: dict[int, list[int]] = {}
    for name in ("console", "other"):
        community = await bot.app.directory.community("console", name)
        ids[community.id] = [(await bot.app.directory.member(community, f"u{i}")).id for i in range(40)]
    items = []
    for cid, members in ids.items():
        for _ in range(1500):
            day = TODAY - timedelta(days=rnd.randrange(40))
            items.append(Item(cid, rnd.choice(members), rnd.choice(["message", "reaction"]), None,
                              datetime.combine(day, time(12), timezone.utc), day, 1.0, True))
    await bot.db.call(BatchStore(bot.db).write, items)
    first = min(ids)
    return first, ids[first]


def _state(bot: Any, state: str) -> None:
    with bot.db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat1")
        if state == "none":
            return
        conn.exec_driver_sql("ANALYZE")
        if state == "stale":  # what a database analysed before participation_0006 has
            conn.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE idx = ?", (NEW_INDEX,))


def _plans(bot: Any, call: Callable[[Any], Any]) -> list[tuple[str, str]]:
    """(statement, its plan) of every SELECT ``call`` runs on a read connection."""
    seen: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    engine = bot.db.read_engine
    event.listen(engine, "before_cursor_execute", grab)
    try:
        with engine.connect() as conn:
            call(conn)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        return [(sql, " / ".join(r[3] for r in raw.execute("EXPLAIN QUERY PLAN " + sql, params)))
                for sql, params in seen]


def _reading(plans: list[tuple[str, str]], table: str, where: str) -> list[str]:
    return [plan for sql, plan in plans if f"FROM {table} " in sql + " " and where in sql]


@pytest.mark.parametrize("state", ["none", "stale", "fresh"])
async def test_stats_me_reads_one_members_rows_and_ranks_by_the_primary_key_whatever_the_statistics(
        make_bot, state: str) -> None:
    bot = await start(make_bot)
    cid, members = await _generated(bot)
    _state(bot, state)
    mid = members[7]
    with bot.db.engine.connect() as conn:  # the rank is counted at all: the member has points
        assert reports.rank_of(conn, cid, mid) is not None

    plans = _plans(bot, lambda conn: (reports.member_stats(conn, cid, mid, TODAY), reports.rank_of(conn, cid, mid)))
    member_reads = (_reading(plans, "participation_daily", "member_id = ?")
                    + _reading(plans, "participation_daily_kind", "member_id = ?"))
    assert len(member_reads) == 3
    for plan in member_reads:  # the member's own rows, not every member's days since
        assert "INDEX ix_participation_daily_member (community_id=? AND member_id=?" in plan \
            or "INDEX ix_participation_daily_kind_member (community_id=? AND member_id=?" in plan, plan
    counts = [plan for sql, plan in plans if "count(*)" in sql and "points_total > ?" in sql]
    assert counts and all(plan.startswith("SEARCH participation_member USING PRIMARY KEY (community_id=?")
                          for plan in counts), counts
    hidden = [plan for plan in counts if "LIST SUBQUERY" in plan]  # the few hidden members, not every member
    assert len(hidden) == 1 and "INDEX ix_member_hidden (community_id=?)" in hidden[0], hidden


@pytest.mark.parametrize("state", ["none", "stale", "fresh"])
async def test_leaderboard_and_silent_list_read_their_indexes_whatever_the_statistics(make_bot, state: str) -> None:
    bot = await start(make_bot)
    cid, members = await _generated(bot)
    with bot.db.engine.begin() as conn:  # a hidden member: the lists' NOT IN / IN tests have rows
        conn.execute(Member.__table__.update().where(Member.__table__.c.id == members[0]).values(opted_out=True))
    _state(bot, state)
    now = datetime.combine(TODAY, time(23), timezone.utc)

    board = _plans(bot, lambda conn: reports.leaderboard(conn, cid, TODAY - timedelta(days=6), TODAY))
    per_day = _reading(board, "participation_daily", "day = ?")
    assert per_day and all("COVERING INDEX ix_participation_daily_points (community_id=? AND day=?)" in p
                           for p in per_day), per_day
    sums = _reading(board, "participation_daily", "member_id IN")
    assert sums and all("INDEX ix_participation_daily_member (community_id=? AND member_id=?" in p for p in sums), sums

    silent = _plans(bot, lambda conn: reports.silent_members(conn, cid, now - timedelta(days=14)))
    listed = _reading(silent, "participation_member", "last_event_at < ?")
    assert len(listed) == 2 and all(
        "COVERING INDEX ix_participation_member_last (community_id=? AND last_event_at<?)" in p
        and "INDEX ix_member_hidden (community_id=?)" in p for p in listed), listed


async def test_db_upgrade_analyses_a_table_whose_new_index_has_no_statistics(make_bot) -> None:
    """A database analysed before a migration added an index gets that table analysed again at
    the next start (db upgrade); one never analysed is left without statistics."""
    bot = await start(make_bot)
    await _generated(bot)
    dirs = bot.app.migration_dirs()

    def stats() -> set[tuple[str, str]] | None:
        with bot.db.engine.connect() as conn:
            if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is None:
                return None
            return {(t, i) for t, i in conn.exec_driver_sql("SELECT tbl, idx FROM sqlite_stat1")}

    _state(bot, "none")
    bot.db.upgrade(dirs)
    assert stats() is None
    _state(bot, "stale")
    assert ("participation_member", NEW_INDEX) not in stats()
    bot.db.upgrade(dirs)
    assert ("participation_member", NEW_INDEX) in stats()
    assert bot.db.refresh_statistics() == []  # described now: the next start only reads
