"""participation_0002 moves the old per-kind columns into counts by kind, losing nothing."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from bot.storage import Database
from cogs.participation.cog import Stats


def _migrate(db: Database, target: str) -> None:
    cfg = db.alembic_config([Stats.migrations_dir()])
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, target)


def _check_upgrade(db: Database) -> None:
    _migrate(db, "participation_0001")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO community (id, platform, external_id, name, timezone, created_at) "
                          "VALUES (1, 'console', 'c', 'C', 'UTC', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO member (id, community_id, external_id, display_name, opted_out, is_bot, "
                          "joined_at) VALUES (7, 1, 'u7', 'ana', false, false, '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO participation_daily (community_id, day, member_id, messages, thread_replies, "
                          "prompt_responses, reactions, poll_votes, quiz_answers, quiz_correct, survey_answers, "
                          "mentor_meetings, joins, events, points) VALUES "
                          "(1, '2026-01-12', 7, 3, 0, 1, 2, 0, 1, 1, 0, 0, 1, 9, 13.0), "
                          "(1, '2026-01-13', 7, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 10.0)"))
        conn.execute(text("INSERT INTO participation_member (community_id, member_id, first_event_at, last_event_at, "
                          "joined_at, points_total) VALUES (1, 7, '2026-01-12 09:00:00', '2026-01-13 18:00:00', "
                          "NULL, 23.0)"))
    _migrate(db, "heads")
    with db.engine.connect() as conn:
        daily = conn.execute(text("SELECT day, events, active, points FROM participation_daily ORDER BY day")).all()
        kinds = conn.execute(text("SELECT day, kind, count FROM participation_daily_kind ORDER BY day, kind")).all()
        active = conn.execute(text("SELECT day, active_members FROM participation_day ORDER BY day")).all()
        last_active = conn.execute(text("SELECT last_active_day FROM participation_member")).scalars().all()
    assert [(str(d), e, a, p) for d, e, a, p in daily] == [("2026-01-12", 9, 8, 13.0), ("2026-01-13", 1, 1, 10.0)]
    assert [(str(d), k, c) for d, k, c in kinds] == [
        ("2026-01-12", "join", 1), ("2026-01-12", "message", 3), ("2026-01-12", "prompt_response", 1),
        ("2026-01-12", "quiz_answer", 1), ("2026-01-12", "quiz_correct", 1), ("2026-01-12", "reaction", 2),
        ("2026-01-13", "mentor_meeting", 1)]
    assert [(str(d), n) for d, n in active] == [("2026-01-12", 1), ("2026-01-13", 1)]  # participation_0005
    assert [str(d) for d in last_active] == ["2026-01-13"]  # participation_0006
    cfg = db.alembic_config([Stats.migrations_dir()])
    with db.engine.begin() as connection:  # and back: the columns come back with their counts
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "participation_0001")
    with db.engine.connect() as conn:
        back = conn.execute(text("SELECT messages, reactions, joins, mentor_meetings, events FROM participation_daily "
                                 "ORDER BY day")).all()
    assert [tuple(r) for r in back] == [(3, 2, 1, 0, 9), (0, 0, 0, 1, 1)]
    db.dispose()


def test_old_rollups_become_counts_by_kind_on_sqlite(tmp_path: Path) -> None:
    _check_upgrade(Database(f"sqlite:///{tmp_path / 'old.db'}"))


def test_old_rollups_become_counts_by_kind_on_postgresql(pg_url: str) -> None:
    _check_upgrade(Database(pg_url))
