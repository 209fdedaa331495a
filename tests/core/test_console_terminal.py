"""The console in a real terminal (a pty): line editing, history, Ctrl-C/Ctrl-D quit cleanly."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parents[2]
LEFT, UP = "\x1b[D", "\x1b[A"


def spawn(tmp_path: Path) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "BOT_", "PORT"))}
    (tmp_path / "empty.yaml").touch()  # no schedules (a missing BOT_CONFIG is an error)
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'tty.db'}", BOT_CONFIG=str(tmp_path / "empty.yaml"),
               PYTHONPATH=str(ROOT), TERM="xterm",
               PROMPT_TOOLKIT_NO_CPR="1")  # the pty does not answer cursor-position queries
    child = pexpect.spawn(sys.executable, ["-m", "bot", "run"], env=env, cwd=str(tmp_path), encoding="utf-8",
                          timeout=90, dimensions=(40, 200))
    child.expect("Ctrl-D or Ctrl-C ends")
    child.expect("general>")
    return child


def test_arrow_keys_edit_the_line_and_up_recalls_the_last_one(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    child.send("helo" + LEFT + "l\r")  # fix the typo in the middle of the line
    child.expect(r"\[#general\] you: hello  \(m1\)")
    child.send(UP + "\r")  # the same line again, from the history
    child.expect(r"\[#general\] you: hello  \(m2\)")
    child.send(":quit\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "^[[D" not in child.before and "Traceback" not in child.before


@pytest.mark.parametrize("key", ["\x03", "\x04"], ids=["ctrl-c", "ctrl-d"])
def test_ctrl_c_or_ctrl_d_quits_at_once_and_cleanly(tmp_path: Path, key: str) -> None:
    child = spawn(tmp_path)
    child.send("/help\r")
    child.expect("Commands you can use")
    child.expect("general>")
    if key == "\x03":
        child.send("half a line")  # Ctrl-C quits even with something typed, no Enter needed
    child.send(key)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "Traceback" not in child.before and "KeyboardInterrupt" not in child.before
