"""A cog's own drift check: its migrations build exactly the tables its models describe.

    from bot.testing import assert_migrations_match_models

    def test_migrations_match_the_models(tmp_path):
        assert_migrations_match_models("cogs.polls")

The check migrates a fresh database (SQLite in a temporary folder, or ``url``) with the core's
and the cog's migrations and compares only that cog's tables with its models: another cog's
models imported by another test change nothing. When it fails, the message says how to write
the missing migration (``python -m bot db revision --cog NAME -m "..."``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ..app import BotApp
from ..cog import Cog
from ..config import CORE_COGS, parse_config
from ..migrate import drift
from ..ownership import cog_package, cog_tables
from ..storage import Database


def _path(cog: "str | type[Cog] | Cog") -> str:
    if isinstance(cog, str):
        return cog
    return cog_package(cog if isinstance(cog, type) else type(cog))


def _describe(diff: Any) -> str:
    if isinstance(diff, list):  # modify_* come as a list of tuples
        return "; ".join(_describe(d) for d in diff)
    op, *rest = diff
    shown = [str(getattr(x, "name", x)) if hasattr(x, "c") else str(x) for x in rest if x is not None and x != {}]
    return f"{op} {' '.join(shown)}".strip()


def migration_drift(cog: "str | type[Cog] | Cog", *, url: str | None = None) -> tuple[str, list[Any]]:
    """(the cog's command name, what differs between its migrations and its models)."""
    path = _path(cog)
    with tempfile.TemporaryDirectory(prefix="cohort-drift-") as folder:
        db = Database(url or f"sqlite:///{Path(folder) / 'drift.db'}")
        try:
            app = BotApp(config=parse_config("", "drift.yaml"), db=db)
            app.load_cogs([] if path in CORE_COGS else [path])  # the core's own cogs always load
            if path in app.load_errors:
                raise AssertionError(f"{path} did not load: {app.load_errors[path]}")
            mine = [c for c in app.cogs.values() if cog_package(type(c)) == path
                    or cog_package(type(c)).startswith(path + ".") or path.startswith(cog_package(type(c)) + ".")]
            if not mine:
                raise AssertionError(f"{path} added no cog")
            db.upgrade(app.migration_dirs())
            tables = {t.name: t for c in mine for t in cog_tables(type(c))}
            return mine[0].name, drift(db, tables.values())
        finally:
            db.dispose()


def assert_migrations_match_models(cog: "str | type[Cog] | Cog", *, url: str | None = None) -> None:
    """Fail, saying what differs and how to fix it, when the cog's migrations and models disagree."""
    name, diffs = migration_drift(cog, url=url)
    if diffs:
        lines = "\n".join(f"  - {_describe(d)}" for d in diffs)
        raise AssertionError(f"{_path(cog)}: the migrations do not build what the models describe:\n{lines}\n"
                             f"Write the missing migration with: python -m bot db revision --cog {name} "
                             f'-m "what changed" (then read it through)')
