"""/help as people see it: every command they may use, in pages that fit, written as the README writes it."""

from __future__ import annotations

import re
from pathlib import Path

from bot.builtin import HELP_PAGE_CHARS
from bot.content import pack_lines

from .test_console import run_console


async def test_instructor_help_lists_every_command_once_in_pages_that_fit(make_bot) -> None:
    bot = await make_bot()  # every built-in cog
    result = await bot.command("/help", as_="ivy", role="instructor")
    pages = [r.content for r in result.replies]
    assert len(pages) >= 2 and all(len(p.text) <= HELP_PAGE_CHARS for p in pages)
    assert [p.title for p in pages] == [f"Commands you can use ({n}/{len(pages)})" for n in range(1, len(pages) + 1)]
    usages = [line for p in pages for line in p.text.splitlines() if line.startswith("  `")]
    expected = sorted(spec.usage() for _, spec in bot.app.tree.specs())
    assert sorted(u.split("`")[1] for u in usages) == expected
    # who may use a command is said once: no "(instructors). _(instructor)_"
    assert not [u for u in usages if re.search(r"\(instructors?\)\.? _\(", u)]


def test_pages_break_between_blocks_and_only_split_a_block_too_big_for_one() -> None:
    blocks = [["a" * 30, "b" * 30], ["c" * 30], ["d" * 50, "e" * 50]]
    assert pack_lines(blocks, 70) == ["a" * 30 + "\n" + "b" * 30, "c" * 30, "d" * 50, "e" * 50]
    assert pack_lines(blocks, 1000) == ["\n".join(line for block in blocks for line in block)]


def test_console_help_writes_options_as_the_readme_does(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "/stats member user:<@member>" in readme
    out = run_console(tmp_path, ":as ivy instructor\n/help stats\n").stdout
    assert "/stats member user:<@member>" in out


async def test_help_for_one_subcommand_shows_only_it_and_an_unknown_one_is_named_short(make_bot) -> None:
    bot = await make_bot(cogs=["cogs.polls"])
    r = await bot.command("/help poll create")
    assert "/poll create question:" in r.text and "/poll close" not in r.text
    r = await bot.command("/help " + "nonsense " * 100)
    assert r.text.startswith('No command "nonsense nonsense') and r.text.endswith('…" that you can use. Try /help.')
    assert len(r.text) < 110
