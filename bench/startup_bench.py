"""Start-up: ``python -m bot run`` on the console, from exec to the first prompt.

The bot runs in a pseudo-terminal, as a person starts it, so the time includes the line
editor (prompt_toolkit) and ends when the prompt ``you #general> `` is drawn. Each run gets a
fresh working directory and SQLite file (the migrations run, as on a first start); a second
figure restarts on the same database (the usual case). Baseline: a bare ``python -c pass``.
Beside the wall time, the CPU time the bot's process had used when its prompt appeared: on a
machine shared with other work the wall time is mostly waiting for a core, the CPU time is not.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .stats import summary

PROMPT = b"#general> "
HEAVY = ("matplotlib", "scipy", "numpy", "networkx", "discord", "slack_bolt", "slack_sdk", "aiohttp")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def to_prompt(workdir: Path, timeout: float = 60.0) -> tuple[float, float]:
    """Seconds from spawning the bot in a pty until its prompt is on the screen, and the CPU
    seconds its process had used by then."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "DATABASE_URL", "BOT_"))}
    env.update(TERM="dumb", PYTHONDONTWRITEBYTECODE="0", BOT_CONFIG=str(Path(__file__).parent.parent / "schedules.yaml"))
    master, slave = pty.openpty()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], stdin=slave, stdout=slave, stderr=slave,
                            cwd=workdir, env=env, close_fds=True, start_new_session=True)
    os.close(slave)
    seen = b""
    try:
        while PROMPT not in seen:
            left = timeout - (time.perf_counter() - start)
            if left <= 0 or proc.poll() is not None:
                raise RuntimeError(f"no prompt from `python -m bot run`: {seen[-500:]!r}")
            ready, _, _ = select.select([master], [], [], left)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    continue
        return time.perf_counter() - start, process_cpu(proc.pid)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)


def bare_python() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def run(quick: bool = False) -> list[dict[str, Any]]:
    runs = 1 if quick else 5
    first, again, bare, cpu_first, cpu_again = [], [], [], [], []
    for _ in range(runs):
        workdir = Path(tempfile.mkdtemp(prefix="bench-startup-"))
        try:
            for walls, cpus in ((first, cpu_first), (again, cpu_again)):
                wall, cpu = to_prompt(workdir)
                walls.append(wall)
                cpus.append(cpu)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        bare.append(bare_python())
    return [
        {"row": "start-up", "measure": f"`python -m bot run` to the console prompt (pty, {runs} runs), existing database",
         "value": summary(again, "s", digits=2), "baseline": f"bare `python -c pass`: {summary(bare, 's', digits=2)}",
         "target": "< 1.5 s", "ok": sorted(again)[len(again) // 2] < 1.5},
        {"row": "start-up", "measure": "same, existing database: CPU time of the bot's process when the prompt appeared",
         "value": summary(cpu_again, "s", digits=2), "baseline": "—", "target": "—"},
        {"row": "start-up", "measure": "same, first start (new SQLite file: every migration runs)",
         "value": summary(first, "s", digits=2), "baseline": "—", "target": "—"},
        {"row": "start-up", "measure": "same, first start: CPU time when the prompt appeared",
         "value": summary(cpu_first, "s", digits=2), "baseline": "—", "target": "—"},
    ]
