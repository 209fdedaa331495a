"""Errors a handler may raise on purpose; the core turns each into a friendly reply."""

from __future__ import annotations


class BotError(Exception):
    """Base class for errors the core knows how to present."""


class UserError(BotError):
    """Bad input or a request that cannot be done: shown to the user as is (ephemeral)."""

    def __init__(self, message: str, *, usage: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage

    def __str__(self) -> str:  # the text the user sees
        return self.message if not self.usage else f"{self.message}\nUsage: {self.usage}"


class PermissionDenied(UserError):
    """The caller's access level is below what the command or button needs."""


class NotFound(UserError):
    """An id that names nothing (unknown poll, prompt, member...)."""


class ConfigError(BotError):
    """schedules.yaml or the environment is invalid; carries every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class TemporarilyUnavailable(BotError):
    """The database (or another dependency) is down; the user should retry."""
