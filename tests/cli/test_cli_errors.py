"""The CLI as a user runs it: a problem is one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def bot_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "BOT_", "LOG_", "PORT"))}
    (tmp_path / "empty.yaml").touch()  # no schedules: the built-in cogs (a missing BOT_CONFIG is an error)
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}", BOT_CONFIG=str(tmp_path / "empty.yaml"),
               PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=120,
                          env=bot_env(tmp_path, **env), cwd=tmp_path, input="")


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.mark.parametrize("args, expected", [
    (["export", "--community", "console", "--since", "2026-13-01"],
     'python -m bot export: error: argument --since: "2026-13-01" is not a date — use YYYY-MM-DD'),
    (["export", "--community", "console", "--since", "2026-01-01", "--until", "2026-02-30"],
     'argument --until: "2026-02-30" is not a date'),
    (["export", "--community", "console", "--since", "2026-03-01", "--until", "2026-01-01"],
     "python -m bot export: error: --until 2026-01-01 is before --since 2026-03-01"),
    (["export", "--community", "console"], "the following arguments are required: --since"),
    (["export", "--community", "console", "--since", "2026-01-01", "--out", "/nonexistent-w15a/x.csv"],
     "error: cannot write /nonexistent-w15a/x.csv: the folder /nonexistent-w15a does not exist"),
    (["db"], "python -m bot db: error: the following arguments are required: db_verb"),
    (["demo", "--members", "-3"], 'argument --members: "-3": the demo needs at least 4 members and simulates at most 1000'),
    (["frobnicate"], "python -m bot: error: argument verb: invalid choice: 'frobnicate'"),
    (["check", "/nonexistent-w15a/s.yaml"], "/nonexistent-w15a/s.yaml: file not found"),
    (["run", "--config", "schedules.yml"], "schedules.yml: file not found"),  # a typo is not an empty course
    (["commands", "--config", "schedules.yml"], "schedules.yml: file not found"),
])
def test_bad_arguments_are_one_line(tmp_path: Path, args: list[str], expected: str) -> None:
    line = one_line(run(tmp_path, *args))
    assert line.startswith(expected) or expected in line, line
    assert not Path("/nonexistent-w15a").exists()


def test_backup_where_no_folder_can_be_made_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    assert run(tmp_path, "db", "upgrade").returncode == 0
    line = one_line(run(tmp_path, "db", "backup", str(tmp_path / "notes.txt" / "b.db")))
    assert line == f"error: {tmp_path / 'notes.txt'}: is a file, not a folder"


def test_export_to_a_folder_is_one_line(tmp_path: Path) -> None:
    line = one_line(run(tmp_path, "export", "--community", "console", "--since", "2026-01-01", "--out", str(tmp_path)))
    assert line == f"error: cannot write {tmp_path}: it is a folder"


@pytest.mark.parametrize("variable, value, expected", [
    ("BOT_ADAPTERS", "telegram", 'error: BOT_ADAPTERS: unknown platform "telegram" — use discord, slack, console'),
    ("LOG_LEVEL", "verbose", 'error: LOG_LEVEL: use one of DEBUG, INFO, WARNING, ERROR, CRITICAL (got "verbose")'),
    ("PORT", "http", 'error: PORT: expected a whole number (got "http")'),
    ("DISCORD_GUILD_IDS", "12,my-server", 'error: DISCORD_GUILD_IDS: expected ids separated by ","'),
    ("SHARD_COUNT", "two", 'error: SHARD_COUNT: expected a whole number (got "two")'),
    ("DATABASE_URL", "mysql://root:hunter22@db/x", "error: DATABASE_URL: use sqlite:///path/to/file.db or postgresql://"),
])
@pytest.mark.parametrize("verb", ["run", "check"])
def test_bad_environment_is_one_line_per_variable(tmp_path: Path, variable: str, value: str, expected: str,
                                                  verb: str) -> None:
    line = one_line(run(tmp_path, verb, **{variable: value}))
    assert line.startswith(expected), line
    assert "hunter22" not in line


@pytest.mark.parametrize("verb", [["db", "upgrade"], ["run"], ["export", "--community", "x", "--since", "2026-01-01"]])
def test_an_unreachable_database_is_one_line_without_the_password(tmp_path: Path, verb: list[str]) -> None:
    with __import__("socket").socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    line = one_line(run(tmp_path, *verb, DATABASE_URL=f"postgresql://cohort:hunter22@127.0.0.1:{port}/bot"))
    assert line.startswith(f"error: cannot use the database postgresql://cohort:***@127.0.0.1:{port}/bot: ")
    assert "refused" in line.lower() and "hunter22" not in line


@pytest.mark.parametrize("verb", [["commands"], ["commands", "--markdown"], ["check", str(ROOT / "schedules.yaml")]])
def test_a_reader_that_goes_away_is_a_quiet_exit(tmp_path: Path, verb: list[str]) -> None:
    """`python -m bot commands | head -1`: the pipe closes before the bot writes."""
    process = subprocess.Popen([sys.executable, "-m", "bot", *verb], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=bot_env(tmp_path), cwd=tmp_path)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    error = process.stderr.read().decode()
    assert process.wait(timeout=120) == 128 + signal.SIGPIPE
    assert error == ""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stopping_with_a_firing_in_flight_lets_it_finish_without_a_traceback(tmp_path: Path, sig: int) -> None:
    config = tmp_path / "s.yaml"
    config.write_text("cogs: [tests.fixtures.slow_job_cog]\n")
    mark = tmp_path / "mark"
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                               env=bot_env(tmp_path, BOT_CONFIG=str(config), SLOW_JOB_MARK=str(mark)))
    assert process.stdout is not None
    process.stdout.readline()  # the console's greeting: started
    deadline = time.monotonic() + 60
    while not (mark.exists() and mark.read_text() == "started") and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(sig)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "CancelledError" not in err, err
    assert mark.read_text() == "finished"
