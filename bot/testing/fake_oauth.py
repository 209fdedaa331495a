"""Discord's OAuth2 and Slack's OpenID Connect, faked on 127.0.0.1 for the dashboard's
"Sign in with ..." tests: authorize -> code -> token -> who (and, on Discord, the guild member;
on Slack, a signed id_token, its keys and userInfo).

It checks what the real providers check (client id and secret, the redirect URI the code was
issued for, the PKCE verifier against its S256 challenge, a code used once, the scopes) and
answers in their formats, errors included. ``consent`` decides what the person does on the
consent screen: ``"allow"`` (redirect straight back), ``"deny"`` (``error=access_denied``) or
``"ask"`` (an HTML page with Authorize / Cancel buttons, for a browser).

    async with FakeOAuth() as fake:
        fake.add_discord_user("1001", "tess", guilds={"42": ["7"]})
        fake.signed_in["discord"] = "1001"
        settings = Settings(**fake.settings())   # DISCORD_CLIENT_ID ... DISCORD_OAUTH_URL
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from .local_server import LocalServer

DISCORD_CLIENT = ("1300000000000000001", "discord-client-secret")
SLACK_CLIENT = ("2100000000.3100000000", "slack-client-secret")
DISCORD_SCOPES = {"identify", "guilds.members.read"}


@dataclass
class DiscordUser:
    id: str
    username: str
    guilds: dict[str, list[str]] = field(default_factory=dict)  # guild id -> role ids
    nick: str | None = None


@dataclass
class SlackUser:
    id: str
    team: str
    name: str


@dataclass
class Grant:
    provider: str
    user: str
    client_id: str
    redirect_uri: str
    challenge: str
    scopes: set[str]
    nonce: str | None


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class FakeOAuth(LocalServer):
    def __init__(self) -> None:
        from joserfc.jwk import RSAKey

        self.discord_users: dict[str, DiscordUser] = {}
        self.slack_users: dict[str, SlackUser] = {}
        self.signed_in: dict[str, str | None] = {"discord": None, "slack": None}  # who is at the provider
        self.consent = "allow"
        self.token_error: str | None = None  # the token endpoint refuses with this error code
        self.rate_limited: set[str] = set()  # guild ids whose next member look-up answers 429 (once each)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "fake-1", "use": "sig", "alg": "RS256"})
        self.signing_key = self.key  # tests swap in another key to forge an id_token
        self.codes: dict[str, Grant] = {}
        self.tokens: dict[str, Grant] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path, query+form) as received
        self.url = ""

    async def start(self) -> None:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/oauth2/authorize", self.discord_authorize)
        app.router.add_post("/oauth2/authorize", self.consented)
        app.router.add_post("/api/v10/oauth2/token", self.discord_token)
        app.router.add_get("/api/v10/users/@me", self.discord_me)
        app.router.add_get("/api/v10/users/@me/guilds/{guild}/member", self.discord_member)
        app.router.add_get("/openid/connect/authorize", self.slack_authorize)
        app.router.add_post("/openid/connect/authorize", self.consented)
        app.router.add_post("/api/openid.connect.token", self.slack_token)
        app.router.add_get("/openid/connect/keys", self.slack_keys)
        app.router.add_route("*", "/api/openid.connect.userInfo", self.slack_userinfo)
        self.url = f"http://127.0.0.1:{await self.serve(app)}"

    # -- set-up ---------------------------------------------------------------------------
    def add_discord_user(self, user_id: str, username: str, *, guilds: dict[str, list[str]] | None = None,
                         nick: str | None = None) -> DiscordUser:
        self.discord_users[user_id] = user = DiscordUser(user_id, username, dict(guilds or {}), nick)
        return user

    def add_slack_user(self, user_id: str, team: str, name: str) -> SlackUser:
        self.slack_users[user_id] = user = SlackUser(user_id, team, name)
        return user

    def settings(self) -> dict[str, str]:
        """The environment that points the bot at this fake (as ``Settings`` keyword arguments)."""
        return {"discord_client_id": DISCORD_CLIENT[0], "discord_client_secret": DISCORD_CLIENT[1],
                "discord_oauth_url": self.url, "slack_client_id": SLACK_CLIENT[0],
                "slack_client_secret": SLACK_CLIENT[1], "slack_oauth_url": self.url}

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        values = dict(request.query)
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            values.update({k: str(v) for k, v in (await request.post()).items()})
        self.requests.append((request.method, request.path, values))
        return await handler(request)

    # -- the consent screen ---------------------------------------------------------------
    def _authorize(self, request: web.Request, provider: str, client_id: str, required: set[str]) -> web.StreamResponse:
        q = request.query
        scopes = set(q.get("scope", "").split())
        problems = [what for what, bad in (
            ("response_type", q.get("response_type") != "code"), ("client_id", q.get("client_id") != client_id),
            ("redirect_uri", not q.get("redirect_uri")), ("scope", not required <= scopes),
            ("code_challenge", q.get("code_challenge_method") != "S256" or not q.get("code_challenge")),
            ("nonce", provider == "slack" and not q.get("nonce"))) if bad]
        if problems:
            return web.Response(status=400, text=f"Invalid OAuth2 request: {', '.join(problems)}")
        if self.consent == "ask":
            fields = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in q.items())
            return web.Response(content_type="text/html", text=(
                f"<!doctype html><title>Authorize</title><h1>{provider.title()}: an application wants to sign "
                f"you in</h1><form method=post>{fields}<button name=decision value=allow>Authorize</button>"
                f"<button name=decision value=deny>Cancel</button></form>"))
        return self._decide(provider, dict(q), self.consent)

    async def consented(self, request: web.Request) -> web.StreamResponse:
        form = {k: str(v) for k, v in (await request.post()).items()}
        provider = "discord" if request.path.startswith("/oauth2") else "slack"
        return self._decide(provider, form, form.pop("decision", "deny"))

    def _decide(self, provider: str, q: dict[str, str], decision: str) -> web.StreamResponse:
        back: dict[str, str] = {"state": q.get("state", "")}
        if provider == "discord":
            back["iss"] = self.url
        user = self.signed_in.get(provider)
        if decision != "allow" or user is None:
            back.update(error="access_denied", error_description="The resource owner or authorization server "
                                                                 "denied the request")
        else:
            code = secrets.token_urlsafe(20)
            self.codes[code] = Grant(provider, user, q["client_id"], q["redirect_uri"], q["code_challenge"],
                                     set(q.get("scope", "").split()), q.get("nonce"))
            back["code"] = code
        raise web.HTTPFound(f"{q['redirect_uri']}?{urlencode(back)}")

    def _redeem(self, provider: str, form: dict[str, str], client_id: str) -> Grant | str:
        grant = self.codes.pop(form.get("code", ""), None)
        if self.token_error:
            return self.token_error
        if grant is None or grant.provider != provider or grant.client_id != client_id:
            return "invalid_grant"
        if form.get("redirect_uri") != grant.redirect_uri or form.get("grant_type") != "authorization_code":
            return "invalid_grant"
        if s256(form.get("code_verifier", "")) != grant.challenge:
            return "invalid_grant"  # PKCE: the verifier does not match the challenge
        return grant

    def _grant_of(self, request: web.Request, provider: str) -> Grant | None:
        kind, _, token = request.headers.get("Authorization", "").partition(" ")
        grant = self.tokens.get(token) if kind == "Bearer" else None
        return grant if grant is not None and grant.provider == provider else None

    # -- Discord --------------------------------------------------------------------------
    async def discord_authorize(self, request: web.Request) -> web.StreamResponse:
        return self._authorize(request, "discord", DISCORD_CLIENT[0], DISCORD_SCOPES)

    async def discord_token(self, request: web.Request) -> web.StreamResponse:
        import aiohttp

        form = {k: str(v) for k, v in (await request.post()).items()}
        try:
            auth = aiohttp.BasicAuth.decode(request.headers.get("Authorization", ""))
        except ValueError:
            auth = None
        if auth is None or (auth.login, auth.password) != DISCORD_CLIENT:
            return web.json_response({"error": "invalid_client"}, status=401)
        grant = self._redeem("discord", form, auth.login)
        if isinstance(grant, str):
            return web.json_response({"error": grant}, status=400)
        token = secrets.token_urlsafe(24)
        self.tokens[token] = grant
        return web.json_response({"access_token": token, "token_type": "Bearer", "expires_in": 604800,
                                  "refresh_token": secrets.token_urlsafe(24), "scope": " ".join(sorted(grant.scopes))})

    async def discord_me(self, request: web.Request) -> web.StreamResponse:
        grant = self._grant_of(request, "discord")
        if grant is None:
            return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        user = self.discord_users[grant.user]
        return web.json_response({"id": user.id, "username": user.username, "global_name": user.username,
                                  "discriminator": "0", "avatar": None})

    async def discord_member(self, request: web.Request) -> web.StreamResponse:
        grant = self._grant_of(request, "discord")
        if grant is None:
            return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        if "guilds.members.read" not in grant.scopes:
            return web.json_response({"message": "Missing Access", "code": 50001}, status=403)
        if request.match_info["guild"] in self.rate_limited:
            self.rate_limited.discard(request.match_info["guild"])
            return web.json_response({"message": "You are being rate limited.", "retry_after": 0.01, "global": False},
                                     status=429, headers={"Retry-After": "1"})
        user = self.discord_users[grant.user]
        roles = user.guilds.get(request.match_info["guild"])
        if roles is None:
            return web.json_response({"message": "Unknown Guild", "code": 10004}, status=404)
        return web.json_response({"user": {"id": user.id, "username": user.username}, "nick": user.nick,
                                  "roles": roles, "joined_at": "2026-01-05T10:00:00+00:00", "deaf": False,
                                  "mute": False, "flags": 0})

    # -- Slack ----------------------------------------------------------------------------
    async def slack_authorize(self, request: web.Request) -> web.StreamResponse:
        return self._authorize(request, "slack", SLACK_CLIENT[0], {"openid"})

    async def slack_token(self, request: web.Request) -> web.StreamResponse:
        from joserfc import jwt

        form = {k: str(v) for k, v in (await request.post()).items()}
        if (form.get("client_id"), form.get("client_secret")) != SLACK_CLIENT:
            return web.json_response({"ok": False, "error": "invalid_client_id"})
        grant = self._redeem("slack", form, form["client_id"])
        if isinstance(grant, str):
            return web.json_response({"ok": False, "error": "invalid_code" if grant == "invalid_grant" else grant})
        user = self.slack_users[grant.user]
        now = int(time.time())
        claims = {"iss": self.url, "sub": user.id, "aud": grant.client_id, "exp": now + 300, "iat": now,
                  "auth_time": now, "nonce": grant.nonce, "https://slack.com/user_id": user.id,
                  "https://slack.com/team_id": user.team, "name": user.name}
        token = secrets.token_urlsafe(24)
        self.tokens[token] = grant
        id_token = jwt.encode({"alg": "RS256", "kid": self.signing_key.kid}, claims, self.signing_key)
        return web.json_response({"ok": True, "access_token": f"xoxp-{token}", "token_type": "Bearer",
                                  "id_token": id_token})

    async def slack_keys(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"keys": [self.key.as_dict(private=False)]})

    async def slack_userinfo(self, request: web.Request) -> web.StreamResponse:
        kind, _, token = request.headers.get("Authorization", "").partition(" ")
        grant = self.tokens.get(token.removeprefix("xoxp-")) if kind == "Bearer" else None
        if grant is None or grant.provider != "slack":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        user = self.slack_users[grant.user]
        return web.json_response({"ok": True, "sub": user.id, "https://slack.com/user_id": user.id,
                                  "https://slack.com/team_id": user.team, "name": user.name})
