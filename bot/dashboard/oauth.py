"""'Sign in with Discord' (OAuth2: identify + guilds.members.read) and 'Sign in with Slack'
(OpenID Connect): which providers are configured, and the sign-ins under way.

A sign-in starts with a random ``state`` (the CSRF token of the redirect), a PKCE verifier
(RFC 7636, S256) and, for Slack, an OIDC nonce. The database keeps sha256(state) with the
verifier, the nonce, an expiry (10 minutes) and sha256 of a cookie set in the browser that
started: the provider's redirect back is accepted once, from that browser, before it expires.
Claiming deletes the row in the same transaction that reads it, so two redirects carrying the
same state (or two processes) cannot both win.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import delete
from sqlmodel import Session

from .oauth_models import DashboardOAuthState
from .tokens import digest

STATE_TTL = timedelta(minutes=10)
BROWSER_COOKIE = "cohort_oauth"
CALLBACK = "/dashboard/oauth/{name}/callback"


@dataclass(frozen=True)
class Provider:
    name: str  # "discord" or "slack": also the platform of the communities it signs in to
    label: str  # the button: "Sign in with Discord"
    client_id: str
    client_secret: str
    base: str  # https://discord.com, https://slack.com, or a fake's URL in tests
    authorize_path: str
    scopes: tuple[str, ...]

    @property
    def authorize_url(self) -> str:
        return self.base + self.authorize_path

    @property
    def issuer(self) -> str:
        """Who signs the id_token (Slack) / names itself in ``iss`` on the redirect (RFC 9207)."""
        return self.base

    def redirect_uri(self, dashboard_base: str) -> str:
        return dashboard_base.rstrip("/") + CALLBACK.format(name=self.name)

    def authorization(self, dashboard_base: str, state: str, verifier: str, nonce: str,
                      team: str | None = None) -> str:
        """Where the browser goes to ask the person's consent (``team``: the one Slack workspace the
        bot serves, so Slack asks for that one)."""
        from authlib.oauth2.rfc7636 import create_s256_code_challenge  # only when someone signs in
        query = {"response_type": "code", "client_id": self.client_id, "scope": " ".join(self.scopes),
                 "redirect_uri": self.redirect_uri(dashboard_base), "state": state,
                 "code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"}
        if self.name == "discord":
            query["prompt"] = "none"  # asked once; later sign-ins skip the consent screen
        else:
            query["nonce"] = nonce
            if team:
                query["team"] = team
        return f"{self.authorize_url}?{urlencode(query)}"


def _secret(value: Any) -> str:
    if value is None:
        return ""
    return (value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)).strip()


def providers(settings: Any) -> dict[str, Provider]:
    """The configured providers, by name: each needs its client id and secret."""
    found: dict[str, Provider] = {}
    discord_id = str(getattr(settings, "discord_client_id", None) or "").strip()
    discord_secret = _secret(getattr(settings, "discord_client_secret", None))
    if discord_id and discord_secret:
        base = (getattr(settings, "discord_oauth_url", None) or "https://discord.com").rstrip("/")
        found["discord"] = Provider("discord", "Sign in with Discord", discord_id, discord_secret, base,
                                    "/oauth2/authorize", ("identify", "guilds.members.read"))
    slack_id = str(getattr(settings, "slack_client_id", None) or "").strip()
    slack_secret = _secret(getattr(settings, "slack_client_secret", None))
    if slack_id and slack_secret:
        base = (getattr(settings, "slack_oauth_url", None) or "https://slack.com").rstrip("/")
        found["slack"] = Provider("slack", "Sign in with Slack", slack_id, slack_secret, base,
                                  "/openid/connect/authorize", ("openid", "profile"))
    return found


@dataclass(frozen=True)
class Started:
    state: str
    verifier: str
    nonce: str
    browser: str  # the cookie value binding this sign-in to the browser


def begin(session: Session, provider: str, browser: str | None, now: datetime) -> Started:
    """A new sign-in under way (the browser's existing binding cookie is reused: two tabs work)."""
    started = Started(state=secrets.token_urlsafe(32), verifier=secrets.token_urlsafe(48),
                      nonce=secrets.token_urlsafe(24), browser=browser or secrets.token_urlsafe(32))
    session.execute(delete(DashboardOAuthState).where(DashboardOAuthState.expires_at <= now))
    session.add(DashboardOAuthState(state_hash=digest(started.state), provider=provider,
                                    browser_hash=digest(started.browser), code_verifier=started.verifier,
                                    nonce=started.nonce, expires_at=now + STATE_TTL))
    return started


@dataclass(frozen=True)
class Claimed:
    verifier: str
    nonce: str


def claim(session: Session, provider: str, state: str, browser: str, now: datetime) -> Claimed | str:
    """Use a sign-in's state once: its verifier and nonce, or why not (a sentence for the page)."""
    row = session.get(DashboardOAuthState, digest(state)) if state else None
    if row is None or row.provider != provider:
        return "This sign-in is not valid or was already used. Start again from the sign-in page."
    gone = session.execute(delete(DashboardOAuthState).where(DashboardOAuthState.state_hash == row.state_hash))
    if gone.rowcount != 1:  # another request took it between our read and our delete
        return "This sign-in is not valid or was already used. Start again from the sign-in page."
    if _aware(row.expires_at) <= now:
        return "This sign-in took too long (over 10 minutes). Start again from the sign-in page."
    if not browser or not secrets.compare_digest(digest(browser), row.browser_hash):
        return "This sign-in was started in another browser. Start again from the sign-in page here."
    return Claimed(verifier=row.code_verifier, nonce=row.nonce)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
