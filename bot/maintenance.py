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
    out.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source_path) as source, sqlite3.connect(out) as target:
        source.backup(target)
