"""The inbox: every request accepted from a platform is in the database before it is acknowledged.

Slack never retries a request it got a 200 for, and a Discord interaction that was answered is
not sent again: a process killed between the acknowledgement and the end of the handling used to
lose the request (a vote confirmed on screen, never stored). Now an adapter calls ``accept`` (one
small insert) before acknowledging — or ``submit``, which queues the row and returns at once, and
awaits ``Receipt.stored()`` just before the acknowledgement, so the insert runs while the request
is handled — handles the request, then calls ``finished``; finished rows
are deleted in batches about once a second (a crash in that second hands a request to the next
start again, which the handlers take idempotently: a vote is recorded once per voter, an event
once per event id). An insert slower than its budget (the platforms' 3-second deadline comes
first) lets the acknowledgement go out before the row is written: counted in ``late``.

A request may come with a claim (a unique key, e.g. a Slack signature: taken once across every
process): the claim and the row are written in the same transaction, so refusing a replay costs
the acknowledgement no second write. A claim someone already holds stores nothing: the receipt
says ``duplicate``.

At start, and every minute, ``unfinished`` hands an adapter the rows of processes that died:
same host and the pid is gone (or is us now), or another host and older than ``FOREIGN_AFTER``
(that worker had ample time to finish). Each row is claimed by updating its owner, so two
processes never both replay it. Rows older than the platform's follow-up window (Slack's
response_url: 30 min, Discord's interaction token: 15 min) are dropped with one log line.

A payload is what the platform sent — who clicked ``poll:vote:<poll>:<option>``, a message's
text — so it is sealed (bot/sealing.py) under the deployment's key before it is written: a
database reader (a dump, the SQLite WAL, PostgreSQL's dead row versions of deleted rows) would
otherwise link an anonymous voter to their choice. A row that cannot be opened any more (the key
changed) is dropped with one log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import delete, insert, select, update

from .claims import claim_rows
from .clock import Clock
from .inbox_owners import FOREIGN_AFTER, make_owner, owner_is_gone  # noqa: F401 (FOREIGN_AFTER: re-exported)
from .inbox_sqlite import HereWriter, insert_sqlite
from .models import InboxEntry
from .sealing import TextSeal

log = logging.getLogger(__name__)

TABLE = InboxEntry.__table__
FLUSH_EVERY = 1.0  # seconds between batched deletes of finished rows
ACCEPT_BUDGET = 2.0  # seconds an insert may hold up an acknowledgement (deadline: 3 s)


Claim = tuple[str, datetime]  # (key, due time) in the schedule_claim table (bot/claims.py)
# a queued request: its row, its claim, the insert's future (row id) and its acknowledgement's
Waiting = tuple[dict[str, Any], "Claim | None", "asyncio.Future[int | None]", "asyncio.Future[None]"]
# one encoder for every payload: json.dumps with options builds a new JSONEncoder per call
_ENCODER = json.JSONEncoder(separators=(",", ":"), default=str)


class Receipt:
    """An accepted request's inbox row: ``task`` is the insert (its row id; None: claimed before), and
    ``ready`` resolves once the row is stored or the request's time budget ran out, whichever is first."""

    def __init__(self, task: "asyncio.Future[int | None]", ready: "asyncio.Future[None] | None" = None) -> None:
        self.task = task
        self.ready = ready if ready is not None else task
        self.taken = False  # a handler took the request on (whoever accepted it finishes it otherwise)

    async def stored(self) -> None:
        """Until the row is stored (or the budget ran out: handled meanwhile); raises what the insert raised.
        Awaits the request's own ``ready`` future (no asyncio.wait): a cancelled waiter cancels only it."""
        if not self.ready.done():
            await self.ready
        task = self.task
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]

    def entry_id(self) -> int | None:
        if not self.task.done() or self.task.cancelled() or self.task.exception() is not None:
            return None
        return self.task.result()

    @property
    def duplicate(self) -> bool:
        """Its claim was already taken (by this process or another): nothing was stored."""
        return self.task.done() and not self.task.cancelled() and self.task.exception() is None \
            and self.task.result() is None


@dataclass(frozen=True)
class Unfinished:
    id: int
    kind: str
    received_at: datetime
    payload: dict[str, Any]


