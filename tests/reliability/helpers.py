"""Shared pieces of the reliability suite: subprocess environments and prepared databases."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from bot.app import BotApp
from bot.config import parse_config
from bot.storage import Database

ROOT = Path(__file__).resolve().parents[2]
LEDGER = "tests.fixtures.ledger_cog"


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a bot subprocess: no platform tokens from the caller, the repo importable."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "SLACK_", "BOT_", "DATABASE_URL", "SHARD_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def python() -> str:
    return sys.executable


def prepare_database(url: str, cogs: list[str] | None = None) -> None:
    """Migrate a database and create the ledger's tables before several processes share it."""
    from tests.fixtures.ledger_cog import create_tables

    db = Database(url)
    app = BotApp(config=parse_config("", "x.yaml", cogs=cogs or [LEDGER]), db=db)
    app.load_cogs()
    db.upgrade(app.migration_dirs())
    create_tables(db)
    db.dispose()


def sqlite_rows(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, args).fetchall()


def add_voters(fake: Any, channel: str, votes: int) -> None:
    """The kill -9 tests' workspace: ivy (who creates the poll) in ``channel`` and ``votes`` voters
    UV0000.. (Slack HTTP and Socket Mode run the same burst, so they share its shape)."""
    fake.add_channel(channel, "general", members=["UIVY"])
    fake.add_user("UIVY", "ivy")
    for n in range(votes):
        fake.add_user(f"UV{n:04d}", f"voter{n}")
