"""The instructor dashboard: /dashboard hands out a one-time sign-in link to pages served
by the bot's own HTTP server (bot/web.py). Cogs offer panels as data (panels.py); page
actions go through the core dispatch (dispatch.py)."""

from __future__ import annotations

from typing import Any


def setup(app: Any) -> None:
    from .cog import DashboardCog
    from .oauth_routes import OAuthSignIn
    from .pages import DashboardPages

    cog = DashboardCog(app)
    app.add_cog(cog)
    pages = DashboardPages(app, cog)
    pages.register(app.web)
    signin = OAuthSignIn(app, pages)  # "Sign in with Discord / Slack", when configured
    signin.register(app.web)
    pages.signin_options = signin.options
