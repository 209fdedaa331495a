"""``python -m bot demo``: a newcomer sees every feature work, end to end, in one run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from demo.cohort import make_cohort

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run_demo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BOT_CONFIG": str(cwd / "absent.yaml")}
    for key in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DATABASE_URL"):
        env.pop(key, None)
    return subprocess.run([sys.executable, "-m", "bot", "demo", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    work = tmp_path_factory.mktemp("demo")
    out = work / "out"
    return run_demo("--members", "40", "--out", str(out), cwd=work), out


def test_demo_runs_the_week_and_writes_the_chart(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, out = demo
    assert result.returncode == 0, result.stderr[-3000:]
    text = result.stdout
    match = re.search(r"^Chart written to (.+)$", text, re.M)
    assert match, text[-2000:]
    chart = Path(match.group(1).strip())
    assert chart.parent.resolve() == out.resolve()
    assert chart.read_bytes().startswith(PNG_SIGNATURE)
    assert (out / "demo.db").exists()


def test_demo_shows_every_feature_working(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    text = demo[0].stdout
    # prompts fire on schedule and members answer in threads
    assert text.count("== 💬 Discussion prompt ==") == 2
    answered = [int(n) for n in re.findall(r"↳ (\d+) members answer in its thread", text)]
    assert len(answered) == 2 and all(n > 0 for n in answered)
    # a poll and a quiz run, and close on their own with their results
    assert "== 🔒 Poll #1 closed:" in text and "== 🔒 Poll #2 closed:" in text
    assert "HAVING ✅" in text
    # a scheduled mentoring round is previewed, confirmed, introduced, and checked in on
    assert "== Mentoring round #1" in text and "Confirmed by instructor" in text
    assert "== You've been matched 🤝 ==" in text and "== Mentoring check-in ==" in text
    # participation: a member's own numbers, an opt-out, the leaderboard
    assert "== Your activity in Data Science Cohort 7 ==" in text
    assert "You're opted out" in text
    assert "== Leaderboard — last 7 days ==" in text


def test_digest_counts_the_week_and_names_who_drifted_away(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    text = demo[0].stdout
    digest = text[text.index("== Weekly digest — Data Science Cohort 7 =="):]
    meetings = re.search(r"Mentor meetings: \d+ members \(\d+%\), (\d+) in all", digest)
    assert meetings and int(meetings.group(1)) > 0
    assert re.search(r"Prompt responses: \d+ members \(\d+%\), \d+ in all", digest)
    at_risk = re.search(r"At risk: (.+)", digest)
    assert at_risk
    drifters = {s.user for s in make_cohort(40) if s.drifter}
    listed = set(re.findall(r"@(\w+)", at_risk.group(1)))
    assert drifters and drifters <= listed
    assert "📎 activity.png" in digest


def test_demo_output_is_a_readable_story(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    lines = demo[0].stdout.splitlines()
    assert len(lines) < 400  # members' actions are summarised, not echoed one by one
    scenes = [line for line in lines if line.startswith("── ")]
    assert scenes[0].startswith("── Monday") and scenes[-1].startswith("── Friday 17:00")
    assert "Traceback" not in demo[0].stderr


def test_demo_refuses_a_cohort_too_small_to_pair(tmp_path: Path) -> None:
    result = run_demo("--members", "2", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2
    assert "at least 4 members" in result.stderr


def test_the_readme_excerpt_is_what_the_demo_prints(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("── Monday 09:00")
    excerpt = readme[start:readme.index("```", start)].splitlines()
    # the run's folder and timing differ each time; "…" marks lines left out
    varying = ("cohort-demo-", "simulated in", "Chart written to")
    stale = [line for line in excerpt if line.strip() not in ("", "…") and not any(v in line for v in varying)
             and line not in demo[0].stdout]
    assert len(excerpt) > 20 and stale == []
