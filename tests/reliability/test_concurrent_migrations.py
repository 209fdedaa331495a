"""Workers started together on a new PostgreSQL database (Slack HTTP mode behind a load balancer, a
fresh deploy): each ran the migrations, and all but one exited with 'duplicate key value violates
unique constraint "pg_type_typname_nsp_index"'. Now they take turns; every one starts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .helpers import child_env, python


@pytest.mark.postgres
def test_three_processes_migrating_a_new_database_at_once_all_succeed(pg_url: str, tmp_path: Path) -> None:
    config = tmp_path / "schedules.yaml"
    config.write_text("communities: []\n")
    env = child_env(DATABASE_URL=pg_url, BOT_CONFIG=str(config))
    runs = [subprocess.Popen([python(), "-m", "bot", "db", "upgrade"], cwd=tmp_path, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(3)]
    outputs = [(run.communicate(timeout=180)[0].decode(errors="replace"), run.returncode) for run in runs]
    assert [code for _, code in outputs] == [0, 0, 0], outputs
    assert all("database at head: core_" in out for out, _ in outputs), outputs
