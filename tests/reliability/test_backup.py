"""``python -m bot db backup OUT``: a consistent copy of a live SQLite database."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest

from bot.maintenance import backup_sqlite
from bot.storage import Database

from .helpers import child_env, prepare_database, python, sqlite_rows


def run_backup(tmp_path: Path, url: str, out: Path) -> subprocess.CompletedProcess[str]:
    env = child_env(DATABASE_URL=url, BOT_CONFIG=str(tmp_path / "none.yaml"))
    return subprocess.run([python(), "-m", "bot", "db", "backup", str(out)], capture_output=True, text=True,
                          timeout=60, env=env, cwd=tmp_path)


def test_backup_of_a_database_being_written_is_consistent(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    prepare_database(f"sqlite:///{live}")
    stop = threading.Event()
    written = [0]

    def keep_voting() -> None:  # another process's writes, committed one by one during the backup
        with sqlite3.connect(live, timeout=30) as conn:
            while not stop.is_set():
                conn.execute("INSERT INTO ledger_vote (ballot_id, voter, option) VALUES (1, 'w', 1)")
                conn.commit()
                written[0] += 1

    writer = threading.Thread(target=keep_voting)
    writer.start()
    try:
        while written[0] < 200:  # the database is busy before the backup starts
            stop.wait(0.01)
        before = written[0]
        out = tmp_path / "backups" / "copy.db"
        result = run_backup(tmp_path, f"sqlite:///{live}", out)
    finally:
        stop.set()
        writer.join()
    assert result.returncode == 0, result.stderr
    assert "backup written" in result.stdout
    assert sqlite_rows(out, "PRAGMA integrity_check") == [("ok",)]
    ids = [row[0] for row in sqlite_rows(out, "SELECT id FROM ledger_vote ORDER BY id")]
    assert len(ids) >= before and ids == list(range(1, len(ids) + 1))  # a snapshot: no torn or missing rows
    assert sqlite_rows(out, "SELECT COUNT(*) FROM alembic_version")[0][0] >= 1  # the schema version came along


def test_backup_refuses_postgresql_and_points_to_pg_dump(tmp_path: Path) -> None:
    db = Database("postgresql://cohort@127.0.0.1:9/cohort")  # never connected to
    with pytest.raises(SystemExit, match="pg_dump"):
        backup_sqlite(db, tmp_path / "x.db")
    db.dispose()
    assert not (tmp_path / "x.db").exists()


def test_backup_of_a_missing_database_fails_instead_of_copying_an_empty_one(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'typo.db'}")
    with pytest.raises(SystemExit, match="typo.db"):
        backup_sqlite(db, tmp_path / "copy.db")
    db.dispose()
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "typo.db").exists()
