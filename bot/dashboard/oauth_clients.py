"""The calls to the providers after their redirect back: exchange the code (with the PKCE
verifier), then learn who signed in and where they are a member.

Discord (OAuth2): ``POST /api/v10/oauth2/token`` (client_secret_basic), ``GET /users/@me``, and
for each server the bot serves ``GET /users/@me/guilds/{id}/member`` (scope
``guilds.members.read``: the member's role ids; 404 when they are not in it).
Slack (OpenID Connect): ``POST /api/openid.connect.token``; the ``id_token`` is checked against
Slack's keys (``/openid/connect/keys``: signature, issuer, audience, expiry, nonce) and
``openid.connect.userInfo`` must name the same person. Tokens live only in this function's
locals: never stored, never logged (a failure says which step and the provider's error code).
"""

from __future__ import annotations

import asyncio
import base64
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp

DISCORD_API = "/api/v10"
SLACK_USER = "https://slack.com/user_id"
SLACK_TEAM = "https://slack.com/team_id"
MAX_SERVERS = 50  # Discord member look-ups per sign-in (each one is a call on the person's token)
TIMEOUT = aiohttp.ClientTimeout(total=20)
RATE_LIMIT_WAIT = 5.0  # seconds one sign-in may spend waiting out Discord's rate limit


class OAuthFailed(Exception):
    """The provider would not confirm who this is; ``str()`` is safe to log (no token in it)."""


@dataclass
class Identity:
    platform: str
    user_id: str
    name: str | None = None
    memberships: dict[str, list[str]] = field(default_factory=dict)  # server id -> role ids


async def _json(response: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        data = await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return {}
    return data if isinstance(data, dict) else {}


def _why(data: dict[str, Any]) -> str:
    """The provider's error code, kept short (never anything the request carried)."""
    return code_text(data.get("error") or data.get("message") or "no reason given")


def code_text(value: Any) -> str:
    """An error code from outside, safe for a log line or a page: letters, digits, ``_.:- `` only."""
    return re.sub(r"[^A-Za-z0-9_.:\- ]", "", str(value))[:80] or "?"


def _basic(provider: Any) -> dict[str, str]:
    """client_secret_basic (RFC 6749 2.3.1: each part form-encoded, then base64)."""
    pair = f"{quote(provider.client_id, safe='')}:{quote(provider.client_secret, safe='')}"
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}


async def discord_identity(provider: Any, code: str, verifier: str, redirect_uri: str,
                           servers: list[str]) -> Identity:
    api = provider.base + DISCORD_API
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "code_verifier": verifier}
        async with http.post(f"{api}/oauth2/token", data=form, headers=_basic(provider)) as response:
            token = await _json(response)
            if response.status != 200 or not token.get("access_token"):
                raise OAuthFailed(f"token exchange refused (HTTP {response.status}, {_why(token)})")
        granted = set(str(token.get("scope", "")).split())
        if "guilds.members.read" not in granted:
            raise OAuthFailed("the guilds.members.read scope was not granted")
        bearer = {"Authorization": f"Bearer {token['access_token']}"}
        async with http.get(f"{api}/users/@me", headers=bearer) as response:
            user = await _json(response)
            if response.status != 200 or not user.get("id"):
                raise OAuthFailed(f"users/@me refused (HTTP {response.status}, {_why(user)})")
        identity = Identity("discord", str(user["id"]), user.get("global_name") or user.get("username"))
        waited = 0.0
        for server in servers[:MAX_SERVERS]:
            while True:
                async with http.get(f"{api}/users/@me/guilds/{server}/member", headers=bearer) as response:
                    member = await _json(response)
                if response.status != 429:
                    break
                pause = min(float(member.get("retry_after") or 1.0), RATE_LIMIT_WAIT)
                if waited + pause > RATE_LIMIT_WAIT:
                    raise OAuthFailed("guild member look-ups rate limited (HTTP 429)")
                waited += pause
                await asyncio.sleep(pause)  # Discord says how long: wait that, within a budget
            if response.status in (403, 404):  # not in that server (Unknown Guild)
                continue
            if response.status != 200:
                raise OAuthFailed(f"guild member look-up refused (HTTP {response.status}, {_why(member)})")
            identity.memberships[server] = [str(r) for r in member.get("roles") or []]
            identity.name = member.get("nick") or identity.name
        return identity


async def slack_identity(provider: Any, code: str, verifier: str, nonce: str, redirect_uri: str) -> Identity:
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "client_id": provider.client_id, "client_secret": provider.client_secret,
                "code_verifier": verifier}
        async with http.post(f"{provider.base}/api/openid.connect.token", data=form) as response:
            token = await _json(response)
            if response.status != 200 or not token.get("ok") or not token.get("id_token"):
                raise OAuthFailed(f"openid.connect.token refused (HTTP {response.status}, {_why(token)})")
        async with http.get(f"{provider.base}/openid/connect/keys") as response:
            keys = await _json(response)
            if response.status != 200 or not keys.get("keys"):
                raise OAuthFailed(f"could not read the signing keys (HTTP {response.status})")
        try:
            decoded = jwt.decode(token["id_token"], KeySet.import_key_set(keys), algorithms=["RS256"])  # type: ignore[arg-type]
            jwt.JWTClaimsRegistry(leeway=60, iss={"essential": True, "value": provider.issuer},
                                  aud={"essential": True, "value": provider.client_id},
                                  nonce={"essential": True, "value": nonce}, exp={"essential": True},
                                  sub={"essential": True}).validate(decoded.claims)
        except (JoseError, ValueError, TypeError) as error:
            raise OAuthFailed(f"the id_token did not check out ({type(error).__name__})") from None
        claims = decoded.claims
        bearer = {"Authorization": f"Bearer {token.get('access_token', '')}"}
        async with http.post(f"{provider.base}/api/openid.connect.userInfo", headers=bearer) as response:
            info = await _json(response)
            if response.status != 200 or not info.get("ok"):
                raise OAuthFailed(f"openid.connect.userInfo refused (HTTP {response.status}, {_why(info)})")
        if info.get("sub") != claims.get("sub"):
            raise OAuthFailed("userInfo names someone else than the id_token")
        user, team = claims.get(SLACK_USER), claims.get(SLACK_TEAM)
        if not user or not team:
            raise OAuthFailed("the id_token names no Slack user or workspace")
        return Identity("slack", str(user), info.get("name") or claims.get("name"), {str(team): []})
