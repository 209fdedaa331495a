"""The platforms' own rules for what the bot sends: Discord's OpenAPI spec, Slack's Block Kit models.

`install()` registers both with bot.testing.payload_checks; tests/conftest.py does it for the
whole suite, so every request any test makes through a fake is checked.
"""

from __future__ import annotations

from bot.testing import payload_checks

from .discord_rules import check_discord
from .slack_rules import check_slack


def install() -> None:
    for checker in (check_discord, check_slack):
        if checker not in payload_checks.checkers:
            payload_checks.checkers.append(checker)


__all__ = ["check_discord", "check_slack", "install"]
