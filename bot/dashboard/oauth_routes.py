"""The routes of "Sign in with Discord / Slack": the sign-in page, the start (to the provider)
and the callback (back from it), ending in the same server-side session as a /dashboard link.

Who someone is on the dashboard is decided as in chat: the community is the Discord server /
Slack workspace the bot serves that they are a member of, the member row is the one their
messages use, and the access level comes from the platform's adapter (roles, admins, user
groups) raised by ``instructors.users`` (``app.access_for``). No second permission model.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from sqlmodel import Session, select

from ..access import Access
from ..edge import bounded_origin
from ..events import Origin
from ..models import Community, Member
from . import oauth, tokens
from .models import DashboardSession
from .oauth_clients import OAuthFailed, code_text, discord_identity, slack_identity
from .pages import COOKIE, Refused

log = logging.getLogger(__name__)

AGAIN = "Try again from the sign-in page, or use /dashboard in the chat for a one-time link."


@dataclass
class Target:
    community: Community
    member: Member
    access: Access


class OAuthSignIn:
    def __init__(self, app: Any, pages: Any) -> None:
        self.app, self.pages = app, pages

    # -- what is configured ---------------------------------------------------------------
    def providers(self) -> dict[str, oauth.Provider]:
        return oauth.providers(getattr(self.app, "settings", None))

    def options(self) -> list[tuple[str, str]]:
        """(button label, start URL) of each configured provider, for the not-signed-in pages."""
        return [(p.label, f"/dashboard/oauth/{p.name}") for p in self.providers().values()]

    def register(self, server: Any) -> None:
        wrap = self.pages._headers
        server.add_raw_route("GET", "/dashboard/signin", wrap(self.signin_page))
        server.add_raw_route("GET", "/dashboard/oauth/{provider}", wrap(self.start))
        server.add_raw_route("GET", "/dashboard/oauth/{provider}/callback", wrap(self.callback))

    def _provider(self, request: web.Request) -> oauth.Provider:
        provider = self.providers().get(request.match_info.get("provider", ""))
        if provider is None:
            raise Refused(404, "This way of signing in is not set up on this bot. Use /dashboard "
                                 "in the chat for a one-time link.")
        return provider

    # -- pages ----------------------------------------------------------------------------
    async def signin_page(self, request: web.Request) -> web.StreamResponse:
        return self.pages._html("signin.html", title="Sign in", signin=self.options())

    async def start(self, request: web.Request) -> web.StreamResponse:
        provider = self._provider(request)
        browser = request.cookies.get(oauth.BROWSER_COOKIE) or None
        started = await self.app.db.run(oauth.begin, provider.name, browser, self.app.clock.now())
        team = None
        if provider.name == "slack":
            workspaces = await self.app.db.read(_servers_of, self.app.config, "slack")
            team = workspaces[0] if len(workspaces) == 1 else None
        location = provider.authorization(self.pages.cog.base_url, started.state, started.verifier, started.nonce,
                                          team)
        response = web.Response(status=303, headers={"Location": location})
        response.set_cookie(oauth.BROWSER_COOKIE, started.browser, max_age=int(oauth.STATE_TTL.total_seconds()),
                            path="/dashboard/oauth", httponly=True, samesite="Lax",
                            secure=self.pages.cog.secure_cookies)
        return response

    async def callback(self, request: web.Request) -> web.StreamResponse:
        provider = self._provider(request)
        query = request.query
        state = query.get("state", "")
        if not state:
            raise Refused(400, f"The answer from {provider.name.title()} carried no sign-in state. {AGAIN}")
        claimed = await self.app.db.run(oauth.claim, provider.name, state,
                                        request.cookies.get(oauth.BROWSER_COOKIE, ""), self.app.clock.now())
        if isinstance(claimed, str):
            raise Refused(403, claimed)
        if "iss" in query and query["iss"] != provider.issuer:  # RFC 9207: answered by someone else
            raise Refused(403, f"This answer did not come from {provider.name.title()}. {AGAIN}")
        if query.get("error"):
            if query["error"] == "access_denied":
                raise Refused(403, f"You did not allow the sign-in on {provider.name.title()}, so you are "
                                   f"not signed in. {AGAIN}")
            raise Refused(401, f"{provider.name.title()} did not sign you in ({code_text(query['error'])}). {AGAIN}")
        code = query.get("code", "")
        if not code:
            raise Refused(400, f"The answer from {provider.name.title()} carried no code. {AGAIN}")
        redirect_uri = provider.redirect_uri(self.pages.cog.base_url)
        try:
            if provider.name == "discord":
                identity = await discord_identity(provider, code, claimed.verifier, redirect_uri,
                                                  await self.app.db.read(_servers_of, self.app.config, "discord"))
            else:
                identity = await slack_identity(provider, code, claimed.verifier, claimed.nonce, redirect_uri)
        except (OAuthFailed, aiohttp.ClientError, OSError, TimeoutError) as error:
            why = str(error) if isinstance(error, OAuthFailed) else type(error).__name__
            log.warning("dashboard sign-in with %s failed: %s", provider.name, why)
            raise Refused(401, f"{provider.name.title()} could not confirm who you are just now. {AGAIN}") from None
        targets = await self._targets(identity)
        if not targets:
            raise Refused(403, f"Your {provider.name.title()} account is not a member of any community this bot "
                               "serves. Sign in with the account you use there, or ask an instructor.")
        if len(targets) > 1:
            return await self._choose(targets)
        target = targets[0]
        assert target.community.id is not None and target.member.id is not None
        signin = await self.app.db.run(open_session, target.community.id, target.member.id, int(target.access),
                                       self.app.clock.now())
        log.info("dashboard: %s signed in with %s to community %s as %s", target.member.id, provider.name,
                 target.community.id, target.access.label)
        suffix = "" if target.access >= Access.INSTRUCTOR else "/me"
        response = web.Response(status=303, headers={"Location": f"/dashboard/c/{target.community.id}{suffix}"})
        response.set_cookie(COOKIE, signin.cookie, max_age=int(tokens.SESSION_TTL.total_seconds()),
                            path="/dashboard", httponly=True, samesite="Lax", secure=self.pages.cog.secure_cookies)
        return response

    async def _choose(self, targets: list[Target]) -> web.StreamResponse:
        """A member of several communities picks one: each is a one-time /dashboard link (the same
        10-minute, single-use links the chat hands out), shown only to this browser."""
        secret, now = await self.pages.cog.secret(), self.app.clock.now()

        def links(session: Session) -> list[tuple[Target, str]]:
            return [(t, tokens.issue_link(session, secret, t.community.id, t.member.id, int(t.access), now))
                    for t in targets]

        choices = [(t.community.name or t.community.external_id, t.access.label, f"/dashboard/login?t={token}")
                   for t, token in await self.app.db.run(links)]
        return self.pages._html("signin_choose.html", title="Choose a community", choices=choices)

    # -- who that is here -----------------------------------------------------------------
    async def _targets(self, identity: Any) -> list[Target]:
        """Each community the bot serves that they are a member of, most access first (then in
        the config's order): the member row and access level chat would use there."""
        known = await self.app.db.read(_servers_of, self.app.config, identity.platform)
        found: list[tuple[Access, int, Origin]] = []
        for server_id, role_ids in identity.memberships.items():
            if server_id not in known:
                continue
            origin = bounded_origin(Origin(platform=identity.platform, server_id=server_id,
                                           user_id=identity.user_id, user_name=identity.name))
            if origin is None:
                continue
            access = self.app.access_for(origin, await self._platform_access(origin, role_ids))
            found.append((access, known.index(server_id), origin))
        found.sort(key=lambda f: (-f[0], f[1]))
        targets = []
        for access, _, origin in found:
            community = await self.app.community_for(origin)
            targets.append(Target(community, await self.app.member_for(community, origin), access))
        return targets

    async def _target(self, identity: Any) -> Target | None:
        targets = await self._targets(identity)
        return targets[0] if targets else None

    async def _platform_access(self, origin: Origin, role_ids: list[str]) -> Access:
        adapter = self.app.adapters.get(origin.platform)
        if adapter is not None:
            found = await adapter.signin_access(origin.server_id, origin.user_id, role_ids)
            if found is not None:
                return Access(found)
        # no adapter for that platform in this process: the configured role ids still count
        cfg = self.app.community_config(origin.platform, origin.server_id)
        wanted = {str(r).strip() for r in cfg.instructors.roles}
        return Access.INSTRUCTOR if wanted & set(role_ids) else Access.MEMBER


def _servers_of(session: Session, config: Any, platform: str) -> list[str]:
    """The servers of that platform the bot serves: listed in the config, or seen (a "*" entry)."""
    listed = [str(c.key) for c in config.communities if c.key != "*" and c.platform in (None, platform)]
    if platform == "discord":
        listed = [key for key in listed if key.isdigit()]
    seen = session.exec(select(Community.external_id).where(Community.platform == platform)).all()
    return list(dict.fromkeys([*listed, *(str(s) for s in seen)]))


def open_session(session: Session, community_id: int, member_id: int, access: int, now: Any) -> tokens.Signin:
    """The same server-side session a /dashboard link opens."""
    cookie = secrets.token_urlsafe(32)
    row = DashboardSession(token_hash=tokens.digest(cookie), community_id=community_id, member_id=member_id,
                           access=access, csrf=secrets.token_urlsafe(24), created_at=now,
                           expires_at=now + tokens.SESSION_TTL)
    session.add(row)
    return tokens.Signin(cookie, row)
