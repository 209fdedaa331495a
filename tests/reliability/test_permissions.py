"""Every instructor-only (or admin-only) command and button is refused below its level.

The table is derived from what the loaded cogs declare (``app.tree`` and each cog's
``actions``), so a command added later is covered without touching this test. Each command is
typed on the console with plausible option values; each button is pressed with a forged id.
The refusal must be the core's clear message, and the handler must not run.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from bot.access import Access
from bot.adapters.console import ConsoleAdapter

from .permission_table import COGS, guarded, option_text, present_cogs


class Console:
    """The console adapter on a test app, typing lines as one person and reading what it printed."""

    def __init__(self, app: Any, files_dir: Path) -> None:
        self.out = io.StringIO()
        self.adapter = ConsoleAdapter(app, stdin=io.StringIO(), stdout=self.out, files_dir=files_dir)

    async def type(self, line: str, *, user: str, role: Access) -> str:
        self.adapter.user, self.adapter.role = user, role
        start = len(self.out.getvalue())
        await self.adapter.handle_line(line)
        return self.out.getvalue()[start:]

    async def press(self, action_id: str, *, user: str, role: Access) -> str:
        start = len(self.out.getvalue())
        await self.adapter.click(action_id, user=user, access=role)
        return self.out.getvalue()[start:]


@pytest.mark.parametrize("cog_path", COGS)
async def test_guarded_commands_and_buttons_refuse_everyone_below_their_level(
        cog_path: str, make_bot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if cog_path not in present_cogs():
        pytest.skip(f"{cog_path} is not in this build yet")
    bot = await make_bot(cogs=[cog_path])
    assert not bot.app.load_errors, bot.app.load_errors
    upload = tmp_path / "upload.csv"
    upload.write_text("question\nWhat surprised you?\n")
    console = Console(bot.app, tmp_path / "files")
    table = guarded(bot.app, monkeypatch)
    problems: list[str] = []

    async def act(row: Any, user: str, role: Access) -> str:
        if row.kind == "command":
            return await console.type(f"{row.what} {option_text(row.spec, upload)}", user=user, role=role)
        return await console.press(row.action_id, user=user, role=role)

    for row in table:
        for level in [a for a in Access if a < row.needed]:
            out = await act(row, f"low-{level.label}", level)
            if row.refusal not in out or row.spy.calls:
                problems.append(f"{row} as {level.label}: {out.strip()!r} (handler ran {row.spy.calls}x)")
        out = await act(row, "allowed", row.needed)
        if "can use" in out:
            problems.append(f"{row} as {row.needed.label} was refused: {out.strip()!r}")
    assert not problems, "\n".join(problems)
    if cog_path in COGS[:2]:  # the fixtures declare one guarded command and one guarded button each
        assert {row.kind for row in table} == {"command", "button"}


async def test_a_member_mention_on_the_console_is_not_read_as_a_file(make_bot: Any, tmp_path: Path) -> None:
    bot = await make_bot(cogs=["tests.fixtures.sample_cog"])
    console = Console(bot.app, tmp_path)
    await console.type("hello", user="alice", role=Access.MEMBER)  # alice is now a known member
    out = await console.type("/sample who user:@alice", user="ivy", role=Access.INSTRUCTOR)
    assert "that is alice" in out and "cannot read" not in out


async def test_every_button_that_names_a_member_is_pressed_only_by_that_member() -> None:
    """A button carrying a member id (``privacy:cancel:<member>``, ``welcome:intro:<member>``...) acts
    for that member: it must declare ``owner=`` so the core refuses anyone else's click (the issue's
    ``privacy:cancel:<any>`` rewrote another message). Every other button acts on whoever clicks it,
    or is instructor-only."""
    from bot.testing import Harness

    async with Harness() as bot:  # every built-in cog
        actions = [(cog.name, spec) for cog in bot.app.cogs.values() for spec in type(cog).actions.values()]
    assert len(actions) > 15
    unguarded = [f"{cog}:{spec.name}" for cog, spec in actions
                 if any(name == "member_id" for name, _ in spec.arg_types) and spec.owner != "member_id"]
    assert unguarded == []
    assert {f"{cog}:{spec.name}" for cog, spec in actions if spec.owner} >= {
        "privacy:cancel", "privacy:forget", "welcome:intro", "welcome:introsave", "welcome:rules"}
