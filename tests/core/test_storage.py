"""Migrations and storage on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import asyncio
import importlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from bot import migrate
from bot.app import BotApp
from bot.clock import FakeClock
from bot.config import builtin_cogs, parse_config, resolve_cog_paths
from bot.scheduler import Scheduler
from bot.storage import Database, normalise_url
from bot.when import parse_when


def migrated(url: str, cogs: list[str] | None = None) -> tuple[Database, BotApp]:
    db = Database(url)
    app = BotApp(config=parse_config("", "x.yaml"), db=db)
    app.load_cogs(resolve_cog_paths(None) if cogs is None else cogs)
    db.upgrade(app.migration_dirs())
    return db, app


def drift(db: Database, app: BotApp) -> list:
    """The core's and the loaded cogs' tables only: a model some other test imported is not drift."""
    return migrate.drift(db, migrate.app_tables(app))


def check_schema(url: str) -> None:
    db, app = migrated(url)
    try:
        tables = set(inspect(db.engine).get_table_names())
        assert {"community", "member", "schedule_claim", "bot_state", "alembic_version"} <= tables
        assert drift(db, app) == [], "models and migrations disagree: add or fix a migration"
        heads_before = db.current_heads()
        db.upgrade(app.migration_dirs())  # idempotent
        assert db.current_heads() == heads_before
    finally:
        db.dispose()


def test_migrations_on_sqlite_match_the_models(tmp_path: Path) -> None:
    check_schema(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.mark.postgres
def test_migrations_on_postgresql_match_the_models(pg_url: str) -> None:
    check_schema(pg_url)


def test_a_cog_imported_but_not_loaded_is_not_drift(tmp_path: Path) -> None:
    """Importing a new cog's models (as another test does) leaves the check as it was, and the
    check still sees a table a loaded cog's migrations do not build."""
    importlib.import_module("tests.fixtures.til.models")
    assert "til_note" in SQLModel.metadata.tables  # one registry for the whole process
    check_schema(f"sqlite:///{tmp_path / 'a.db'}")  # built-in cogs only: til is not asked about
    db, app = migrated(f"sqlite:///{tmp_path / 'b.db'}", cogs=["tests.fixtures.til"])
    try:
        assert drift(db, app) == []
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE til_note")
        assert ("add_table", "til_note") in [(d[0], d[1].name) for d in drift(db, app)]
    finally:
        db.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    db, _ = migrated(f"sqlite:///{tmp_path / 'w.db'}", cogs=[])
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    db.dispose()


def test_database_urls_people_paste_are_accepted() -> None:
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///data/x.db") == "sqlite:///data/x.db"


async def claims_are_exclusive(url: str) -> None:
    """Two schedulers (two processes) on one database: each due firing runs once."""
    db, _ = migrated(url, cogs=[])
    other = Database(url)
    start = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
    runs: list[tuple[str, datetime]] = []
    schedulers = []
    for name, database in (("a", db), ("b", other)):
        scheduler = Scheduler(database, FakeClock(start))

        async def record(due: datetime, name: str = name) -> None:
            runs.append((name, due))

        scheduler.add("demo:hourly", parse_when("0 * * * *", timezone.utc), record)
        schedulers.append(scheduler)
    await asyncio.gather(*(s.advance(timedelta(hours=24)) for s in schedulers))
    dues = [due for _, due in runs]
    assert len(dues) == 24 and len(set(dues)) == 24
    db.dispose()
    other.dispose()


async def test_two_schedulers_on_one_sqlite_file_fire_once(tmp_path: Path) -> None:
    await claims_are_exclusive(f"sqlite:///{tmp_path / 'c.db'}")


@pytest.mark.postgres
async def test_two_schedulers_on_postgresql_fire_once(pg_url: str) -> None:
    await claims_are_exclusive(pg_url)


