"""Polls, quizzes, rating scales and feedback surveys (``/poll``)."""

from typing import Any

from .cog import Polls


def setup(app: Any) -> None:
    app.add_cog(Polls(app))


__all__ = ["Polls", "setup"]
