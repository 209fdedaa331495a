"""Sign-in links and sessions: what is random, what is signed, what is stored.

A link carries ``<nonce>.<hmac(secret, nonce)>``: a forged or truncated one is refused before
the database is asked. The database keeps sha256(nonce), who it is for and when it expires;
redeeming marks it used in the same UPDATE that checks it is unused and unexpired, so two
clicks (or two processes) cannot both win. A session cookie is another random value whose
sha256 is the session row's key, with a CSRF token for the forms of that session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session

from ..models import BotState
from .models import DashboardLink, DashboardSession

LINK_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=12)
SECRET_KEY = "dashboard_secret"


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def sign(secret: str, nonce: str) -> str:
    return hmac.new(secret.encode(), nonce.encode(), hashlib.sha256).hexdigest()[:32]


def signed_nonce(secret: str, token: str) -> str | None:
    """The nonce of a well-signed link token, else None."""
    nonce, _, signature = token.partition(".")
    if not nonce or not signature or not hmac.compare_digest(sign(secret, nonce).encode(), signature.encode()):
        return None
    return nonce


def stored_secret(session: Session) -> str:
    """The database's signing secret, made once (the first process to ask writes it)."""
    row = session.get(BotState, SECRET_KEY)
    if row is None:
        row = BotState(key=SECRET_KEY, value=secrets.token_urlsafe(32))
        session.add(row)
        session.flush()
    return row.value


def issue_link(session: Session, secret: str, community_id: int, member_id: int, access: int,
               now: datetime) -> str:
    nonce = secrets.token_urlsafe(24)
    session.add(DashboardLink(token_hash=digest(nonce), community_id=community_id, member_id=member_id,
                              access=access, expires_at=now + LINK_TTL))
    return f"{nonce}.{sign(secret, nonce)}"


@dataclass(frozen=True)
class Signin:
    cookie: str  # the raw session id, only ever in the browser's cookie
    session: DashboardSession


def redeem_link(session: Session, nonce: str, now: datetime) -> Signin | None:
    """Use a link once: a new session for its member, or None (unknown, used or expired)."""
    key = digest(nonce)
    claimed = session.execute(update(DashboardLink)
                              .where(DashboardLink.token_hash == key, DashboardLink.used_at.is_(None),
                                     DashboardLink.expires_at > now)
                              .values(used_at=now))
    if claimed.rowcount != 1:
        return None
    link = session.get(DashboardLink, key)
    assert link is not None
    cookie = secrets.token_urlsafe(32)
    row = DashboardSession(token_hash=digest(cookie), community_id=link.community_id, member_id=link.member_id,
                           access=link.access, csrf=secrets.token_urlsafe(24), created_at=now,
                           expires_at=now + SESSION_TTL)
    session.add(row)
    session.execute(delete(DashboardSession).where(DashboardSession.expires_at <= now))
    session.execute(delete(DashboardLink).where(DashboardLink.expires_at <= now - LINK_TTL))
    return Signin(cookie, row)


def session_of(session: Session, cookie: str, now: datetime) -> DashboardSession | None:
    row = session.get(DashboardSession, digest(cookie))
    if row is None or _aware(row.expires_at) <= now:
        return None
    return row


def end_session(session: Session, cookie: str) -> None:
    session.execute(delete(DashboardSession).where(DashboardSession.token_hash == digest(cookie)))


def _aware(moment: datetime) -> datetime:
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
