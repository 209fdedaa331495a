"""The inbox's group commit on SQLite, through the transaction's DB-API cursor (bot/inbox.py).

The same rows and claims as the SQLAlchemy path (bot/claims.py's columns; datetimes through
SQLAlchemy's own processor, so stored alike) without SQLAlchemy's executemany + RETURNING,
which cost the ack path 150-400 µs a transaction.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from typing import Any, Callable

from .events import utcnow
from .models import InboxEntry

log = logging.getLogger(__name__)
TABLE = InboxEntry.__table__
Claim = tuple[str, Any]  # (key, due time) in the schedule_claim table (bot/claims.py)

# No RETURNING: on SQLite it costs each statement a buffered result (raw sqlite3, WAL, 20 requests a
# transaction: 60 -> 38 µs CPU a request); the inbox thread's own connection answers the same with
# rowcount (0: the claim was held, only the unique (key, due_at) can conflict) and lastrowid.
_SQLITE_CLAIM = "INSERT OR IGNORE INTO schedule_claim (key, due_at, claimed_at, claimed_by) VALUES (?, ?, ?, ?)"
_SQLITE_ROW = "INSERT INTO inbox (platform, kind, owner, received_at, payload) VALUES (?, ?, ?, ?, ?)"


def insert_sqlite(cursor: Any, dialect: Any, batch: list[tuple[dict[str, Any], Claim | None]],
                  identity: str) -> list[int | None]:
    """One batch's claims and rows in the open transaction; each row's id, None where its claim was taken."""
    stamp = _datetime_processor(dialect)
    ids: list[int | None] = []
    now = stamp(utcnow()) if any(claim is not None for _, claim in batch) else None
    for row, claim in batch:
        if claim is not None and cursor.execute(_SQLITE_CLAIM, (claim[0], stamp(claim[1]), now,
                                                                identity)).rowcount != 1:
            ids.append(None)  # someone holds the claim: a replay, nothing stored
            continue
        cursor.execute(_SQLITE_ROW, (row["platform"], row["kind"], row["owner"], stamp(row["received_at"]),
                                     row["payload"]))
        ids.append(int(cursor.lastrowid))
    return ids


_PROCESSORS: dict[tuple[str, str], Callable[[Any], Any]] = {}


def _datetime_processor(dialect: Any) -> Callable[[Any], Any]:
    """How SQLAlchemy stores the inbox's and the claims' datetimes (one type: sqlmodel's UTCDateTime,
    on SQLite a naive-UTC ISO text), taken once per dialect."""
    key = (dialect.name, type(TABLE.c.received_at.type).__name__)
    processor = _PROCESSORS.get(key)
    if processor is None:
        bind = TABLE.c.received_at.type.dialect_impl(dialect).bind_processor(dialect)
        processor = _PROCESSORS[key] = bind if bind is not None else (lambda value: value)
    return processor




class HereWriter:
    """The inbox's group commit on the event loop's own thread, when it cannot wait: this process's
    write lock is taken without blocking and the connection's busy timeout is 0, so a database
    another writer holds (a cog's transaction, the participation writer, another process) answers
    None at once and the batch goes to the inbox thread instead. The connection never checkpoints
    the WAL (``wal_autocheckpoint=0``: a checkpoint writes and syncs pages, no work for the loop);
    the other connections' commits do."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self._conn: Any = None

    def write(self, batch: list[tuple[dict[str, Any], Claim | None]], identity: str) -> list[int | None] | None:
        lock = self.db.write_lock()
        if not lock.acquire(blocking=False):
            return None
        try:
            conn = self._connection()
            cursor = conn.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:  # locked by another process: the thread waits for it
                return None
            try:
                ids = insert_sqlite(cursor, self.db.engine.dialect, batch, identity)
                cursor.execute("COMMIT")
                return ids
            except BaseException:
                with contextlib.suppress(Exception):
                    conn.rollback()
                raise
            finally:
                cursor.close()
        except Exception as error:  # the thread's path stores it or says why
            log.debug("inbox: committing on the loop failed (%r); the inbox thread takes the batch", error)
            self.close()
            return None
        finally:
            lock.release()

    def _connection(self) -> Any:
        if self._conn is None:
            conn = self.db.engine.raw_connection()  # the engine's pragmas (WAL, foreign keys), autocommit
            try:
                conn.driver_connection.execute("PRAGMA busy_timeout=0")
                conn.driver_connection.execute("PRAGMA wal_autocheckpoint=0")
            except BaseException:
                conn.invalidate()
                raise
            self._conn = conn
        return self._conn.driver_connection

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.invalidate()  # not back to the pool: its pragmas differ from the others'
