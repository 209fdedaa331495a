"""The PostgreSQL batch's columns, written as array literals, reach the server as the values
psycopg's own array dumping sent (skipped without TEST_DATABASE_URL)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import psycopg
from sqlalchemy.engine import make_url

from cogs.participation.pgwrite import columns

TRICKY = ["message", "", "NULL", "null", 'say "hi"', "back\\slash", "a,b", "{x}", " padded ", "ünï cödé", "tab\there",
          "new\nline", "\\\"", "'single'"]


def _rows(rnd: random.Random, n: int) -> list[tuple]:
    rows = []
    for i in range(n):
        rows.append((rnd.randrange(1, 5), date(2026, 1, 1) + timedelta(days=rnd.randrange(400)), i,
                     rnd.choice(TRICKY + [None]), rnd.choice([0, 1, 0.5, 2.25, 1e-5, 123456.789, None]),
                     rnd.choice([None, date(2026, 3, 1)]), rnd.randrange(-3, 10 ** 9)))
    return rows


def test_array_literals_round_trip_like_psycopgs_arrays(pg_url: str) -> None:
    rnd = random.Random(3)
    dsn = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    kinds = ["integer", "date", "integer", "varchar", "double precision", "date", "bigint"]
    with psycopg.connect(dsn) as conn:
        for n in (1, 7, 500):
            rows = _rows(rnd, n)
            sent = columns(rows, frozenset({4}))
            assert all(isinstance(col, str) for col in sent)  # literals, not lists for psycopg
            ours = conn.execute("SELECT * FROM unnest(" + ", ".join(f"%s::{k}[]" for k in kinds) + ")", sent).fetchall()
            plain = [list(col) for col in zip(*sorted(rows, key=lambda r: r[:4]))]  # psycopg's dumping
            plain[4] = [None if v is None else float(v) for v in plain[4]]
            theirs = conn.execute("SELECT * FROM unnest(" + ", ".join(f"%s::{k}[]" for k in kinds) + ")",
                                  plain).fetchall()
            assert ours == theirs
            assert [r[3] for r in ours] == [r[3] for r in sorted(rows, key=lambda r: r[:4])]
