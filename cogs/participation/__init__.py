"""Participation tracking (/stats). Privacy (/privacy) is the core's (bot/privacy.py)."""

from typing import Any

from .cog import Stats


def setup(app: Any) -> None:
    app.add_cog(Stats(app))
