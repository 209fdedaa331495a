"""The cogs.helpdesk migrations build exactly the tables its models describe (only this cog's tables)."""

from bot.testing import assert_migrations_match_models


def test_migrations_match_the_models() -> None:
    assert_migrations_match_models("cogs.helpdesk")
