"""Firing claims, group-committed: every claim asked for while a transaction is in flight goes
into the next one.

A claim is one (schedule key, due time) row in ``schedule_claim``; whoever inserts it first runs
the firing. One transaction per claim made replicas pay twice: at 500 firings a second each of
two processes queued a transaction per firing on a pool of four connections, and the queue
outgrew the timers' grace (seconds late, firings skipped). Claims due together now share one
commit, each still its own insert (a conflict answers only that claim).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert
from sqlalchemy.exc import IntegrityError

from .events import utcnow
from .models import ScheduleClaim

if TYPE_CHECKING:
    from .storage import Database

BATCH = 500  # claims per transaction at most


_TABLE = ScheduleClaim.__table__
_ON_CONFLICT: dict[str, Any] = {}  # dialect -> the insert statement, built once (executed with each claim's values)


def _on_conflict_insert(dialect: str) -> Any:
    statement = _ON_CONFLICT.get(dialect)
    if statement is None:  # the dialect's module on first use: PostgreSQL's costs a SQLite start ~50 ms
        if dialect == "postgresql":
            from sqlalchemy.dialects import postgresql as module
        else:
            from sqlalchemy.dialects import sqlite as module
        statement = _ON_CONFLICT[dialect] = module.insert(_TABLE).on_conflict_do_nothing(
            index_elements=["key", "due_at"]).returning(_TABLE.c.id)
    return statement


def claim_rows(conn: Connection, claims: list[tuple[str, datetime]], identity: str) -> list[bool]:
    """Insert each claim in this connection's transaction; for each, whether this process got it."""
    dialect = conn.dialect.name
    rows = [{"key": key, "due_at": due_at, "claimed_by": identity, "claimed_at": utcnow()} for key, due_at in claims]
    if dialect in ("postgresql", "sqlite"):
        # Losing the race is the common case with replicas: a no-op insert, not an error and
        # a rollback (which cost the loser more than the winner paid to claim).
        statement = _on_conflict_insert(dialect)
        return [conn.execute(statement, row).first() is not None for row in rows]
    won = []
    for row in rows:
        try:
            with conn.begin_nested():  # other databases: the conflict undoes this claim only
                conn.execute(insert(_TABLE), row)
            won.append(True)
        except IntegrityError:
            won.append(False)
    return won


def insert_claims(session: Any, claims: list[tuple[str, datetime]], identity: str) -> list[bool]:
    """Insert each claim in this session's transaction; for each, whether this process got it."""
    return claim_rows(session.connection(), claims, identity)


class ClaimBatcher:
    def __init__(self, db: "Database", identity: str) -> None:
        self.db = db
        self.identity = identity
        self._waiting: list[tuple[str, datetime, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def claim(self, key: str, due_at: datetime) -> bool:
        """True when this process inserted the claim; raises what the database raised (e.g.
        ``TemporarilyUnavailable``) for every claim of a failed transaction."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((key, due_at, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write())
        return await future

    async def _write(self) -> None:
        await asyncio.sleep(0)  # firings handed out in the same tick join this transaction
        while self._waiting:
            batch, self._waiting = self._waiting[:BATCH], self._waiting[BATCH:]
            try:
                won = await self.db.run(insert_claims, [(k, d) for k, d, _ in batch], self.identity)
            except asyncio.CancelledError:
                for _, _, future in [*batch, *self._waiting]:
                    future.cancel()
                raise
            except Exception as error:  # handed to every claim of this transaction
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, _, future), got in zip(batch, won):
                if not future.done():
                    future.set_result(got)
