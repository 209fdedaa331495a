"""PostgreSQL: a batch written set-based — the events by COPY, then each upsert ONE statement
over arrays (``INSERT ... SELECT * FROM unnest(%s::type[], ...) ON CONFLICT ...``) instead of
one statement per member-day (executemany: a round trip's work and a plan's execution per row).

The statements are the writer's Core upserts (rollups.py) compiled once, their VALUES turned
into unnest over one array per column. The daily rollup's upsert also returns each row's
active count, so the same statement adds to ``participation_day`` every member whose day the
batch made active (returned active == the batch's own: the row had none before) — under the
row lock ON CONFLICT takes, so two processes never both count one member-day.
Rows go in key order: two processes' batches then lock shared rows in the same order.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Sequence

from sqlalchemy import Float, Table

from .rollups import DAILY, DAILY_KEYS, DAY, DAY_KEYS, EVENT, EVENT_KEYS, KIND, KIND_KEYS, STATE, STATE_KEYS, TREND, \
    TREND_KEYS, day_statement, kind_statement, rollup_statement, state_statement, trend_statement, widened
from .models import ParticipationDay

ACTIVE_DAY = ParticipationDay.__table__


def unnest_upsert(stmt: Any, table: Table, keys: list[str], dialect: Any) -> str:
    """``stmt`` (an INSERT ... ON CONFLICT of one row) as one statement over arrays of ``keys``."""
    compiled = stmt.compile(dialect=dialect, column_keys=keys).string
    head, sep, tail = compiled.partition(" ON CONFLICT ")
    if not sep or "%(" in tail:
        raise RuntimeError(f"unexpected upsert for {table.name}: {compiled}")
    return f"INSERT INTO {table.name} ({', '.join(keys)}) SELECT * FROM {_unnest(table, keys, dialect)} ON CONFLICT {tail}"


def _unnest(table: Table, keys: list[str], dialect: Any) -> str:
    return "unnest(" + ", ".join(f"%s::{table.c[k].type.compile(dialect)}[]" for k in keys) + ")"


def daily_and_active_sql(dialect: Any) -> str:
    """The daily rollup's upsert and, in the same statement, the members each day gained."""
    upsert = unnest_upsert(rollup_statement("postgresql"), DAILY, DAILY_KEYS, dialect)
    cols = ", ".join(DAILY_KEYS)
    conflict = upsert.partition(" ON CONFLICT ")[2]
    t = DAILY.name
    return (f"WITH src ({cols}) AS (SELECT * FROM {_unnest(DAILY, DAILY_KEYS, dialect)}), "
            f"up AS (INSERT INTO {t} ({cols}) SELECT * FROM src ON CONFLICT {conflict} "
            f"RETURNING {t}.community_id, {t}.day, {t}.member_id, {t}.active) "
            f"INSERT INTO {ACTIVE_DAY.name} (community_id, day, active_members) "
            f"SELECT up.community_id, up.day, count(*) FROM up JOIN src ON src.community_id = up.community_id "
            f"AND src.day = up.day AND src.member_id = up.member_id WHERE src.active > 0 AND up.active = src.active "
            f"GROUP BY up.community_id, up.day ON CONFLICT (community_id, day) DO UPDATE SET "
            f"active_members = {ACTIVE_DAY.name}.active_members + excluded.active_members")


class PostgresBatch:
    """The statements, compiled once for the engine's dialect."""

    def __init__(self, dialect: Any) -> None:
        self.daily = daily_and_active_sql(dialect)
        self.others = [
            (unnest_upsert(kind_statement("postgresql"), KIND, KIND_KEYS, dialect), _floats(KIND, KIND_KEYS)),
            (unnest_upsert(state_statement("postgresql"), STATE, STATE_KEYS, dialect), _floats(STATE, STATE_KEYS)),
            (unnest_upsert(trend_statement("postgresql"), TREND, TREND_KEYS, dialect), _floats(TREND, TREND_KEYS)),
            (unnest_upsert(day_statement("postgresql"), DAY, DAY_KEYS, dialect), _floats(DAY, DAY_KEYS)),
        ]
        self.daily_floats = _floats(DAILY, DAILY_KEYS)
        self.copy = f"COPY {EVENT.name} ({', '.join(EVENT_KEYS)}) FROM STDIN"

    def write(self, cursor: Any, folded: Sequence[list[Any]]) -> None:
        """``folded``: rollups.aggregate's rows (events, daily, kinds, state, trend, days)."""
        events, daily, kinds, state, trend, days = folded
        trend = [widened(ring) for ring in trend]  # one statement for all: whole rings
        with cursor.copy(self.copy) as copy:
            for row in events:
                copy.write_row(row)
        if daily:
            cursor.execute(self.daily, columns(daily, self.daily_floats))
        for (sql, floats), rows in zip(self.others, (kinds, state, trend, days)):
            if rows:
                cursor.execute(sql, columns(rows, floats))


def _floats(table: Table, keys: list[str]) -> frozenset[int]:
    return frozenset(i for i, k in enumerate(keys) if isinstance(table.c[k].type, Float))


def columns(rows: list[Any], floats: frozenset[int] = frozenset()) -> list[Any]:
    """Rows (in key order) as one parameter per column: an array literal (``{1,2,NULL}``) joined
    in C by str.join — psycopg's array dumper walks each element in Python and tests every string
    with a regex (0.25 of 0.45 s client CPU for a 12k-event batch's ~20k upsert rows). Float
    columns as floats (a column may mix 1 and 0.5). Datetime columns stay lists for psycopg, so
    they are converted as every other write's (timestamptz to the column's type, by the session)."""
    rows = sorted(rows, key=_key)
    return [literal(col, i in floats) for i, col in enumerate(zip(*rows))]


def literal(col: Sequence[Any], is_float: bool = False) -> Any:
    """One column as a PostgreSQL array literal (a list of datetimes, or only NULLs: as is)."""
    sample = next((v for v in col if v is not None), None)
    if sample is None or isinstance(sample, datetime):
        return list(col)
    if isinstance(sample, str):
        text = ",".join("NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
                        for v in col)
    else:
        if is_float:
            text_of: Any = lambda v: repr(float(v))  # noqa: E731
        elif isinstance(sample, date):
            text_of = date.isoformat
        else:
            text_of = str
        text = ",".join(map(text_of, col)) if None not in col else \
            ",".join("NULL" if v is None else text_of(v) for v in col)
    return "{" + text + "}"


def _key(row: Any) -> Any:
    return row[:4]  # the primary key (or its start): never None
