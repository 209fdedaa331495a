"""Peer mentoring: profiles, matching rounds with an instructor preview, intros and check-ins."""

from __future__ import annotations

from typing import Any

from .cog import Mentors  # imported here so schedules.yaml validation sees its config section

__all__ = ["Mentors", "setup"]


def setup(app: Any) -> None:
    app.add_cog(Mentors(app))
