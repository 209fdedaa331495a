"""Privacy is the core's: opt-out marks, "forget" across every loaded cog, salted tombstones.

``forget`` runs every loaded cog's ``delete_member_data(session, community_id, member_id)``
and deletes the member row in ONE transaction: if any cog's hook fails, nothing at all is
erased (SQLite and PostgreSQL alike). Cogs flush their buffers first (``before_forget``)
and may act afterwards (``after_forget``, e.g. promote a waitlist).

A tombstone is sha256(salt + external id), the salt random per installation (``bot_state``):
a member who comes back after "forget" starts opted out instead of being tracked anew, and
the table holds nothing a lookup of known ids could reverse without the database itself.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlmodel import Session, select

from .errors import UserError
from .events import utcnow
from .models import BotState, ErasedMember, Member

if TYPE_CHECKING:
    from .cog import Cog

log = logging.getLogger(__name__)
SALT_KEY = "privacy:erase-salt"
ERASED = ErasedMember.__table__


class Tombstones:
    """Which (community, external id) were erased, in memory; the table is the truth."""

    def __init__(self) -> None:
        self.salt = ""
        self.erased: dict[int, set[str]] = {}
        self.checked: set[int] = set()  # member ids already known not to be erased (this process)

    async def load(self, db: Any) -> None:
        self.salt = await db.run(_load_salt)
        self.erased = await db.read(_load_erased)

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


def _load_salt(session: Session) -> str:
    row = session.get(BotState, SALT_KEY)
    if row is None:
        row = BotState(key=SALT_KEY, value=secrets.token_hex(16), updated_at=utcnow())
        session.add(row)
        session.flush()
    return row.value


def _load_erased(session: Session) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for row in session.exec(select(ErasedMember)).all():
        out.setdefault(row.community_id, set()).add(row.external_hash)
    return out


# --- which tables hold member data, and whose hook covers them --------------------------------
def member_tables(cog: type["Cog"]) -> list[str]:
    """Tables defined in the cog's own code (``bot.ownership``) that reference a member (a
    foreign key to member.id or a ``member_id`` column)."""
    from .ownership import cog_tables

    return [table.name for table in cog_tables(cog)
            if any(fk.column.table.name == "member" for fk in table.foreign_keys) or "member_id" in table.c]


def check_erase_hook(cog: "Cog") -> None:
    """Load-time check: a cog with member tables must override ``delete_member_data`` with the
    synchronous, in-transaction form. Raises TypeError naming what is missing."""
    from .cog import Cog

    hook = type(cog).delete_member_data
    tables = member_tables(type(cog))
    if inspect.iscoroutinefunction(hook):
        raise TypeError(f"{type(cog).__name__}.delete_member_data must be a plain def (session, community_id, "
                        "member_id) -> int: it runs inside the core's one erase transaction")
    if tables and hook is Cog.delete_member_data:
        raise TypeError(f"{type(cog).__name__} keeps member data in {', '.join(tables)} but does not erase it: "
                        "override delete_member_data(session, community_id, member_id)")


class Privacy:
    """The app's privacy service: tombstones, screening returning members, forget."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.tombstones = Tombstones()
        self.eraser = Eraser(app, self.tombstones)

    async def load(self) -> None:
        await self.tombstones.load(self.app.db)

    async def screen(self, member: Member) -> Member:
        """Once per member per process: an erased member who came back starts opted out."""
        if member.id is None or member.id in self.tombstones.checked:
            return member
        if not member.opted_out and self.tombstones.is_erased(member.community_id, member.external_id):
            member = await self.app.db.run(set_opted_out, member.id, True, member.community_id, None)
            self.app.directory.refresh(member)
        self.tombstones.checked.add(member.id)  # type: ignore[arg-type]
        return member

    async def opt(self, member: Member, out: bool) -> Member:
        """Opt out (nothing deleted) or back in (which also clears an earlier forget's mark)."""
        assert member.id is not None
        erased = None if out else self.tombstones.discard(member.community_id, member.external_id)
        member = await self.app.db.run(set_opted_out, member.id, out, member.community_id, erased)
        self.app.directory.refresh(member)
        return member

    async def forget(self, member: Member) -> Erased:
        return await self.eraser.forget(member.community_id, member)


# --- forget ------------------------------------------------------------------------------------
@dataclass
class Erased:
    per_cog: dict[str, int] = field(default_factory=dict)  # cog name -> rows removed


class Eraser:
    """Runs "forget" for one member across every loaded cog, all or nothing."""

    def __init__(self, app: Any, tombstones: Tombstones) -> None:
        self.app = app
        self.tombstones = tombstones

    async def forget(self, community_id: int, member: Member) -> Erased:
        assert member.id is not None
        cogs = list(self.app.cogs.items())
        for name, cog in cogs:
            await cog.before_forget(community_id, member.id)
        digest = self.tombstones.digest(member.external_id)
        erased = await self.app.db.run(_erase_all, cogs, community_id, member.id, digest)
        self.tombstones.add(community_id, member.external_id)
        self.tombstones.checked.discard(member.id)
        self.app.directory.forget(community_id, member.external_id)
        for name, cog in cogs:
            try:
                await cog.after_forget(community_id, member.id)
            except Exception:  # the erase is committed; a follow-up failing must not hide that
                log.exception("cog %s failed after erasing member %s", name, member.id)
        return erased


def _erase_all(session: Session, cogs: list[tuple[str, "Cog"]], community_id: int, member_id: int,
               digest: str) -> Erased:
    """One transaction (``db.run``): every cog's rows, the tombstone, the member row."""
    out = Erased()
    for name, cog in cogs:
        try:
            out.per_cog[name] = int(cog.delete_member_data(session, community_id, member_id) or 0)
        except Exception as error:
            log.exception("cog %s failed to erase member %s; nothing was erased", name, member_id)
            raise UserError(f"erasing your {name} data failed, so nothing was erased — please try again "
                            "later or ask an instructor") from error
    if session.get(ErasedMember, (community_id, digest)) is None:
        session.add(ErasedMember(community_id=community_id, external_hash=digest))
    session.execute(delete(Member.__table__).where(Member.__table__.c.id == member_id))
    session.flush()
    return out


def set_opted_out(session: Session, member_id: int, value: bool, community_id: int,
                  erased_hash: str | None) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise UserError("I don't have a record of you yet")
    member.opted_out = value
    session.add(member)
    if erased_hash is not None:  # opting back in clears an earlier "forget" mark
        session.execute(delete(ERASED).where(ERASED.c.community_id == community_id,
                                             ERASED.c.external_hash == erased_hash))
    session.flush()
    session.refresh(member)
    return member
