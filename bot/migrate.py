"""Per-cog migrations: each cog has its own Alembic branch in ``<its package>/migrations``.

``python -m bot db revision --cog NAME -m "..."`` migrates a throwaway SQLite database to every
loaded head, compares it with the models of that cog's tables only (``bot.ownership``) and
writes what differs as the next revision on the cog's branch (a new cog gets a new branch,
labelled with its folder's name and depending on the core's head). ``drift`` is the same
comparison, used by the tests (``bot.testing.assert_migrations_match_models``).
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Table
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from .errors import ConfigError
from .ownership import cog_package, cog_tables, core_tables, only_tables

if TYPE_CHECKING:
    from .cog import Cog
    from .storage import Database


def drift(db: "Database", tables: Iterable[Table]) -> list[Any]:
    """What differs between the database and the models, for these tables only."""
    names = [t.name for t in tables]
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": only_tables(names),
                                                               "compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def app_tables(app: Any) -> list[Table]:
    """The core's tables and those of every cog the app loaded (not every model imported)."""
    tables = {t.name: t for t in core_tables()}
    for cog in app.cogs.values():
        tables.update((t.name, t) for t in cog_tables(type(cog)))
    return list(tables.values())


def find_cog(app: Any, name: str) -> "Cog":
    """A loaded cog by its command name (``poll``) or its folder's name (``polls``)."""
    wanted = name.strip().lower()
    for cog in app.cogs.values():
        if wanted in (cog.name.lower(), cog_package(type(cog)).rpartition(".")[2].lower()):
            return cog
    known = ", ".join(sorted(c.name for c in app.cogs.values()))
    raise ConfigError([f'error: no loaded cog is called "{name}" — loaded: {known} '
                       "(a cog of your own must be in the cogs: list of schedules.yaml, or use --config)"])


@dataclass
class Branch:
    folder: Path
    label: str
    revisions: list[str]  # revision ids in the folder, newest last
    exists: bool


def migrations_folder(cog: "type[Cog]") -> Path:
    existing = cog.migrations_dir()
    if existing is not None:
        return existing
    import importlib

    module = importlib.import_module(cog_package(cog))
    return Path(module.__file__ or "").parent / "migrations"


def branch_of(cog: "type[Cog]", script: ScriptDirectory) -> Branch:
    folder = migrations_folder(cog).resolve()
    mine = [rev for rev in script.walk_revisions() if Path(rev.path).resolve().parent == folder]
    mine.reverse()  # walk_revisions goes from the heads down
    labels = [label for rev in mine for label in (rev.branch_labels or ())]
    label = labels[0] if labels else folder.parent.name
    return Branch(folder=folder, label=label, revisions=[rev.revision for rev in mine], exists=bool(mine))


def next_revision_id(branch: Branch) -> str:
    numbers = [int(m.group(1)) for r in branch.revisions if (m := re.fullmatch(rf"{re.escape(branch.label)}_(\d+)", r))]
    return f"{branch.label}_{max(numbers, default=len(branch.revisions)) + 1:04d}"


def make_revision(app: Any, cog_name: str, message: str) -> Path | None:
    """Write the next revision of the cog's branch; None when its tables match the migrations."""
    from .storage import Database

    cog = find_cog(app, cog_name)
    tables = cog_tables(type(cog))
    if not tables:
        raise ConfigError([f"error: the {cog.name} cog defines no tables (SQLModel classes with table=True "
                           f"in {cog_package(type(cog))}), so it needs no migration"])
    with tempfile.TemporaryDirectory(prefix="cohort-revision-") as scratch:
        db = Database(f"sqlite:///{Path(scratch) / 'heads.db'}")
        try:
            dirs = app.migration_dirs()
            try:
                db.upgrade(dirs)
            except SQLAlchemyError as error:  # a broken migration, not the user's database
                cause = getattr(error, "orig", None) or error
                first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
                raise ConfigError([f"error: the migrations fail on a fresh database, so no revision can be "
                                   f"compared with them: {first}"]) from None
            cfg = db.alembic_config(dirs)
            script = ScriptDirectory.from_config(cfg)
            branch = branch_of(type(cog), script)
            branch.folder.mkdir(parents=True, exist_ok=True)
            cfg = db.alembic_config([*dirs, branch.folder])
            cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
            written: list[bool] = []

            def keep_if_changed(context: Any, revision: Any, directives: list[Any]) -> None:
                if directives and directives[0].upgrade_ops.is_empty():
                    directives[:] = []
                else:
                    written.append(True)

            with db.engine.connect() as connection, contextlib.redirect_stdout(io.StringIO()):  # we say it once
                cfg.attributes.update(connection=connection, include_object=only_tables(t.name for t in tables))
                core_head = script.get_revision("core@head")
                scripts = command.revision(
                    cfg, message=message, autogenerate=True, rev_id=next_revision_id(branch),
                    head=f"{branch.label}@head" if branch.exists else "base",
                    branch_label=None if branch.exists else branch.label,
                    depends_on=None if branch.exists else (core_head.revision if core_head else None),
                    version_path=str(branch.folder), process_revision_directives=keep_if_changed)
        finally:
            db.dispose()
    if not written:
        return None
    found = scripts[0] if isinstance(scripts, list) else scripts
    return Path(found.path) if found is not None else None
