"""The console adapter driven through stdin, as a user or a script would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_console(tmp_path: Path, script: str, *args: str, config: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'console.db'}"
    env["PYTHONPATH"] = str(ROOT)
    if config is not None:
        path = tmp_path / "schedules.yaml"
        path.write_text(config)
        env["BOT_CONFIG"] = str(path)
    return subprocess.run([sys.executable, "-m", "bot", "run", *args], input=script, capture_output=True,
                          text=True, timeout=120, env=env, cwd=tmp_path)


def test_help_through_piped_stdin_lists_commands_and_exits_0(tmp_path: Path) -> None:
    result = run_console(tmp_path, "/help\n")
    assert result.returncode == 0, result.stderr
    assert "Commands you can use" in result.stdout
    assert "/help" in result.stdout and "/about" in result.stdout


def test_console_runs_commands_buttons_and_messages(tmp_path: Path) -> None:
    config = "cogs: [tests.fixtures.sample_cog]\n"
    script = "\n".join([
        "/sample echo hi times:2",
        "/sample echo hi times:9",
        "/sample buttons",
        "click 1",
        "click 99",
        "just chatting here",
        ":as bob member",
        "/sample secret",
        ":as ivy instructor",
        "/sample secret",
    ]) + "\n"
    result = run_console(tmp_path, script, config=config)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "hi [calm] hi [calm]" in out
    assert "times: must be at most 3 (got 9)" in out and "Usage: /sample echo" in out
    assert "[1] One  [2] Staff" in out
    assert "you picked 1" in out
    assert "there is no button [99]" in out
    assert "you: just chatting here" in out
    assert "only instructors can use /sample secret" in out
    assert out.count("the secret") == 1


def test_member_role_from_the_command_line(tmp_path: Path) -> None:
    result = run_console(tmp_path, "/sample secret\n", "--as", "max", "--role", "member",
                         config="cogs: [tests.fixtures.sample_cog]\n")
    assert "you are max (member)" in result.stdout
    assert "only instructors can use /sample secret" in result.stdout


def test_broken_config_stops_with_file_line_errors(tmp_path: Path) -> None:
    result = run_console(tmp_path, "/help\n", config="communities:\n  - id: x\n    timezone: Nowhere/Land\n")
    assert result.returncode == 1
    assert "schedules.yaml:3:15: timezone: unknown time zone" in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_reference_and_db_upgrade(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").touch()  # no schedules (a missing BOT_CONFIG is an error)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'ref.db'}", "PYTHONPATH": str(ROOT),
           "BOT_CONFIG": str(tmp_path / "empty.yaml")}
    ref = subprocess.run([sys.executable, "-m", "bot", "commands", "--markdown"], capture_output=True, text=True,
                         timeout=60, env=env, cwd=tmp_path)
    assert ref.returncode == 0 and "### /help" in ref.stdout and "| command | who | what |" in ref.stdout
    up = subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], capture_output=True, text=True,
                        timeout=60, env=env, cwd=tmp_path)
    assert up.returncode == 0 and "database at head" in up.stdout


def test_buttons_on_private_replies_can_be_clicked(tmp_path: Path) -> None:
    """A preview or a confirm button that only you see must work on the console too."""
    config = "cogs: [tests.fixtures.console_private_cog]\n"
    result = run_console(tmp_path, "/private ask\nclick 1\n", config=config)
    assert result.returncode == 0, result.stderr
    assert "(only you can see this) Cohort Bot:" in result.stdout
    assert "[1] Confirm" in result.stdout
    assert "confirmed by you" in result.stdout


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_console_serves_http_on_port_and_a_busy_port_is_one_log_line(tmp_path: Path) -> None:
    """The console serves the core web server on 127.0.0.1:$PORT; with the port taken the chat
    still starts and one line says why there is no HTTP."""
    import socket
    import time
    import urllib.error
    import urllib.request

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    (tmp_path / "empty.yaml").touch()  # no schedules (a missing BOT_CONFIG is an error)
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'web.db'}", PYTHONPATH=str(ROOT), PORT=str(port),
               BOT_CONFIG=str(tmp_path / "empty.yaml"))
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert "Cohort Bot console" in proc.stdout.readline()
        health = None
        for _ in range(200):  # the server starts right after the adapter printed its banner
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
                    health = response.read()
                    break
            except urllib.error.URLError:
                time.sleep(0.05)
        assert health == b'{"ok": true, "adapters": ["console"]}'
        proc.stdin.write("/about\n")
        proc.stdin.close()
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        env["PORT"] = str(taken)
        result = subprocess.run([sys.executable, "-m", "bot", "run"], input="/about\n", capture_output=True,
                                text=True, timeout=120, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Cohort Bot" in result.stdout and "/about" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if str(taken) in line]
    assert len(lines) == 1 and "cannot listen" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_control_characters_are_shown_escaped_never_sent_to_the_terminal(tmp_path: Path) -> None:
    config = "cogs: [tests.fixtures.sample_cog]\n"
    script = "hi \x1b[2J\x1b]0;pwned\x07there\r\n/sample echo \x1b[31mred\n:as \x1b[1mbold\n"
    result = run_console(tmp_path, script, config=config)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "you: hi \\x1b[2J\\x1b]0;pwned\\x07there" in out
    assert "\\x1b[31mred [calm]" in out  # what the bot posts back is escaped too
    assert "a name is 1 to" in out and "You are now" not in out  # a name with controls is refused


def test_an_unknown_role_changes_nothing(tmp_path: Path) -> None:
    config = "cogs: [tests.fixtures.sample_cog]\n"
    script = ":as zoe memb\n/sample secret\n:as zoe member\n/sample secret\n:as\n:channel\n:as ivy admin extra\n"
    out = run_console(tmp_path, script, config=config).stdout
    assert 'unknown role "memb" — use member, instructor or admin. You are still you (instructor).' in out
    assert "You are now zoe" in out and out.count("You are now") == 1
    assert out.count("the secret") == 1  # as you (instructor); then zoe (member) is refused
    assert "only instructors can use /sample secret" in out
    assert "usage: :as NAME [member|instructor|admin] — nothing changed" in out
    assert "usage: :channel NAME — nothing changed" in out


@pytest.mark.parametrize("line, shown", [("click -1", '"-1"'), ("click x", '"x"'), ("click", "nothing"),
                                         ("click 0", '"0"'), ("CLICK 1.5", '"1.5"')])
def test_a_click_without_a_button_number_is_an_error_not_a_message(tmp_path: Path, line: str, shown: str) -> None:
    result = run_console(tmp_path, f"{line}\n", config="cogs: [tests.fixtures.sample_cog]\n")
    assert f"click takes the number of a button, like click 1 (got {shown})" in result.stdout
    assert "you: click" not in result.stdout.lower()
