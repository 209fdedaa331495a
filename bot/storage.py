"""Database access: engines, sessions off the event loop, and Alembic migrations.

SQLite (the default) runs in WAL mode; write transactions start with ``BEGIN IMMEDIATE``
so two writers queue on the lock instead of failing with "database is locked" when a
read transaction tries to upgrade. PostgreSQL uses the same code through ``DATABASE_URL``.
Blocking database work never runs on the event loop: ``await db.run(fn)`` runs ``fn(session)``
on a small thread pool and commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, TypeVar

from sqlalchemy import Engine, event, exc
from sqlmodel import Session, SQLModel, create_engine

from . import planstats
from .errors import TemporarilyUnavailable

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

log = logging.getLogger(__name__)
T = TypeVar("T")

CORE_MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^revision(?:\s*:[^=]*)?\s*=\s*['\"]([^'\"]+)['\"]\s*$", re.M)
_DOWN_REVISION = re.compile(r"^down_revision(?:\s*:[^=]*)?\s*=\s*(.*)$", re.M)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def known_heads(locations: Iterable[Path]) -> set[str] | None:
    """The head revisions of these migration folders, read from the files' ``revision`` and
    ``down_revision`` lines (no import); None when a file says them in a way this does not read."""
    revisions: set[str] = set()
    below: set[str] = set()
    for folder in locations:
        for path in Path(folder).glob("*.py"):
            if path.name.startswith("_"):
                continue
            text = path.read_text(encoding="utf-8")
            revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
            if revision is None or down is None:
                return None
            value = down.group(1).split("#")[0].strip()
            ids = _QUOTED.findall(value)
            if value != "None" and not ids:  # e.g. a tuple over several lines: let alembic read it
                return None
            revisions.add(revision.group(1))
            below.update(ids)
    return (revisions - below) or None


def normalise_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://) and pick our drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_path(url: str) -> Path | None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        return Path(url[len(prefix) :])
    return None


class Database:
    def __init__(self, url: str, *, workers: int = 4, echo: bool = False) -> None:
        self.url = normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        path = _sqlite_path(self.url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        if self.is_sqlite:
            args = {"check_same_thread": False, "timeout": 30}
            self.engine = create_engine(self.url, connect_args=args, echo=echo)
            self.read_engine = create_engine(self.url, connect_args=args, echo=echo)
            _configure_sqlite(self.engine, immediate=True)
            _configure_sqlite(self.read_engine, immediate=False)
        else:
            self.engine = create_engine(self.url, echo=echo, pool_pre_ping=True, pool_size=workers, max_overflow=workers)
            self.read_engine = self.engine
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="db")
        # SQLite has one writer at a time. Queue this process's writers on a lock instead of
        # letting them collide on the file lock, whose busy handler sleeps in 10-100 ms steps.
        self._write_lock = threading.Lock() if self.is_sqlite else None

    @property
    def sqlite_file(self) -> Path | None:
        """The database file on SQLite (None on a server database or in memory)."""
        return _sqlite_path(self.url)

    # -- sessions -------------------------------------------------------------------------
    def session(self, *, read_only: bool = False) -> Session:
        return Session(self.read_engine if read_only else self.engine, expire_on_commit=False)

    def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        if self._write_lock is None:
            return self._write(fn, *args)
        with self._write_lock:
            return self._write(fn, *args)

    def _write(self, fn: Callable[..., T], *args: Any) -> T:
        with self.session() as session:
            result = fn(session, *args)
            session.commit()
            return result

    def write_lock(self) -> Any:
        """Hold while doing raw writes outside run_sync (e.g. Core bulk inserts on SQLite)."""
        return self._write_lock if self._write_lock is not None else contextlib.nullcontext()

    def read_sync(self, fn: Callable[..., T], *args: Any) -> T:
        with self.session(read_only=True) as session:
            return fn(session, *args)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(session, *args)`` in a write transaction off the event loop, then commit."""
        return await self._offload(self.run_sync, fn, *args)

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(session, *args)`` in a read-only session off the event loop."""
        return await self._offload(self.read_sync, fn, *args)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run any blocking function on the database pool (e.g. Core bulk inserts)."""
        return await self._offload(fn, *args)

    async def _offload(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, fn, *args)
        except exc.OperationalError as error:
            if is_connection_error(error):
                raise TemporarilyUnavailable(str(error.orig)) from error
            raise

    # -- schema ---------------------------------------------------------------------------
    def alembic_config(self, version_locations: Iterable[Path] = ()) -> "AlembicConfig":
        from alembic.config import Config as AlembicConfig

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(CORE_MIGRATIONS))
        cfg.set_main_option("path_separator", "os")
        locations = [CORE_MIGRATIONS / "versions", *version_locations]
        cfg.set_main_option("version_locations", os.pathsep.join(str(p) for p in dict.fromkeys(locations)))
        return cfg

    def upgrade(self, version_locations: Iterable[Path] = ()) -> None:
        """Apply every migration of the core and the given cogs (idempotent).

        A database already at head (every start but the first after an update) is recognised
        from its version table and the migration files' revision lines: alembic, which imports
        every migration and every SQL dialect's DDL module (~0.2 s of start-up), is not loaded."""
        version_locations = list(version_locations)
        if self.at_head([CORE_MIGRATIONS / "versions", *version_locations]):
            self.refresh_statistics()  # a database migrated before this step existed
            return
        from alembic import command

        cfg = self.alembic_config(version_locations)
        with self.engine.begin() as connection:
            postgres = connection.dialect.name == "postgresql"
            if postgres:
                # Workers started together on a new database (Slack HTTP behind a load balancer) each
                # ran the migrations: all but one failed on a duplicate type or table and exited. One at
                # a time (a lock held until this transaction ends); the next finds the schema at head.
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7363616)")
                before = planstats.postgres_shape(connection)
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "heads")
            if postgres:  # the planner's statistics for what the migrations changed (bot.planstats)
                planstats.analyze(connection, planstats.changed_tables(before, planstats.postgres_shape(connection)))
        self.refresh_statistics()

    def refresh_statistics(self) -> list[str]:
        """SQLite: ANALYZE the tables whose indexes the planner's statistics do not describe
        (bot.planstats); the tables analysed. A read and nothing else when there are none."""
        if not self.is_sqlite:
            return []
        with self.read_engine.connect() as connection:
            stale = planstats.sqlite_stale_tables(connection)
        if stale:
            with self.write_lock(), self.engine.begin() as connection:
                planstats.analyze(connection, stale)
            log.info("planner statistics refreshed for %s", ", ".join(stale))
        return stale

    def at_head(self, locations: Iterable[Path]) -> bool:
        """Whether the version table holds exactly the heads of these migration folders."""
        heads = known_heads(locations)
        if heads is None:
            return False
        try:
            with self.read_engine.connect() as connection:  # a plain read: no write lock taken
                stored = {row[0] for row in connection.exec_driver_sql("SELECT version_num FROM alembic_version")}
        except exc.DBAPIError:  # no version table yet (a new database), or it cannot be read: alembic decides
            return False
        return stored == heads

    def current_heads(self) -> set[str]:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads())

    def dispose(self) -> None:
        self._executor.shutdown(wait=True)
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def _configure_sqlite(engine: Engine, *, immediate: bool) -> None:
    engine.dialect.statement_compiler = planstats.SQLiteHintingCompiler  # renders INDEXED BY hints

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_connection_error(error: exc.OperationalError) -> bool:
    """True when the database itself is unreachable (not a bad query)."""
    if getattr(error, "connection_invalidated", False):
        return True
    text = str(error.orig).lower()
    return any(
        marker in text
        for marker in ("connection refused", "could not connect", "server closed", "terminating connection",
                       "connection failed", "database is locked", "unable to open database", "the database system is")
    )


def metadata() -> Any:
    return SQLModel.metadata
