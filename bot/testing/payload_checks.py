"""A hook through which the fakes hand every outgoing payload to the platform's own rules.

The fakes cannot know every rule Discord and Slack apply to a request body, and should not
depend on the libraries that do (an OpenAPI validator, slack_sdk's Block Kit models). A test
suite registers checkers here; each fake calls `violations_of` for every request the bot
makes and, like the real platform, rejects one that breaks a rule (Discord: 400 "Invalid Form
Body", Slack: ``invalid_blocks``). Every violation is also kept in `seen`, so a suite can
fail the test that caused it even when the bot swallowed the error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal

Platform = Literal["discord", "slack"]
# (platform, operation, body) -> problems. Operation: "POST /channels/1/messages" on Discord,
# the Web API method ("chat.postMessage") or "response_url" on Slack.
Checker = Callable[[Platform, str, Any], list[str]]


@dataclass(frozen=True)
class Violation:
    platform: Platform
    operation: str
    problem: str

    def __str__(self) -> str:
        return f"{self.platform} {self.operation}: {self.problem}"


checkers: list[Checker] = []
seen: list[Violation] = []


def violations_of(platform: Platform, operation: str, body: Any) -> list[Violation]:
    """Run every registered checker on one outgoing body; remember and return what broke."""
    found = [Violation(platform, operation, problem)
             for check in checkers for problem in check(platform, operation, body)]
    seen.extend(found)
    return found
