"""The dashboard's tables: one-time sign-in links and server-side sessions.

Only hashes of the secrets are stored, so a leaked database row cannot be replayed as a
cookie or a link. No foreign key to ``member``: a member who is forgotten leaves rows that
no longer resolve to anyone, which is the same as signed out.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class DashboardLink(SQLModel, table=True):
    __tablename__ = "dashboard_link"

    token_hash: str = Field(primary_key=True, max_length=64)
    community_id: int = Field(index=True)
    member_id: int
    access: int  # bot.Access at the time /dashboard was used
    expires_at: datetime
    used_at: datetime | None = None


class DashboardSession(SQLModel, table=True):
    __tablename__ = "dashboard_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    community_id: int = Field(index=True)
    member_id: int
    access: int
    csrf: str = Field(max_length=64)
    created_at: datetime
    expires_at: datetime


from .oauth_models import DashboardOAuthState  # noqa: E402,F401  "Sign in with Discord / Slack" (oauth.py)