class Inbox:
    def __init__(self, db: Any, clock: Clock, *, key: Callable[[], bytes] | None = None) -> None:
        self.db = db
        self.clock = clock
        self._key = key  # the deployment's sealing key, read when the first request comes
        self._sealer: TextSeal | None = None
        self.owner = make_owner()
        self.accepted = 0
        self.replayed = 0
        self.late = 0  # requests acknowledged before their row was stored (the insert exceeded its budget)
        self._late_logged = float("-inf")
        self._finished: set[int] = set()
        self._flusher: asyncio.Task[None] | None = None
        self._waiting: list[Waiting] = []  # submitted, dispatched at the loop's next turn
        self._dispatching = False
        self._queued: list[tuple[list[Waiting], asyncio.TimerHandle]] = []  # for the thread, with their deadlines
        self._inserter: asyncio.Task[None] | None = None
        self._here = HereWriter(db)  # SQLite: commits on the loop's thread when nobody else writes
        self.commits = 0  # transactions that stored requests (a metric; tests count group commits with it)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox")
        self._conn: Any = None  # SQLite: the inbox thread's own connection (see _sqlite_transaction)

    # -- the hot path ---------------------------------------------------------------------
    async def accept(self, platform: str, kind: str, payload: dict[str, Any], *,
                     budget: float = ACCEPT_BUDGET, claim: Claim | None = None) -> Receipt:
        """Store one request before it is acknowledged; hand the receipt to ``finished``.

        ``submit`` and then ``Receipt.stored``: waits until the row is in the database, at most
        ``budget`` seconds (the platforms' 3-second deadline comes first: a slower insert goes on and
        the request is handled meanwhile). Raises when the database refused it. With ``claim``, the
        row is stored only if the claim is ours (``Receipt.duplicate`` if not).
        """
        receipt = self.submit(platform, kind, payload, budget=budget, claim=claim)
        await receipt.stored()
        return receipt

    def submit(self, platform: str, kind: str, payload: dict[str, Any] | None = None, *, text: str | None = None,
               budget: float = ACCEPT_BUDGET, claim: Claim | None = None) -> Receipt:
        """Queue one request for the next group commit and return at once (no task, no await): the
        acknowledgement then awaits ``receipt.stored()``. ``text``: the payload as JSON text already
        (e.g. the gateway frame it was parsed from), which saves encoding it again.

        Requests submitted in the same turn of the loop are inserted in one transaction (a group
        commit): on SQLite right on the loop when no other writer holds the database (``_dispatch``),
        else on the inbox's own thread, so a burst does not queue behind the cogs' work on the
        database pool. There one timer per batch keeps the budget: when it runs out, the batch's
        requests are handled before their rows exist (counted in ``late``, logged once a minute)."""
        if text is None:
            text = _ENCODER.encode(payload)
        row = {"platform": platform, "kind": kind, "owner": self.owner, "received_at": self.clock.now(),
               "payload": self._seal(text)}
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int | None] = loop.create_future()
        ready: asyncio.Future[None] = loop.create_future()
        self._waiting.append((row, claim, future, ready))
        if not self._dispatching:  # the requests submitted until the loop's next turn go together
            self._dispatching = True
            loop.call_soon(self._dispatch, platform, kind, budget)
        return Receipt(future, ready)

    def _dispatch(self, platform: str, kind: str, budget: float) -> None:
        """The waiting batch: committed right here on SQLite when no other writer holds the database
        (a ~15 µs transaction; handing it to a thread and back cost the acknowledgement ~100 µs and a
        turn of the loop), else queued for the inbox's thread under the batch's time budget."""
        self._dispatching = False
        batch, self._waiting = self._waiting, []
        if not batch:
            return
        if self.db.is_sqlite:
            ids = self._here.write([(row, claim) for row, claim, _, _ in batch], self.owner[:100])
            if ids is not None:
                self.commits += 1
                self._resolve(batch, ids)
                return
        loop = asyncio.get_running_loop()
        timer = loop.call_later(budget, self._budget_ran_out, batch, platform, kind, budget)
        self._queued.append((batch, timer))
        if self._inserter is None or self._inserter.done():
            self._inserter = loop.create_task(self._insert_queued(), name="inbox-insert")

    def _resolve(self, batch: list[Waiting], ids: list[int | None]) -> None:
        for (_, _, future, ready), entry_id in zip(batch, ids):
            if entry_id is not None:
                self.accepted += 1
            if not future.done():
                future.set_result(entry_id)
            if not ready.done():
                ready.set_result(None)

    def _budget_ran_out(self, batch: list[Waiting], platform: str, kind: str, budget: float) -> None:
        """The platform's deadline wins: these requests are acknowledged before they are stored."""
        late = [ready for _, _, _, ready in batch if not ready.done()]
        for ready in late:
            ready.set_result(None)
        self.late += len(late)
        now = time.monotonic()
        if late and now - self._late_logged >= 60:
            self._late_logged = now
            log.warning("storing a %s %s took over %.1f s; handling it meanwhile (%d so far)", platform, kind,
                        budget, self.late)

    @property
    def sealer(self) -> TextSeal | None:
        if self._sealer is None and self._key is not None:
            self._sealer = TextSeal(self._key(), "inbox")
        return self._sealer

    def _seal(self, text: str) -> str:
        sealer = self.sealer
        return sealer.seal(text) if sealer is not None else text

    async def _insert_queued(self) -> None:
        """The inbox thread's group commits: every batch queued meanwhile goes in one transaction."""
        loop = asyncio.get_running_loop()
        while self._queued:
            queued, self._queued = self._queued, []
            batch = [waiting for part, _ in queued for waiting in part]
            try:
                ids = await loop.run_in_executor(self._thread, self._insert, [(row, claim) for row, claim, _, _ in batch])
            except Exception as error:
                for _, _, future, ready in batch:
                    if not future.done():
                        future.set_exception(error)
                    if not ready.done():
                        ready.set_result(None)
                continue
            finally:
                for _, timer in queued:
                    timer.cancel()
            self.commits += 1
            self._resolve(batch, ids)

    def _insert(self, batch: list[tuple[dict[str, Any], Claim | None]]) -> list[int | None]:
        """One transaction: the batch's claims, then the rows whose claim was won (or had none)."""
        if self.db.is_sqlite:
            with self.db.write_lock():
                return self._sqlite_transaction(batch)
        with self.db.write_lock(), self.db.engine.begin() as conn:
            claims = [claim for _, claim in batch if claim is not None]
            won = iter(claim_rows(conn, claims, self.owner[:100]) if claims else [])
            keep = [claim is None or next(won) for _, claim in batch]
            rows = [row for (row, _), kept in zip(batch, keep) if kept]
            # one executemany; RETURNING in the parameters' order (SQLite 3.35+, PostgreSQL)
            ids = iter(conn.execute(insert(TABLE).returning(TABLE.c.id, sort_by_parameter_order=True),
                                    rows).scalars() if rows else [])
            return [int(next(ids)) if kept else None for kept in keep]

    def _sqlite_transaction(self, batch: list[tuple[dict[str, Any], Claim | None]]) -> list[int | None]:
        """On the inbox thread's own connection (kept open): checking one out of the pool and returning
        it for each transaction cost ~40 µs more CPU than the two statements in it. Any failure rolls
        back and closes that connection; the next batch opens a fresh one."""
        if self._conn is None:
            self._conn = self.db.engine.connect()
        conn = self._conn
        dbapi = None
        try:
            # BEGIN/COMMIT said on the DB-API connection (autocommit mode: bot/storage.py leaves BEGIN to
            # us), as the engine's begin event says it for writes: SQLAlchemy's begin, its begin event's
            # statement and its commit cost ~100 µs CPU a transaction, more than the inserts in it
            dbapi = conn.connection.dbapi_connection
            cursor = dbapi.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
                ids = insert_sqlite(cursor, conn.dialect, batch, self.owner[:100])
                cursor.execute("COMMIT")
                return ids
            finally:
                cursor.close()
        except BaseException:
            if dbapi is not None:
                with contextlib.suppress(Exception):
                    dbapi.rollback()  # a no-op when no transaction is open
            self._close_conn()
            raise

    def _close_conn(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def finished(self, entry: Receipt | int | None) -> None:
        """The request was handled: its row goes with the next batched delete."""
        if isinstance(entry, Receipt):
            if not entry.task.done():  # the insert is still under way: delete the row once it exists
                entry.task.add_done_callback(lambda _: self.finished(entry))
                return
            entry = entry.entry_id()
        if entry is None:
            return
        self._finished.add(entry)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_soon(), name="inbox-flush")

    async def _flush_soon(self) -> None:
        await asyncio.sleep(FLUSH_EVERY)
        await self.flush()

    async def flush(self) -> None:
        ids, self._finished = self._finished, set()
        if not ids:
            return
        try:
            await asyncio.get_running_loop().run_in_executor(self._thread, self._delete, sorted(ids))
        except Exception:
            self._finished |= ids  # the database is away: try again with the next batch
            log.warning("could not clear %d finished inbox rows yet", len(ids))

    def _delete(self, ids: list[int]) -> None:
        with self.db.write_lock(), self.db.engine.begin() as conn:
            conn.execute(delete(TABLE).where(TABLE.c.id.in_(ids)))

    async def stop(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(BaseException):
                await self._flusher
            self._flusher = None
        if self._dispatching:
            await asyncio.sleep(0)  # the batch submitted last turn is dispatched
        if self._inserter is not None:
            with contextlib.suppress(BaseException):
                await self._inserter
        self._here.close()
        await self.flush()
        with contextlib.suppress(Exception):
            await asyncio.get_running_loop().run_in_executor(self._thread, self._close_conn)
        self._thread.shutdown(wait=False)

    # -- after a crash ----------------------------------------------------------------------
    async def sweep(self, adapters: dict[str, Any]) -> None:
        """Each adapter finishes its platform's rows left by dead processes. At start, then every
        minute: a process on another host is only presumed dead after FOREIGN_AFTER."""
        if adapters:
            await asyncio.get_running_loop().run_in_executor(self._thread, lambda: self.sealer)  # key read once
        for platform, adapter in list(adapters.items()):
            finish = getattr(adapter, "finish_unfinished", None)
            if finish is None:
                continue
            try:
                await finish()
            except Exception:
                log.exception("%s: could not finish the requests a previous process left", platform)

    async def unfinished(self, platform: str, window: timedelta) -> list[Unfinished]:
        """Rows of dead processes for this platform, claimed for us, oldest first."""
        return await self.db.call(self._claim_unfinished, platform, window, self.clock.now())

    def _claim_unfinished(self, platform: str, window: timedelta, now: datetime) -> list[Unfinished]:
        with self.db.write_lock(), self.db.engine.begin() as conn:
            rows = conn.execute(select(TABLE.c.id, TABLE.c.kind, TABLE.c.owner, TABLE.c.received_at, TABLE.c.payload)
                                .where(TABLE.c.platform == platform, TABLE.c.owner != self.owner)
                                .order_by(TABLE.c.id)).all()
            claimed: list[Unfinished] = []
            expired: list[int] = []
            unreadable: list[int] = []
            for row in rows:
                received = row.received_at if row.received_at.tzinfo else row.received_at.replace(tzinfo=now.tzinfo)
                if not owner_is_gone(row.owner, self.owner, received, now):
                    continue
                if now - received > window:
                    expired.append(row.id)
                    continue
                taken = conn.execute(update(TABLE).where(TABLE.c.id == row.id, TABLE.c.owner == row.owner)
                                     .values(owner=self.owner)).rowcount
                if not taken:
                    continue
                opened = self.sealer.open(row.payload) if self.sealer is not None else row.payload
                if opened is None:
                    unreadable.append(row.id)
                    continue
                claimed.append(Unfinished(row.id, row.kind, received, json.loads(opened)))
            expired += unreadable
            if expired:
                conn.execute(delete(TABLE).where(TABLE.c.id.in_(expired)))
        if unreadable:
            log.warning("%d %s requests left unfinished by a crash could not be opened (was BALLOT_KEY or a "
                        "platform secret changed?) and were dropped", len(unreadable), platform)
        if len(expired) > len(unreadable):
            log.warning("%d %s requests left unfinished by a crash were older than the platform's %d-minute "
                        "follow-up window and were dropped", len(expired) - len(unreadable), platform,
                        window.total_seconds() // 60)
        self.replayed += len(claimed)
        return claimed
