"""participation_0007 carries the old ring (one row per member and signal) over into one row per
member, keeping every week the at-risk rule reads; without a mapping it leaves the rebuild to
the cog."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from bot.storage import Database
from cogs.participation.trend import STATE_KEY

from .test_migration import _migrate

MAPPING = {"message": "messages", "reaction": "messages", "poll_vote": "votes"}  # votes: slot 1


def _old_ring(db: Database, mapping: dict[str, str] | None) -> None:
    _migrate(db, "participation_0006")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO community (id, platform, external_id, name, timezone, created_at) "
                          "VALUES (1, 'console', 'c', 'C', 'UTC', '2026-01-01 00:00:00')"))
        for mid in (7, 8):
            conn.execute(text("INSERT INTO member (id, community_id, external_id, display_name, opted_out, is_bot, "
                              f"joined_at) VALUES ({mid}, 1, 'u{mid}', 'm', false, false, '2026-01-01 00:00:00')"))
        # member 7: messages up to week 100 (w4 = week 100, w5 = 93, w7 = 95); votes up to week 97
        # (w1 = week 97, w0 = 96, w7 = 95, w6 = 94, w5 = 93, and w4 = week 92: older than 100 - 7, dropped)
        # member 8: votes only, week 50
        rows = [(7, "messages", 100, [0, 0, 0, 0, 5, 2, 0, 3]), (7, "votes", 97, [4, 6, 0, 0, 7, 9, 1, 8]),
                (8, "votes", 50, [0, 0, 1, 0, 0, 0, 0, 0])]
        for mid, signal, week, slots in rows:
            conn.execute(text("INSERT INTO participation_trend (community_id, member_id, signal, week, "
                              f"w0, w1, w2, w3, w4, w5, w6, w7) VALUES (1, {mid}, :s, {week}, "
                              f"{', '.join(map(str, slots))})"), {"s": signal})
        if mapping is not None:
            conn.execute(text("INSERT INTO bot_state (key, value, updated_at) VALUES (:k, :v, '2026-01-01 00:00:00')"),
                         {"k": STATE_KEY, "v": json.dumps(mapping)})
    _migrate(db, "heads")


def _check_carry_over(db: Database) -> None:
    _old_ring(db, MAPPING)
    with db.engine.connect() as conn:
        rows = {r.member_id: r for r in conn.execute(text("SELECT * FROM participation_ring ORDER BY member_id"))}
        assert conn.execute(text("SELECT value FROM bot_state WHERE key = :k"), {"k": STATE_KEY}).scalar() is not None
    assert set(rows) == {7, 8}
    seven, eight = rows[7], rows[8]
    assert seven.week == 100 and eight.week == 50
    # messages (slot 0) kept whole; votes (slot 1): weeks 93..97 kept, week 92 (w4) dropped
    assert [getattr(seven, f"s0w{i}") for i in range(8)] == [0, 0, 0, 0, 5, 2, 0, 3]
    assert [getattr(seven, f"s1w{i}") for i in range(8)] == [4, 6, 0, 0, 0, 9, 1, 8]
    assert [getattr(eight, f"s1w{i}") for i in range(8)] == [0, 0, 1, 0, 0, 0, 0, 0]
    assert sum(getattr(eight, f"s0w{i}") for i in range(8)) == 0
    db.dispose()


def _check_no_mapping(db: Database) -> None:
    _old_ring(db, None)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM participation_ring")).scalar() == 0
        assert conn.execute(text("SELECT value FROM bot_state WHERE key = :k"), {"k": STATE_KEY}).scalar() is None
    db.dispose()


def test_the_old_ring_is_carried_over_on_sqlite(tmp_path: Path) -> None:
    _check_carry_over(Database(f"sqlite:///{tmp_path / 'old.db'}"))
    _check_no_mapping(Database(f"sqlite:///{tmp_path / 'none.db'}"))


def test_the_old_ring_is_carried_over_on_postgresql(pg_url: str) -> None:
    _check_carry_over(Database(pg_url))


def test_without_a_mapping_the_cog_rebuilds_on_postgresql(pg_url: str) -> None:
    _check_no_mapping(Database(pg_url))
