"""Who was erased ("forget"): salted hashes, so a member who comes back starts opted out.

The hash is sha256(salt + external id); the salt is random per installation (kept in
``bot_state``), so the table holds no member id, no external id and nothing a lookup table
of known ids could reverse without the database itself. Both cogs of this package share one
``Tombstones`` (the tracker checks it before the first event of each member it sees).
"""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select

from bot.events import utcnow
from bot.models import BotState

from .models import ErasedMember

SALT_KEY = "participation:erase-salt"


def load_salt(session: Session) -> str:
    row = session.get(BotState, SALT_KEY)
    if row is None:
        row = BotState(key=SALT_KEY, value=secrets.token_hex(16), updated_at=utcnow())
        session.add(row)
        session.flush()
    return row.value


def load_erased(session: Session) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for row in session.exec(select(ErasedMember)).all():
        out.setdefault(row.community_id, set()).add(row.external_hash)
    return out


class Tombstones:
    def __init__(self) -> None:
        self.salt = ""
        self.erased: dict[int, set[str]] = {}
        self.checked: set[int] = set()  # member ids already known not to be erased

    async def load(self, db: object) -> None:
        self.salt = await db.run(load_salt)  # type: ignore[attr-defined]
        self.erased = await db.read(load_erased)  # type: ignore[attr-defined]

    def digest(self, external_id: str) -> str:
        return hashlib.sha256(f"{self.salt}:{external_id}".encode()).hexdigest()

    def is_erased(self, community_id: int, external_id: str) -> bool:
        return self.digest(external_id) in self.erased.get(community_id, ())

    def add(self, community_id: int, external_id: str) -> str:
        value = self.digest(external_id)
        self.erased.setdefault(community_id, set()).add(value)
        return value

    def discard(self, community_id: int, external_id: str) -> str:
        value = self.digest(external_id)
        self.erased.get(community_id, set()).discard(value)
        return value