async def test_missed_firing_is_caught_up_once_within_grace_only(tmp_path: Path) -> None:
    db, _ = migrated(f"sqlite:///{tmp_path / 'g.db'}", cogs=[])
    created = datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc)
    runs: list[datetime] = []

    async def record(due: datetime) -> None:
        runs.append(due)

    # The bot was down over the 09:00 firing and restarts at 10:30: inside a 2h grace -> posted once.
    scheduler = Scheduler(db, FakeClock(datetime(2026, 3, 2, 10, 30, tzinfo=timezone.utc)))
    scheduler.add("demo:daily", parse_when("daily 09:00", timezone.utc), record, grace=timedelta(hours=2),
                  since=created)
    await scheduler.start()
    assert runs == [datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)]
    await scheduler.stop()
    # Another restart a minute later: already claimed, not posted again.
    again = Scheduler(db, FakeClock(datetime(2026, 3, 2, 10, 31, tzinfo=timezone.utc)))
    again.add("demo:daily", parse_when("daily 09:00", timezone.utc), record, grace=timedelta(hours=2),
              since=created)
    await again.start()
    assert len(runs) == 1
    # Outside the grace period: skipped.
    late = Scheduler(db, FakeClock(datetime(2026, 3, 3, 12, 0, tzinfo=timezone.utc)))
    late.add("demo:daily", parse_when("daily 09:00", timezone.utc), record, grace=timedelta(hours=2),
             since=created)
    await late.start()
    assert len(runs) == 1
    # Never a firing from before the schedule existed.
    fresh = Scheduler(db, FakeClock(datetime(2026, 3, 4, 9, 30, tzinfo=timezone.utc)))
    fresh.add("demo:new", parse_when("daily 09:00", timezone.utc), record, grace=timedelta(hours=2),
              since=datetime(2026, 3, 4, 9, 15, tzinfo=timezone.utc))
    await fresh.start()
    assert len(runs) == 1
    db.dispose()


def test_builtin_cogs_are_discovered_as_the_packages_under_cogs_with_a_setup() -> None:
    found = builtin_cogs()
    assert {"cogs.prompts", "cogs.polls", "cogs.mentors", "cogs.participation"} <= set(found)
    assert all(p.startswith("cogs.") and hasattr(importlib.import_module(p), "setup") for p in found)
    assert resolve_cog_paths(None) == found  # no cogs: list in the YAML = every built-in cog


async def test_old_claims_are_pruned_as_new_ones_are_made(make_bot) -> None:
    from sqlmodel import select

    from bot.models import ScheduleClaim

    bot = await make_bot(cogs=["tests.fixtures.sample_cog"])
    bot.app.scheduler.prune_every = 24
    await bot.advance(timedelta(days=40))  # the sample cog's hourly job claims 960 firings
    with bot.session() as s:
        dues = [c.due_at for c in s.exec(select(ScheduleClaim)).all()]
    assert dues and min(dues) >= bot.clock.now() - timedelta(days=31)


async def test_background_upkeep_runs_on_the_real_clock_and_is_never_claimed(tmp_path: Path) -> None:
    from bot.clock import Clock

    db, _ = migrated(f"sqlite:///{tmp_path / 'bg.db'}", cogs=[])
    scheduler = Scheduler(db, Clock())
    ran = asyncio.Event()

    async def upkeep() -> None:
        ran.set()

    scheduler.every("demo:upkeep", timedelta(seconds=0.05), upkeep)
    await scheduler.start()
    try:
        await asyncio.wait_for(ran.wait(), timeout=5)  # returns as soon as the timer fired
    finally:
        await scheduler.stop()
    with db.session() as s:
        from sqlmodel import select

        from bot.models import ScheduleClaim

        assert s.exec(select(ScheduleClaim)).all() == []
    db.dispose()


def test_a_database_at_head_starts_without_alembic_and_a_cog_added_since_still_migrates(tmp_path: Path) -> None:
    """Alembic (every migration and every dialect's DDL imported) runs only when there is something
    to apply: a start on a database at head reads the version table and nothing else."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'head.db'}"
    migrated(url, ["cogs.polls"])[0].dispose()

    def start(cogs: list[str]) -> str:
        probe = ("import sys; from bot.storage import Database; from bot.app import BotApp; "
                 "from bot.config import parse_config; "
                 f"db = Database({url!r}); app = BotApp(config=parse_config('', 'x.yaml'), db=db); "
                 f"app.load_cogs({cogs!r}); db.upgrade(app.migration_dirs()); print('alembic' in sys.modules)")
        result = subprocess.run([sys.executable, "-c", probe], cwd=Path(__file__).resolve().parents[2],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert start(["cogs.polls"]) == "False"
    assert start(["cogs.polls", "cogs.kudos"]) == "True"  # kudos' tables are new: alembic creates them
    db = Database(url)
    try:
        assert any(name.startswith("kudos") for name in inspect(db.engine).get_table_names())
        assert start(["cogs.polls", "cogs.kudos"]) == "False"
    finally:
        db.dispose()
