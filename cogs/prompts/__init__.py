"""Discussion prompts: scheduled questions, question banks, threads and response tracking."""

from __future__ import annotations

from typing import Any

from .cog import Prompts


def setup(app: Any) -> None:
    app.add_cog(Prompts(app))


__all__ = ["Prompts", "setup"]
