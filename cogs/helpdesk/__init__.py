"""Unanswered questions: watch help channels and tell the staff about questions nobody answered."""

from typing import Any

from .cog import Helpdesk


def setup(app: Any) -> None:
    app.add_cog(Helpdesk(app))


__all__ = ["Helpdesk", "setup"]
