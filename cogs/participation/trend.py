"""Which at-risk signal each kind feeds, and the weekly trend ring rebuilt when that changes.

The ring (``participation_ring``, see rollups.py) keeps each signal in a slot (its place in
name order), so it answers for the signals the loaded cogs declared when it was written. ``bot_state`` keeps that mapping
(``participation:trend-signals``, written when a rebuild is complete); at start-up, a
different mapping (a cog added or removed, a kind moved to another signal, the first start
after participation_0004 or after a participation_0007 that had no ring to carry over) rebuilds the ring from the counts by kind of the last weeks, in
the background: the bot serves meanwhile, the writer keeps writing, and the at-risk report
reads the daily counts until the mapping is written (risk.ring_answers).

The rebuild goes a chunk of members at a time, each chunk one short transaction: delete
those members' rings, fold their counts by kind, insert. A chunk transaction and the
writer's batches never interleave (SQLite: one writer at a time; PostgreSQL: the writer
holds ``ring_lock`` shared, a chunk holds it exclusive), so a chunk reads every batch
committed before it and every later batch adds to the rebuilt rows: nothing counted twice,
nothing lost. One process rebuilds: it claims ``participation:trend-rebuild`` in bot_state
(insert-if-absent; a claim not touched for ``STALE`` is taken over, e.g. its process died),
the others poll until the mapping is written. More signals than the ring has slots
(models.RING_SIGNALS): no ring is kept (the writer writes none, the mapping is removed) and the
report reads the daily counts.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import date, datetime, timedelta
from typing import Any, Mapping, Sequence

from sqlalchemy import Connection, delete, func, insert, select, text, update

from bot import BotState, Community, Member, utcnow

from .models import SIGNAL_LENGTH, TREND_WEEKS, ParticipationDailyKind, ParticipationRing
from .rollups import SLOTS, ring_slots, week_number

STATE_KEY = "participation:trend-signals"
CLAIM_KEY = "participation:trend-rebuild"
STALE = timedelta(minutes=2)  # a claim untouched this long is abandoned (each chunk touches it)
LOCK_ID = 0x70617274_7472  # PostgreSQL advisory lock: writer batches shared, rebuild chunks exclusive
K = ParticipationDailyKind.__table__.c
B = BotState.__table__
TREND = ParticipationRing.__table__
T = TREND.c
M = Member.__table__.c


class LostClaim(Exception):
    """Another process took the rebuild over (this one stalled past STALE)."""


def signal_map(signals: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """At-risk signal -> its kinds (logic.signal_columns) as kind -> the signal's key in the ring."""
    return {kind: name[:SIGNAL_LENGTH] for name, kinds in signals.items() for kind in kinds}


def fingerprint(signal_of: Mapping[str, str]) -> str:
    return json.dumps(dict(sorted(signal_of.items())), separators=(",", ":"))


def ring_signals(conn: Connection) -> str | None:
    """The mapping the ring was written with (a fingerprint), None before the first build."""
    return conn.execute(select(B.c.value).where(B.c.key == STATE_KEY)).scalar()


def ring_lock(conn: Connection, *, exclusive: bool = False) -> None:
    """PostgreSQL: order this transaction against rebuild chunks (until it ends). SQLite needs
    nothing: its write transactions already run one at a time."""
    if conn.dialect.name == "postgresql":
        lock = "SELECT pg_advisory_xact_lock(:id)" if exclusive else "SELECT pg_advisory_xact_lock_shared(:id)"
        conn.execute(text(lock), {"id": LOCK_ID})


