"""pytest fixtures: ``pytest_plugins = ["bot.testing.plugin"]`` in a conftest.py."""

from __future__ import annotations

import os
import uuid
from typing import Any, AsyncIterator, Callable

import pytest

from .harness import Harness


@pytest.fixture
async def make_bot(tmp_path: Any) -> AsyncIterator[Callable[..., Any]]:
    """Factory: ``bot = await make_bot(yaml=..., cogs=[...])``; stopped after the test."""
    started: list[Harness] = []

    async def factory(**kwargs: Any) -> Harness:
        kwargs.setdefault("tmpdir", tmp_path / f"bot{len(started)}")
        kwargs["tmpdir"].mkdir(parents=True, exist_ok=True)
        harness = Harness(**kwargs)
        await harness.start()
        started.append(harness)
        return harness

    yield factory
    for harness in reversed(started):
        await harness.stop()


@pytest.fixture
def pg_url() -> Any:
    """A fresh, empty PostgreSQL database for one test; skipped without TEST_DATABASE_URL."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base.replace("postgres://", "postgresql://", 1))
    name = f"cohort_{uuid.uuid4().hex[:12]}"
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
