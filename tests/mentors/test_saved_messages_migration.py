"""mentor_0003: a round's preview and a match's or study group's intro saved before it (channel,
message, thread only) read back as the whole MessageRef, with the platform and server of the
row's own community; a row that saved no message stays without one."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from bot import MessageRef
from bot.storage import Database
from cogs.mentors.cog import Mentors
from cogs.mentors.models import MentorMatch, MentorRound, StudyGroup

OLD = [
    "INSERT INTO community (id, platform, external_id, name, timezone, created_at) VALUES "
    "(1, 'discord', '111', 'Cohort', 'UTC', '2026-01-01 00:00:00'), "
    "(2, 'slack', 'T22', 'Other', 'UTC', '2026-01-01 00:00:00')",
    "INSERT INTO mentor_round (id, community_id, status, mode, source, created_at, preview_channel_id, "
    "preview_message_id, preview_thread_id, checked_in, closed) VALUES "
    "(1, 1, 'preview', 'both', 'schedule', '2026-01-05 09:00:00', 'staff', 'm1', NULL, false, false), "
    "(2, 2, 'confirmed', 'both', 'schedule', '2026-01-05 09:00:00', 'C9', '1700.1', '1700.0', false, false), "
    "(3, 1, 'confirmed', 'both', 'command', '2026-01-05 09:00:00', NULL, NULL, NULL, false, false)",
    "INSERT INTO mentor_match (id, community_id, round_id, kind, score, shared_topics, overlap_hours, status, "
    "intro_channel_id, intro_message_id, intro_thread_id, met_published) VALUES "
    "(1, 2, 2, 'peer', 1.0, '', 2.0, 'pending', 'G1', '1700.2', NULL, false), "
    "(2, 1, 3, 'peer', 1.0, '', 2.0, 'pending', NULL, NULL, NULL, false)",
    "INSERT INTO mentor_group_set (id, community_id, status, size, repeats, created_at) VALUES "
    "(1, 1, 'confirmed', 4, 0, '2026-01-05 09:00:00')",
    "INSERT INTO mentor_study_group (id, community_id, set_id, score, topics, overlap_hours, intro_channel_id, "
    "intro_message_id, intro_thread_id) VALUES (1, 1, 1, 1.0, 'python', 2.0, 'g', 'm7', 't7')",
]


def _migrate(db: Database, target: str, *, down: bool = False) -> None:
    cfg = db.alembic_config([Mentors.migrations_dir()])
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(cfg, target)


def _check(db: Database) -> None:
    _migrate(db, "mentor_0002")
    with db.engine.begin() as conn:
        for statement in OLD:
            conn.execute(text(statement))
    _migrate(db, "mentor_0003")
    with Session(db.engine) as session:
        rounds = [session.get(MentorRound, i) for i in (1, 2, 3)]
        matches = [session.get(MentorMatch, i) for i in (1, 2)]
        group = session.get(StudyGroup, 1)
        assert [r.preview for r in rounds if r] == [
            MessageRef("discord", "111", "staff", "m1", None), MessageRef("slack", "T22", "C9", "1700.1", "1700.0"),
            None]
        assert [m.intro for m in matches if m] == [MessageRef("slack", "T22", "G1", "1700.2", None), None]
        assert group is not None and group.intro == MessageRef("discord", "111", "g", "m7", "t7")
    _migrate(db, "mentor_0002", down=True)  # and back: the old columns keep what they had
    with db.engine.connect() as conn:
        back = conn.execute(text("SELECT preview_channel_id, preview_message_id FROM mentor_round ORDER BY id")).all()
    assert [tuple(r) for r in back] == [("staff", "m1"), ("C9", "1700.1"), (None, None)]
    db.dispose()


def test_saved_messages_get_their_community_platform_and_server_on_sqlite(tmp_path: Path) -> None:
    _check(Database(f"sqlite:///{tmp_path / 'old.db'}"))


def test_saved_messages_get_their_community_platform_and_server_on_postgresql(pg_url: str) -> None:
    _check(Database(pg_url))
