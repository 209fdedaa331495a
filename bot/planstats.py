"""Planner statistics kept true to the schema after migrations.

SQLite plans from ``sqlite_stat1`` once a database has been ANALYZEd; an index added (or a table
rebuilt) since has no row there, and the planner then assumes such an index finds ~10 rows per
key — so it prefers it to the analysed ones. On the 10M-event bench database, analysed before
participation_0006, ``/stats me``'s rank count took the last-active-day index (a lookup per
member: 57 ms) instead of the primary key's range. ``PRAGMA optimize`` does not help here: on a
new connection (a migration's) it analyses only tables that connection's queries used. So after
``db upgrade`` — and at each start, which is how a database migrated before this existed gets
its statistics back — each non-empty table with an index the statistics do not describe is
ANALYZEd, and only when the database has statistics at all: a database never ANALYZEd (the bot
never does it on its own) keeps the planner's defaults for every table rather than a mixture.

PostgreSQL keeps statistics per column (pg_statistic), so a new index on existing columns needs
nothing, but a new or backfilled column has none until autovacuum gets to it: the tables whose
columns or indexes a migration changed are ANALYZEd in its transaction (a fixed-size sample per
table, so its cost does not grow with the table).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler

_HAS_STATS = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
# a table with no statistics row at all (created or rebuilt since), or with an index that has none;
# not a partial index (WHERE ...): ANALYZE writes no row for one no row matches (ix_member_hidden in a
# community without bots), so it would look new at every start
_UNDESCRIBED = (
    "SELECT m.name FROM sqlite_master AS m WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND ("
    " NOT EXISTS (SELECT 1 FROM sqlite_stat1 AS s WHERE s.tbl = m.name)"
    " OR EXISTS (SELECT 1 FROM sqlite_master AS i WHERE i.type = 'index' AND i.tbl_name = m.name"
    "  AND coalesce(upper(i.sql), '') NOT LIKE '% WHERE %'"
    "  AND i.name NOT IN (SELECT s.idx FROM sqlite_stat1 AS s WHERE s.tbl = m.name AND s.idx IS NOT NULL)))"
    " ORDER BY m.name")


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_stale_tables(conn: Connection) -> list[str]:
    """Non-empty tables whose indexes the statistics do not all describe ([] when the database
    has no statistics, or none left: nothing to keep consistent with)."""
    if conn.exec_driver_sql(_HAS_STATS).first() is None:
        return []
    if conn.exec_driver_sql("SELECT 1 FROM sqlite_stat1 LIMIT 1").first() is None:
        return []
    names = [row[0] for row in conn.exec_driver_sql(_UNDESCRIBED)]
    # an empty table gets no row from ANALYZE: it would be analysed again at every start
    return [n for n in names if conn.exec_driver_sql(f"SELECT 1 FROM {quoted(n)} LIMIT 1").first() is not None]


def analyze(conn: Connection, tables: list[str]) -> None:
    for name in tables:
        conn.exec_driver_sql(f"ANALYZE {quoted(name)}")


def postgres_shape(conn: Connection) -> dict[str, frozenset[tuple[Any, ...]]]:
    """Per table of the current schema: its columns (name, type) and its index definitions."""
    shape: dict[str, set[tuple[Any, ...]]] = {}
    for table, column, kind in conn.exec_driver_sql(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema()"):
        shape.setdefault(table, set()).add(("column", column, kind))
    for table, definition in conn.exec_driver_sql(
            "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()"):
        shape.setdefault(table, set()).add(("index", definition))
    return {table: frozenset(parts) for table, parts in shape.items()}


def changed_tables(before: dict[str, frozenset[tuple[Any, ...]]],
                   after: dict[str, frozenset[tuple[Any, ...]]]) -> list[str]:
    """Tables that exist after and are new or differ in columns or indexes."""
    return sorted(t for t, parts in after.items() if before.get(t) != parts)


class SQLiteHintingCompiler(SQLiteCompiler):
    """SQLAlchemy's SQLite compiler, rendering the from-hints it drops:
    ``select(...).with_hint(table, "INDEXED BY ix_name", "sqlite")`` pins that index — a plan
    right whatever the statistics (none, stale or fresh). Other dialects ignore the hint."""

    def get_from_hint_text(self, table: Any, text: str | None) -> str | None:
        return text
