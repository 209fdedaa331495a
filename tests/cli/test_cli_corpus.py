"""Every CLI verb and flag with bad input, as a newcomer types it: one line on stderr naming the
problem in plain words, a non-zero exit, never a traceback or a library's own message."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_cli_errors import ROOT, one_line, run

SHIPPED = str(ROOT / "schedules.yaml")
LIBRARY_WORDS = ("Traceback", "sqlite3.", "OperationalError", "OverflowError", "pydantic", "Input should")


def plain_line(result) -> str:  # type: ignore[no-untyped-def]
    line = one_line(result)
    assert not any(words in line for words in LIBRARY_WORDS), line
    return line


@pytest.mark.parametrize("args, expected", [
    # arguments every verb checks before doing anything
    ([], "python -m bot: error: the following arguments are required: verb (see python -m bot --help)"),
    (["run", "--as", ""], "argument --as: a name is 1 to 64 printable characters without spaces (got '')"),
    (["run", "--as", "\x1b[2J"], "argument --as: a name is 1 to 64 printable characters"),
    (["run", "--as", "x" * 65], "argument --as: a name is 1 to 64 printable characters"),
    (["run", "--channel", "a b"], "argument --channel: a name is 1 to 64 printable characters without spaces"),
    (["run", "--role", "god"], "argument --role: invalid choice: 'god'"),
    (["demo", "--members", "100000000"], 'argument --members: "100000000": the demo needs at least 4 members and simulates at most 1000'),
    (["demo", "--members", "3"], 'argument --members: "3": the demo needs at least 4 members and simulates at most 1000'),
    (["export", "--community", "console", "--since", "2026-01-01", "--platform", "telegram"],
     "argument --platform: invalid choice: 'telegram' (choose from 'discord', 'slack', 'console')"),
    (["manifest"], "the following arguments are required: platform"),
    (["manifest", "discord"], "argument platform: invalid choice: 'discord' (choose from 'slack')"),
    (["manifest", "slack", "--url", "http://x"], '"http://x" is not an https:// URL'),
    (["invite", "--application-id", "abc"], 'error: "abc" is not a Discord application id'),
    (["invite"], "error: no Discord application id — pass --application-id or set DISCORD_APPLICATION_ID"),
    (["db", "revision"], "the following arguments are required: --cog, -m/--message"),
    (["db", "revision", "--cog", "nope", "-m", "x", "--config", SHIPPED], 'error: no loaded cog is called "nope"'),
    (["db", "backup"], "the following arguments are required: out"),
    (["check", "a.yaml", "b.yaml"], "unrecognized arguments: b.yaml"),
])
def test_bad_arguments_of_every_verb(tmp_path: Path, args: list[str], expected: str) -> None:
    assert expected in plain_line(run(tmp_path, *args))


@pytest.mark.parametrize("variable, value, expected", [
    ("PORT", "-1", "error: PORT: a port is a number from 1 to 65535 (got -1)"),
    ("PORT", "99999", "error: PORT: a port is a number from 1 to 65535 (got 99999)"),
    ("SHARD_COUNT", "0", "error: SHARD_COUNT: the number of shards is 1 or more (got 0)"),
    ("SHARD_IDS", "1", "error: SHARD_IDS: set SHARD_COUNT too"),
    ("PUBLIC_URL", "bot.example.org", 'error: PUBLIC_URL: expected an http(s) address, like https://example.org'),
    ("DASHBOARD_URL", "ftp://x", 'error: DASHBOARD_URL: expected an http(s) address'),
    ("DISCORD_API_BASE", "notaurl", 'error: DISCORD_API_BASE: expected an http(s) address'),
    ("SLACK_API_URL", "http://", 'error: SLACK_API_URL: expected an http(s) address'),
    ("BOT_ADAPTERS", ",", 'error: BOT_ADAPTERS: no platform named (got ",")'),  # used to start nothing, forever
    ("LOG_LEVEL", "", 'error: LOG_LEVEL: use one of DEBUG, INFO, WARNING, ERROR, CRITICAL (got "")'),
    ("DATABASE_URL", "", "error: DATABASE_URL: use sqlite:///path/to/file.db or postgresql://"),
    ("DATABASE_URL", "sqlite:////proc/cohort.db", "error: cannot use the database sqlite:////proc/cohort.db: "),
])
def test_bad_settings_for_run(tmp_path: Path, variable: str, value: str, expected: str) -> None:
    assert plain_line(run(tmp_path, "run", **{variable: value})).startswith(expected)


@pytest.mark.parametrize("verb", [["run"], ["commands"], ["manifest", "slack"], ["check"]])
def test_a_bot_config_that_is_not_there_is_one_line(tmp_path: Path, verb: list[str]) -> None:
    """BOT_CONFIG=schedules.yml (a typo) started an empty course that never posted, as --config did."""
    assert plain_line(run(tmp_path, *verb, BOT_CONFIG="schedules.yml")) == "schedules.yml: file not found"


def test_a_shard_this_process_cannot_have_is_one_line(tmp_path: Path) -> None:
    line = plain_line(run(tmp_path, "run", SHARD_COUNT="2", SHARD_IDS="0,2"))
    assert line == "error: SHARD_IDS: shard 2 does not exist with SHARD_COUNT=2 (shards are numbered 0 to 1)"


@pytest.mark.parametrize("where, expected", [
    ("folder", "error: cannot write {tmp}: it is a folder — name the backup file, like {tmp}/backup.db"),
    ("/proc/cohort-backup.db", "error: cannot write the backup to /proc/cohort-backup.db: "),
    ("itself", "error: {tmp}/bot.db is the database itself — write the backup to another file"),
])
def test_a_backup_that_cannot_be_written_is_one_line(tmp_path: Path, where: str, expected: str) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    out = {"folder": str(tmp_path), "itself": str(tmp_path / "bot.db")}.get(where, where)
    line = plain_line(run(tmp_path, "db", "backup", out))
    assert line.startswith(expected.format(tmp=tmp_path)), line
    assert (tmp_path / "bot.db").stat().st_size > 0


@pytest.mark.parametrize("content, expected", [
    (None, "{path}: file not found"),
    ("folder", "{path}: is a folder, not a schedules.yaml file"),
    (b"\x7fELF\x02\x01\x01\x00\xff\xfe", "{path}: is not a text file (UTF-8)"),
    ("hello\n", "{path}:1:1: expected a mapping with defaults:, communities: and cogs:"),
])
@pytest.mark.parametrize("verb", [["check"], ["run", "--config"]])  # (commands, manifest: the same loader)
def test_a_file_that_is_no_schedules_yaml(tmp_path: Path, content: str | bytes | None, expected: str,
                                          verb: list[str]) -> None:
    path = tmp_path / "s.yaml"
    if content == "folder":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    assert plain_line(run(tmp_path, *verb, str(path))) == expected.format(path=path)


def test_version(tmp_path: Path) -> None:
    result = run(tmp_path, "--version")
    assert result.returncode == 0 and result.stdout.startswith("Cohort Bot ") and result.stderr == ""


def test_an_empty_file_is_an_empty_course(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("")
    result = run(tmp_path, "check", str(tmp_path / "s.yaml"))
    assert result.returncode == 0 and result.stdout == "ok\n" and result.stderr == ""


def test_the_demo_twice_in_one_folder_starts_fresh_each_time(tmp_path: Path) -> None:
    for _ in range(2):
        result = run(tmp_path, "demo", "--members", "4", "--out", str(tmp_path / "demo"))
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        assert "Done: weeks" in result.stdout
    assert (tmp_path / "demo" / "activity.png").is_file()


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("platform", ["discord", "slack"])
@pytest.mark.parametrize("url, why", [("http://127.0.0.1:{port}/api/", "nothing answers at 127.0.0.1:{port} "
                                                                       "(connection refused)")])
def test_a_platform_api_that_cannot_be_reached_is_one_line_in_words(tmp_path: Path, platform: str, url: str,
                                                                     why: str) -> None:
    """Not aiohttp's "ssl:default [Connect call failed ...]" nor an exception's class name."""
    port = _closed_port()
    url = url.format(port=port)
    env = ({"DISCORD_TOKEN": "token", "DISCORD_API_BASE": url} if platform == "discord" else
           {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_API_URL": url})
    line = plain_line(run(tmp_path, "run", LOG_LEVEL="WARNING", **env))
    variable = "DISCORD_API_BASE" if platform == "discord" else "SLACK_API_URL"
    assert f": {why.format(port=port)} — check {variable} and the network" in line, line
