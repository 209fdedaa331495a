"""schedules.yaml validation: every problem reported as FILE:LINE:COL, strictly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_config, parse_config
from bot.errors import ConfigError

GOOD = """\
defaults:
  timezone: America/New_York
  grace: 2h
communities:
  - id: "*"
    name: Data Science Cohort 7
    timezone: Europe/Berlin
    instructors: {roles: [Instructor, TA], users: []}
    term: {start: 2026-01-12, end: 2026-03-20, breaks: ["2026-02-16..2026-02-20"]}
    channels: {discussion: general, staff: instructors}
  - id: console
    platform: console
cogs: []
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "s.yaml")
    return caught.value.problems


def test_a_good_file_loads_with_defaults_applied() -> None:
    config = parse_config(GOOD, "s.yaml")
    star = config.community_for("discord", "123")
    assert star.name == "Data Science Cohort 7" and star.timezone == "Europe/Berlin"
    assert star.grace_period.total_seconds() == 7200
    console = config.community_for("console", "console")
    assert console.timezone == "America/New_York"  # from defaults
    assert star.term.is_active(__import__("datetime").date(2026, 1, 20))
    assert not star.term.is_active(__import__("datetime").date(2026, 2, 17))  # break
    assert star.channel("discussion") == "general"


def test_unknown_key_with_did_you_mean_at_its_line() -> None:
    text = GOOD.replace("    timezone: Europe/Berlin\n", "    timezon: Europe/Berlin\n")
    assert problems(text) == ['s.yaml:7:5: unknown key "timezon" — did you mean "timezone"?']


def test_every_problem_is_reported_at_once() -> None:
    text = """\
defaults:
  timezone: Mars/Olympus
communities:
  - id: a
    platform: telegram
    grace: soon
    term: {start: not-a-date}
  - id: a
    platform: discord
  - id: a
    platform: discord
cogz: []
"""
    found = problems(text)
    joined = "\n".join(found)
    assert 's.yaml:12:1: unknown key "cogz" — did you mean "cogs"?' in found
    assert "s.yaml:2:13: timezone: unknown time zone" in joined
    assert "s.yaml:5:15: platform:" in joined
    assert 's.yaml:6:12: grace: "soon" is not a duration' in joined
    assert "s.yaml:7:19: term.start:" in joined
    assert 's.yaml:10:9: duplicate community id "a"' in joined


def test_unknown_cog_is_reported_with_a_suggestion() -> None:
    found = problems("cogs: [cogs.pols]\n")
    assert found[0].startswith("s.yaml:1:8: unknown cog \"cogs.pols\"")
    assert 'did you mean "cogs.polls"' in found[0]


def test_invalid_yaml_syntax_points_at_the_spot() -> None:
    found = problems("communities:\n  - id: x\n   bad indent: [\n")
    assert found[0].startswith("s.yaml:3:") and "invalid YAML" in found[0]


def test_yaml_tags_are_not_executed() -> None:
    found = problems("communities: !!python/object/apply:os.system ['echo pwned']\n")
    assert "invalid YAML" in found[0]


def test_not_a_mapping() -> None:
    assert "expected a mapping" in problems("- just\n- a list\n")[0]


def test_missing_file_is_an_error_only_when_required(tmp_path: Path) -> None:
    assert load_config(tmp_path / "none.yaml").communities == []
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "none.yaml", required=True)


def run_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "check", str(path)], capture_output=True, text=True,
                          timeout=60)


def test_check_command_prints_ok_and_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD)
    result = run_check(path)
    assert result.returncode == 0 and result.stdout.strip() == "ok"


def test_check_command_prints_file_line_errors_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("grace: 2h", "grace: forever"))
    result = run_check(path)
    assert result.returncode == 1
    assert f"{path}:3:10: grace: \"forever\" is not a duration" in result.stderr
    assert "Traceback" not in result.stderr


def test_shipped_schedules_yaml_passes_check() -> None:
    shipped = Path(__file__).resolve().parents[2] / "schedules.yaml"
    if not shipped.exists():
        pytest.skip("no schedules.yaml shipped yet")
    result = run_check(shipped)
    assert result.returncode == 0, result.stderr
