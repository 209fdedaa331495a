"""Several bot processes on one database: every due firing happens exactly once.

Two OS processes run the same schedules (per-minute prompts, 2-minute poll closes, weekly
match rounds, hourly digests, 5-minute check-ins and a ``@job``) over the same 90 minutes,
started together; each firing inserts a row in a table with no unique key, so a double firing
would show as two rows.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.storage import normalise_url
from bot.when import fire_times_between
from tests.fixtures.ledger_cog import fleet, iso

from .helpers import ROOT, child_env, prepare_database, python

PROCESSES = 2
SCHEDULES = 12
MINUTES = 90
START = datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)  # a Monday: the weekly rounds fall inside


def expected_firings() -> set[tuple[str, str]]:
    end = START + timedelta(minutes=MINUTES)
    return {(key, iso(due)) for key, trigger in fleet(SCHEDULES) for due in fire_times_between(trigger, START, end)}


def as_utc(value: datetime | str) -> datetime:
    """A stored timestamp (SQLite hands back text, PostgreSQL a datetime) as aware UTC."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def run_processes(url: str) -> list[str]:
    workers = [subprocess.Popen([python(), "-m", "tests.reliability.fleet_worker", url, START.isoformat(),
                                 str(MINUTES), str(SCHEDULES)], cwd=ROOT, env=child_env(), text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for _ in range(PROCESSES)]
    try:
        for worker in workers:
            assert worker.stdout is not None and worker.stdout.readline().strip() == "ready", worker.stderr
        for worker in workers:  # release them together so they race for the same firings
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        outputs = []
        for worker in workers:
            out, err = worker.communicate(timeout=120)
            assert worker.returncode == 0, err
            outputs.append(out)
        return outputs
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()


def check_exactly_once(url: str) -> Counter[str]:
    prepare_database(url)
    outputs = run_processes(url)
    engine = create_engine(normalise_url(url))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT key, due_at, ran_by FROM ledger_firing WHERE key LIKE 'ledger:fleet:%'")).all()
        job_claims = conn.execute(text("SELECT due_at FROM schedule_claim WHERE key = 'ledger:job:close-due'")).all()
        daily = conn.execute(text("SELECT due_at FROM ledger_firing WHERE key = 'ledger:daily'")).all()
    engine.dispose()
    fired = Counter((key, due) for key, due, _ in rows)
    doubled = [firing for firing, n in fired.items() if n > 1]
    assert not doubled, f"{len(doubled)} firings ran more than once, e.g. {doubled[:3]}"
    expected = expected_firings()
    assert set(fired) == expected, (f"missing {sorted(expected - set(fired))[:3]}, "
                                    f"unexpected {sorted(set(fired) - expected)[:3]}")
    assert len(expected) > 300  # hundreds of firings, not a handful
    # The per-minute @job: once per minute overall (the start instant too: jobs catch up at start).
    minutes = {START + timedelta(minutes=m) for m in range(MINUTES + 1)}
    assert len(job_claims) == len(minutes) and {as_utc(due) for due, in job_claims} == minutes
    assert len(daily) == 1  # the missed daily firing both processes catch up at start: run by one
    reported = sum(int(out.split()[-1]) for out in outputs)
    assert reported == len(expected) + MINUTES  # what the processes say they ran adds up, jobs included
    return Counter(by for _, _, by in rows)


def test_two_processes_on_one_sqlite_file_run_each_firing_once(tmp_path: Path) -> None:
    split = check_exactly_once(f"sqlite:///{tmp_path / 'shared.db'}")
    assert sum(split.values()) == len(expected_firings())


@pytest.mark.postgres
def test_two_processes_on_postgresql_run_each_firing_once(pg_url: str) -> None:
    split = check_exactly_once(pg_url)
    assert sum(split.values()) == len(expected_firings())
