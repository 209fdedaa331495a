"""Which at-risk signal each kind feeds, and the weekly trend ring rebuilt when that changes.

The ring (``participation_trend``, see rollups.py) is keyed by signal, so it answers for
the signals the loaded cogs declared when it was written. ``bot_state`` keeps that mapping
(``participation:trend-signals``); at start-up, a different mapping (a cog added or
removed, a kind moved to another signal) rebuilds the ring from the counts by kind of the
last weeks — one member at a time, constant memory — and the at-risk report reads the
daily counts for any other mapping (risk.py).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any, Mapping, Sequence

from sqlalchemy import Connection, delete, func, insert, select

from bot import BotState, utcnow

from .models import SIGNAL_LENGTH, TREND_WEEKS, ParticipationDailyKind, ParticipationTrend
from .rollups import SLOTS, week_number

STATE_KEY = "participation:trend-signals"
K = ParticipationDailyKind.__table__.c
TREND = ParticipationTrend.__table__


def signal_map(signals: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """At-risk signal -> its kinds (logic.signal_columns) as kind -> the signal's key in the ring."""
    return {kind: name[:SIGNAL_LENGTH] for name, kinds in signals.items() for kind in kinds}


def fingerprint(signal_of: Mapping[str, str]) -> str:
    return json.dumps(dict(sorted(signal_of.items())), separators=(",", ":"))


def ring_signals(conn: Connection) -> str | None:
    """The mapping the ring was written with (a fingerprint), None before the first build."""
    return conn.execute(select(BotState.__table__.c.value).where(BotState.__table__.c.key == STATE_KEY)).scalar()


def ensure_ring(session: Any, signal_of: Mapping[str, str]) -> bool:
    """Rebuild the ring if it was written for other signals; True when it rebuilt."""
    wanted = fingerprint(signal_of)
    row = session.get(BotState, STATE_KEY)
    if row is not None and row.value == wanted:
        return False
    rebuild_ring(session.connection(), signal_of)
    if row is None:
        row = BotState(key=STATE_KEY, value=wanted, updated_at=utcnow())
    row.value, row.updated_at = wanted, utcnow()
    session.add(row)
    return True


def rebuild_ring(conn: Connection, signal_of: Mapping[str, str], *, flush_every: int = 5_000) -> None:
    """The ring from the counts by kind of the last TREND_WEEKS weeks (before the newest day)."""
    conn.execute(delete(TREND))
    newest = conn.execute(select(func.max(K.day))).scalar()
    if newest is None or not signal_of:
        return
    if isinstance(newest, str):
        newest = date.fromisoformat(newest[:10])
    # in member order (the member index): each member's rows are folded, then forgotten
    rows = conn.execution_options(yield_per=flush_every).execute(
        select(K.community_id, K.member_id, K.kind, K.day, K.count)
        .where(K.day >= newest - timedelta(weeks=TREND_WEEKS + 1), K.kind.in_(sorted(signal_of)))
        .order_by(K.community_id, K.member_id))
    pending: list[dict[str, Any]] = []
    member: tuple[int, int] | None = None
    weeks: dict[str, dict[int, int]] = {}

    def fold() -> None:
        assert member is not None
        for signal, counts in weeks.items():
            latest = max(counts)
            slots = dict.fromkeys(SLOTS, 0)
            for week, n in counts.items():
                if latest - week < TREND_WEEKS:
                    slots[f"w{week % TREND_WEEKS}"] += n
            pending.append({"community_id": member[0], "member_id": member[1], "signal": signal, "week": latest,
                            **slots})

    for cid, mid, kind, day, count in rows:
        if (cid, mid) != member:
            if member is not None:
                fold()
            member, weeks = (cid, mid), {}
            if len(pending) >= flush_every:
                conn.execute(insert(TREND), pending)
                pending.clear()
        week = week_number(date.fromisoformat(day[:10]) if isinstance(day, str) else day)
        per_week = weeks.setdefault(signal_of[kind], {})
        per_week[week] = per_week.get(week, 0) + int(count or 0)
    if member is not None:
        fold()
    if pending:
        conn.execute(insert(TREND), pending)
