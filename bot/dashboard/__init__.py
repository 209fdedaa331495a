"""The instructor dashboard: /dashboard hands out a one-time sign-in link to pages served
by the bot's own HTTP server (bot/web.py). Cogs offer panels as data (panels.py); page
actions go through the core dispatch (dispatch.py)."""

from __future__ import annotations

from typing import Any


def setup(app: Any) -> None:
    from .cog import DashboardCog
    from .pages import DashboardPages

    cog = DashboardCog(app)
    app.add_cog(cog)
    DashboardPages(app, cog).register(app.web)
