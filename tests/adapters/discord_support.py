"""The suite's Discord fixtures: bot.testing.discord's cohort guild and a bot with the test cogs."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from bot.testing import discord as kit
from bot.testing.discord import (ALICE, GENERAL, GUILD, INSTRUCTOR_ROLE, IVY, MANAGE_GUILD, MENTORING, MOD,  # noqa: F401
                                 MOD_ROLE, OWNER, TIMEOUT, YAML, add_cohort_guild, eventually, responses,
                                 settings_for, sub)
from bot.testing.fake_discord import FakeDiscord

COGS = ["tests.fixtures.sample_cog", "tests.adapters.discord_probe_cog"]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with add_cohort_guild(FakeDiscord()) as fake:
        yield fake


@contextlib.asynccontextmanager
async def running(fake: FakeDiscord, db_path: Path, *, yaml: str = YAML, cogs: list[str] | None = COGS,
                  **overrides: Any) -> AsyncIterator[tuple[Any, Any]]:
    """The suite's test cogs by default; cogs=None: the built-in cogs, as a real deployment has them."""
    async with kit.running(fake, db_path, yaml=yaml, cogs=cogs, **overrides) as started:
        yield started


@pytest.fixture
async def bot(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[tuple[Any, Any]]:
    async with running(fake, tmp_path / "bot.db") as started:
        yield started
