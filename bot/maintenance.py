"""Operational helpers: SQLite online backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def backup_sqlite(db: Any, out: Path) -> None:
    """Copy a live SQLite database consistently (SQLite's online backup API)."""
    if not db.is_sqlite:
        raise SystemExit("db backup copies SQLite databases; for PostgreSQL use pg_dump")
    source_path = db.url.split("sqlite:///", 1)[1]
    if not Path(source_path).is_file():  # sqlite3.connect would create it: an empty "backup"
        raise SystemExit(f"no database at {source_path} (check DATABASE_URL)")
    if out.is_dir():
        raise SystemExit(f"error: cannot write {out}: it is a folder — name the backup file, like {out / 'backup.db'}")
    if out.exists() and out.resolve() == Path(source_path).resolve():
        raise SystemExit(f"error: {out} is the database itself — write the backup to another file")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sqlite3.connect(source_path) as source, sqlite3.connect(out) as target:
            source.backup(target)
    except sqlite3.Error as error:  # a folder SQLite cannot create a file in (/proc), a full disk...
        raise SystemExit(f"error: cannot write the backup to {out}: {error}") from None
