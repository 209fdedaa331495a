"""The README stays true: its start commands, its command reference, its links and its
schedules.yaml reference match the code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types
from pathlib import Path
from typing import Any, Iterator, Union, get_args, get_origin

from pydantic import BaseModel

from bot.config import build_models, cog_classes, load_config

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START = "<!-- commands:start -->"
END = "<!-- commands:end -->"
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def readme() -> str:
    return README.read_text(encoding="utf-8")


def code_blocks(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^```[a-z]*\n(.*?)^```$", text, re.M | re.S)]


def test_readme_opens_with_the_two_commands_ci_runs() -> None:
    text = readme()
    assert code_blocks(text)[:2] == ["python -m pip install -e '.[dev]' && python -m bot run\n",
                                     "python -m pip install -e '.[dev]' && python -m pytest\n"]
    before = text[:text.index("```")]
    assert len(before.splitlines()) <= 4  # the very top: a title and one sentence


def test_command_reference_is_the_generated_one() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BOT_CONFIG")}
    result = subprocess.run([sys.executable, "-m", "bot", "commands", "--markdown",
                             "--config", str(ROOT / "schedules.yaml")],
                            cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT), "DATABASE_URL": "sqlite://"},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    text = readme()
    assert text.count(START) == 1 and text.count(END) == 1
    copy = text[text.index(START) + len(START):text.index(END)].strip("\n")
    assert copy == result.stdout.strip("\n"), (
        "the README's command reference is stale: replace the text between the commands markers "
        "with the output of `python -m bot commands --markdown`")


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_every_relative_link_points_to_something_that_exists() -> None:
    text = readme()
    prose = re.sub(r"^```.*?^```$", "", text, flags=re.M | re.S)
    anchors = {_anchor(m.group(1)) for m in re.finditer(r"^#+ (.+)$", prose, re.M)}
    links = LINK.findall(prose)
    assert links
    broken = []
    for target in links:
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        path, _, fragment = target.partition("#")
        if not path:
            if fragment not in anchors:
                broken.append(target)
        elif not (README.parent / path).exists():
            broken.append(target)
    assert not broken, f"links to nothing: {broken}"


def _fields(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    for name, field in model.model_fields.items():
        yield prefix + name
        for inner in _models_in(field.annotation):
            yield from _fields(inner, prefix + name + ".")


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if get_origin(annotation) in (list, dict, Union, types.UnionType) or get_args(annotation):
        return [m for arg in get_args(annotation) for m in _models_in(arg)]
    return []


def _described(key: str, section: str) -> bool:
    """A key is described as `key`, `parent.key`, or written out in an example (key: ...)."""
    name = key.rsplit(".", 1)[-1]
    return f"`{key}`" in section or f"`{name}`" in section or re.search(rf"[{{\s`]{name}:", section) is not None


def test_schedules_yaml_reference_describes_every_key() -> None:
    config = load_config(ROOT / "schedules.yaml", required=True)
    classes, problems = cog_classes(config.cogs)
    assert not problems
    community, _ = build_models(classes)
    text = readme()
    section = text[text.index("## schedules.yaml reference"):text.index("## Commands")]
    missing = [key for key in _fields(community) if not _described(key, section)]
    assert not missing, f"keys schedules.yaml accepts but the README does not describe: {missing}"
    for top in ("defaults", "communities", "cogs"):
        assert f"`{top}`" in section


def test_the_shipped_schedules_load_in_the_console_as_the_tour_shows(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "BOT_"))}
    env.update(PYTHONPATH=str(ROOT), BOT_CONFIG=str(ROOT / "schedules.yaml"),
               DATABASE_URL=f"sqlite:///{tmp_path / 'tour.db'}")
    result = subprocess.run([sys.executable, "-m", "bot", "run"], input="/prompt list\n", cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    block = next(b for b in code_blocks(readme()) if b.startswith("/prompt list\n"))
    # the schedule lines, not the "next:" dates (those move with today's date)
    shown = [line for line in block.splitlines()[1:] if line.strip() != "…" and "next:" not in line]
    assert len(shown) >= 4
    assert [line for line in shown if line not in result.stdout] == []


TOUR_OUTPUT = ("  ", "[", "(only you can see this)", "You are now", "Now in", "Left the thread", "Cohort Bot console",
               "…")


def test_the_tour_transcripts_are_what_the_console_prints(tmp_path: Path) -> None:
    """Replays the tour's typed lines (after the /help block, run as another user) in one console
    session: every post, echo and change of place the README shows happens, where it shows it."""
    text = readme()
    tour = text[text.index("## A tour in the console"):]
    tour = tour[:tour.index("\n## ", 5)]
    blocks = [b for b in re.findall(r"^```text\n(.*?)^```$", tour, re.M | re.S)][1:]
    lines = [line for block in blocks for line in block.splitlines()]
    typed = [line for line in lines if not line.startswith(TOUR_OUTPUT)]
    where = [line for line in lines if line.startswith(("[#", "[DM", "You are now", "Now in", "Left the thread"))]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "BOT_", "PORT"))}
    env.update(PYTHONPATH=str(ROOT), BOT_CONFIG=str(ROOT / "schedules.yaml"), PORT="0",
               DATABASE_URL=f"sqlite:///{tmp_path / 'tour.db'}")
    result = subprocess.run([sys.executable, "-m", "bot", "run"], input="\n".join(typed) + "\n", cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    printed = iter(result.stdout.splitlines())
    missing = [line for line in where if not any(out == line for out in printed)]  # in order
    assert missing == [], f"the README's tour shows lines the console does not print (in this order): {missing}"