# --- the claim ---------------------------------------------------------------------------------
def claim(session: Any, signal_of: Mapping[str, str], owner: str, now: datetime | None = None) -> str:
    """'done' (the ring holds these signals), 'mine' (this owner rebuilds it) or 'busy'.

    Each statement sees what was committed before it began (PostgreSQL's READ COMMITTED), so the
    ring's state is read again once the claim is won: another process may have finished the ring
    (its finish deletes its claim) between the first read and the win, and this one would rebuild
    a done ring or, polling, leave its claim behind."""
    conn = session.connection()
    wanted = fingerprint(signal_of)
    if ring_signals(conn) == wanted:
        _drop_leftover(conn, wanted)
        return "done"
    now = now or utcnow()
    mine = json.dumps({"owner": owner, "signals": wanted})
    row = conn.execute(select(B.c.value, B.c.updated_at).where(B.c.key == CLAIM_KEY)).first()
    if row is None:  # rowcount of an ON CONFLICT insert is -1 on psycopg: RETURNING says if it went in
        won = conn.execute(_insert_absent(conn).returning(B.c.key),
                           {"key": CLAIM_KEY, "value": mine, "updated_at": now}).first() is not None
    elif row.value == mine:
        return "mine"
    else:
        seen = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=now.tzinfo)
        if now - seen < STALE:
            return "busy"
        # taken over only as it was read: of two processes taking it, one wins
        won = conn.execute(update(B).where(B.c.key == CLAIM_KEY, B.c.value == row.value)
                           .values(value=mine, updated_at=now)).rowcount == 1
    if not won:
        return "busy"
    if ring_signals(conn) == wanted:  # finished by another process meanwhile: nothing to rebuild
        conn.execute(delete(B).where(B.c.key == CLAIM_KEY, B.c.value == mine))
        return "done"
    return "mine"


def _drop_leftover(conn: Connection, wanted: str) -> None:
    """A claim for the signals the ring already holds is no one's work (a finish deletes its own
    claim): drop it, so that the next change of signals starts at once rather than after STALE."""
    value = conn.execute(select(B.c.value).where(B.c.key == CLAIM_KEY)).scalar()
    if value is not None and json.loads(value).get("signals") == wanted:
        conn.execute(delete(B).where(B.c.key == CLAIM_KEY, B.c.value == value))


def claim_or_settle(session: Any, signal_of: Mapping[str, str], owner: str) -> str:
    """``claim``, and with nothing to rebuild from (a new database) the ring is done at once;
    'unkept': more signals than the ring has slots (``unkept``)."""
    if unkept(session, signal_of):
        return "unkept"
    state = claim(session, signal_of, owner)
    conn = session.connection()
    if state == "mine" and conn.execute(select(K.community_id).limit(1)).first() is None \
            and conn.execute(select(T.community_id).limit(1)).first() is None:
        finish(session, signal_of, owner)
        return "done"
    return state


