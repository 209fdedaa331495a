"""The instructor dashboard: /dashboard hands out a one-time sign-in link to pages served
by the bot's own HTTP server (bot/web.py). Cogs offer panels as data (panels.py); page
actions go through the core dispatch (dispatch.py)."""

from __future__ import annotations

from typing import Any


def setup(app: Any) -> None:
    from .cog import DashboardCog

    cog = DashboardCog(app)
    app.add_cog(cog)
    # the pages (aiohttp handlers) are built when the web server starts: a console session's
    # prompt does not wait for aiohttp
    app.web.before_start(lambda: _serve_pages(app, cog))


def _serve_pages(app: Any, cog: Any) -> None:
    from .oauth_routes import OAuthSignIn
    from .pages import DashboardPages

    pages = DashboardPages(app, cog)
    pages.register(app.web)
    signin = OAuthSignIn(app, pages)  # "Sign in with Discord / Slack", when configured
    signin.register(app.web)
    pages.signin_options = signin.options
