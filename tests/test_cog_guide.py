"""Every Python block in docs/writing-a-cog.md runs: what the guide shows is code that works.

Each block is executed on its own (as a reader copies it), in a fresh module; a block that
defines ``test_*`` functions has them run here with the fixtures they name (``make_bot``,
``tmp_path``; pytest's async fixtures cannot be looked up from inside a running test). A block is left out only with a stated reason, written on the line before it:
``<!-- not run: why -->``. Tables a block defines are removed from the shared metadata after it.
"""

from __future__ import annotations

import inspect
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import SQLModel

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "writing-a-cog.md"
NOT_RUN = re.compile(r"^<!--\s*not run:(?P<reason>.*?)-->\s*$")


@dataclass(frozen=True)
class Block:
    line: int  # the guide's line of the block's first code line
    code: str
    not_run: str | None  # the stated reason, when the block is left out


def python_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        fence = re.match(r"^```(\S*)\s*$", lines[i])
        if not fence:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        if fence.group(1) == "python":
            before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
            marker = NOT_RUN.match(before.strip())
            found.append(Block(i + 2, "\n".join(lines[i + 1:end]), marker.group("reason").strip() if marker else None))
        i = end + 1
    return found


BLOCKS = python_blocks(GUIDE.read_text(encoding="utf-8"))


def test_the_guide_has_blocks_and_every_left_out_one_says_why() -> None:
    assert len(BLOCKS) >= 10
    assert [b.line for b in BLOCKS if b.not_run is not None and not b.not_run] == []


def test_the_block_finder_reads_fences_and_reasons() -> None:
    text = "x\n```python\na = 1\n```\n\n<!-- not run: needs a token -->\n```python\nb = 2\n```\n```sh\nls\n```\n"
    assert python_blocks(text) == [Block(3, "a = 1", None), Block(8, "b = 2", "needs a token")]


@pytest.mark.parametrize("block", [pytest.param(b, id=f"line-{b.line}") for b in BLOCKS])
async def test_the_block_runs(block: Block, make_bot: Any, tmp_path: Path) -> None:
    if block.not_run:
        pytest.skip(f"docs/writing-a-cog.md:{block.line}: {block.not_run}")
    name = f"guide_block_{block.line}"
    module = types.ModuleType(name)
    module.__file__ = str(GUIDE)
    sys.modules[name] = module  # a cog defined in the block can be loaded by name (cogs=[__name__])
    try:
        # padded so that a traceback names the guide's own line numbers
        exec(compile("\n" * (block.line - 1) + block.code, str(GUIDE), "exec"), module.__dict__)
        for test in [v for k, v in vars(module).items() if k.startswith("test_") and inspect.isfunction(v)]:
            fixtures = {"make_bot": make_bot, "tmp_path": tmp_path / test.__name__}
            wanted = list(inspect.signature(test).parameters)
            assert set(wanted) <= set(fixtures), f"{test.__name__} asks for fixtures the guide runner lacks: {wanted}"
            fixtures["tmp_path"].mkdir()
            outcome = test(**{p: fixtures[p] for p in wanted})
            if inspect.isawaitable(outcome):
                await outcome
    finally:
        sys.modules.pop(name, None)
        # only the block's own tables: a bot started by the block imports real models for good
        for value in list(vars(module).values()):
            table = getattr(value, "__table__", None)
            if isinstance(value, type) and value.__module__ == name and table is not None:
                SQLModel.metadata.remove(table)