def _insert_absent(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(B).on_conflict_do_nothing(index_elements=["key"])


def _touch(conn: Connection, signal_of: Mapping[str, str], owner: str) -> None:
    mine = json.dumps({"owner": owner, "signals": fingerprint(signal_of)})
    if conn.execute(update(B).where(B.c.key == CLAIM_KEY, B.c.value == mine)
                    .values(updated_at=utcnow())).rowcount != 1:
        raise LostClaim(owner)


def release(session: Any, signal_of: Mapping[str, str], owner: str) -> None:
    """Give a claim up (this process stops before finishing): another may start at once."""
    mine = json.dumps({"owner": owner, "signals": fingerprint(signal_of)})
    session.connection().execute(delete(B).where(B.c.key == CLAIM_KEY, B.c.value == mine))


def finish(session: Any, signal_of: Mapping[str, str], owner: str) -> None:
    """The ring is complete: write its mapping (the report reads it from now on), drop the claim."""
    conn = session.connection()
    _touch(conn, signal_of, owner)
    conn.execute(delete(B).where(B.c.key == CLAIM_KEY))
    wanted, now = fingerprint(signal_of), utcnow()
    if conn.execute(update(B).where(B.c.key == STATE_KEY).values(value=wanted, updated_at=now)).rowcount != 1:
        conn.execute(insert(B), {"key": STATE_KEY, "value": wanted, "updated_at": now})


# --- the rebuild, a chunk of members at a time -----------------------------------------------------
Cursor = tuple[int, int]  # (community id, last member id done)


def rebuild_step(session: Any, signal_of: Mapping[str, str], owner: str, cursor: Cursor | None,
                 chunk: int = 2_000) -> Cursor | None:
    """Rebuild the rings of the next ``chunk`` members after ``cursor`` (None: from the start) from
    their counts by kind of the last TREND_WEEKS weeks before their community's newest day.
    Returns where to go on from, None when every member is done."""
    conn = session.connection()
    ring_lock(conn, exclusive=True)
    _touch(conn, signal_of, owner)
    cid, after = cursor or (-1, -1)
    while True:
        ids = list(conn.execute(select(M.id).where(M.community_id == cid, M.id > after).order_by(M.id)
                                .limit(chunk)).scalars()) if cid >= 0 else []
        if ids:
            break
        cid = conn.execute(select(func.min(Community.__table__.c.id))
                           .where(Community.__table__.c.id > cid)).scalar()
        if cid is None:
            return None
        after = -1
    lo, hi = ids[0], ids[-1]
    conn.execute(delete(TREND).where(T.community_id == cid, T.member_id >= lo, T.member_id <= hi))
    newest = conn.execute(select(func.max(K.day)).where(K.community_id == cid)).scalar()
    if newest is not None and signal_of:
        if isinstance(newest, str):
            newest = date.fromisoformat(newest[:10])
        rows = conn.execute(select(K.member_id, K.kind, K.day, K.count)
                            .where(K.community_id == cid, K.member_id >= lo, K.member_id <= hi,
                                   K.day >= newest - timedelta(weeks=TREND_WEEKS + 1), K.kind.in_(sorted(signal_of))))
        rings = _fold(cid, rows, signal_of)
        if rings:
            conn.execute(insert(TREND), rings)
    return cid, hi


def _fold(cid: int, rows: Any, signal_of: Mapping[str, str]) -> list[dict[str, Any]]:
    slot_of = ring_slots(signal_of) or {}
    weeks: dict[int, dict[tuple[int, int], int]] = {}  # member -> (week, signal slot) -> count
    for mid, kind, day, count in rows:
        week = week_number(date.fromisoformat(day[:10]) if isinstance(day, str) else day)
        per_week = weeks.setdefault(mid, {})
        key = (week, slot_of[kind])
        per_week[key] = per_week.get(key, 0) + int(count or 0)
    out = []
    for mid, counts in weeks.items():
        latest = max(week for week, _ in counts)
        slots = dict.fromkeys(SLOTS, 0)
        for (week, j), n in counts.items():
            if latest - week < TREND_WEEKS:
                slots[f"s{j}w{week % TREND_WEEKS}"] += n
        out.append({"community_id": cid, "member_id": mid, "week": latest, **slots})
    return out


def unkept(session: Any, signal_of: Mapping[str, str]) -> bool:
    """More signals than the ring has slots: no ring for them — the mapping goes (the report
    then reads the daily counts, and a later start with fewer signals rebuilds). True if so."""
    if ring_slots(signal_of) is not None:
        return False
    session.connection().execute(delete(B).where(B.c.key == STATE_KEY))
    return True


def ensure_ring(session: Any, signal_of: Mapping[str, str], owner: str = "this process") -> bool:
    """Rebuild the ring at once, in this one transaction, if it was written for other signals;
    True when it rebuilt (tests, the benches; the bot rebuilds in the background: keep_ring)."""
    if unkept(session, signal_of):
        return False
    if claim(session, signal_of, owner) != "mine":
        return False
    cursor = rebuild_step(session, signal_of, owner, None, chunk=1_000_000)
    while cursor is not None:
        cursor = rebuild_step(session, signal_of, owner, cursor, chunk=1_000_000)
    finish(session, signal_of, owner)
    return True


async def keep_ring(db: Any, signal_of: Mapping[str, str], owner: str, *, chunk: int = 500,
                    poll: float = 30.0, share: float = 1.0) -> bool:
    """Bring the ring to ``signal_of`` without holding anyone up: claim the rebuild (or wait,
    polling, while another process has it), then a chunk per transaction. True when this process
    rebuilt it; False when it already held these signals or another process rebuilt it. After each
    chunk it waits ``share`` times as long as the chunk took (the database is others' meanwhile)."""
    while True:
        state = await db.run(claim, signal_of, owner)
        if state == "done":
            return False
        if state == "mine":
            break
        await asyncio.sleep(poll)  # another process rebuilds; a stale claim is taken over here
    try:
        cursor: Cursor | None = None
        while True:
            began = time.monotonic()
            cursor = await db.run(rebuild_step, signal_of, owner, cursor, chunk)
            if cursor is None:
                break
            # as long again before the next chunk: the writer (and on SQLite another process, whose
            # busy handler polls) gets the database at least half the time while the ring rebuilds
            await asyncio.sleep(min(time.monotonic() - began, 5.0) * share)
        await db.run(finish, signal_of, owner)
    except asyncio.CancelledError:
        await asyncio.shield(db.run(release, signal_of, owner))
        raise
    return True
