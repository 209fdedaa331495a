"""Test support: drive cogs through an in-process platform, as members and instructors.

    async with Harness(yaml=..., cogs=["cogs.polls"]) as bot:
        r = await bot.command("/poll create question:'Best day?' options:'Mon; Tue'", as_="ana")
        poll = bot.last("general")
        await bot.click(poll, "Mon", as_="ben")
        await bot.advance(timedelta(hours=2))      # runs due schedules; no sleeping

The same fixtures serve anyone writing their own cog (``pytest_plugins = ["bot.testing.plugin"]``).
A cog's own tests also call ``assert_migrations_match_models("cogs.mine")`` (bot/testing/migrations.py).
"""

from .harness import Harness, Result
from .migrations import assert_migrations_match_models, migration_drift

__all__ = ["Harness", "Result", "assert_migrations_match_models", "migration_drift"]
