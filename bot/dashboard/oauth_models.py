"""The one table "Sign in with Discord / Slack" needs: sign-ins under way (bot/dashboard/oauth.py).

A row lives from the click on "Sign in with ..." to the provider's redirect back (10 minutes at
most) and is deleted when that redirect uses it. Only hashes of the state and of the browser's
binding cookie are kept; the PKCE verifier and the OIDC nonce are single-use values that mean
nothing once the row is gone.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class DashboardOAuthState(SQLModel, table=True):
    __tablename__ = "dashboard_oauth_state"

    state_hash: str = Field(primary_key=True, max_length=64)  # sha256 of the state parameter
    provider: str = Field(max_length=16)  # "discord" or "slack"
    browser_hash: str = Field(max_length=64)  # sha256 of the cookie set in the browser that started
    code_verifier: str = Field(max_length=128)  # PKCE (RFC 7636)
    nonce: str = Field(max_length=64)  # OpenID Connect: must come back inside the id_token
    expires_at: datetime = Field(index=True)
