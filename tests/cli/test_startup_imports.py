"""The console starts without the heavy libraries: plotting, the matching solvers and the
platform SDKs are imported by the feature that uses them, not by `python -m bot run`.

(Start-up time itself is measured in bench/startup_bench.py, never asserted here.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("matplotlib", "scipy", "numpy", "networkx", "discord", "slack_bolt", "slack_sdk")

# Runs the real CLI verb on piped lines, then reports which heavy top-level packages were loaded.
PROBE = """
import json, sys
from bot.cli import main
code = main(["run"])
print("MODULES=" + json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
raise SystemExit(code)
"""


def console_modules(tmp_path: Path, typed: str) -> tuple[set[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "BOT_", "DATABASE_URL"))}
    env.update(PYTHONPATH=str(ROOT), BOT_CONFIG=str(ROOT / "schedules.yaml"),
               DATABASE_URL=f"sqlite:///{tmp_path / 'start.db'}")
    result = subprocess.run([sys.executable, "-c", PROBE], input=typed, cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES="))), result.stdout


def test_the_console_starts_and_answers_without_plotting_solvers_or_platform_sdks(tmp_path: Path) -> None:
    loaded, out = console_modules(tmp_path, "/help\nhello everyone\n/stats me\n")

    assert "Cohort Bot console" in out and "/stats" in out
    assert sorted(loaded & set(HEAVY)) == []


def test_a_chart_still_renders_on_demand_in_the_same_console(tmp_path: Path) -> None:
    loaded, out = console_modules(tmp_path, "hello everyone\n/stats chart days:7\n")

    assert ".png" in out, out  # the attachment the console saved
    assert "matplotlib" in loaded  # imported by the command that drew it


def test_the_sdk_names_cost_no_more_than_the_core_a_cog_needs() -> None:
    """``from bot import ...`` is every name a cog may use; the schedule helpers among them load
    APScheduler's trigger base only when a cog first asks for one, so a CLI verb that only
    imports ``bot`` (manifest, invite) loads no scheduler and no heavy library."""
    probe = ("import json, sys; import bot; before = sorted({n.split('.')[0] for n in sys.modules}); "
             "from bot import parse_when; print(json.dumps([before, 'apscheduler' in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded, scheduler_after = json.loads(result.stdout)
    assert sorted(set(loaded) & {*HEAVY, "apscheduler"}) == [] and scheduler_after
