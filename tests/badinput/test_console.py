"""Every command with bad input on the console (the real console adapter, in-process): no
traceback in the log, no raw library text, every error a private line."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.access import Access
from bot.adapters.console import ConsoleAdapter
from bot.app import BotApp
from bot.clock import FakeClock
from bot.config import parse_config
from bot.storage import Database
from bot.testing.harness import migrated_sqlite

from .corpus import answer_problems, lines_for, raw_text_in, tracebacks
from .world import COGS, SETUP, community


async def console_bot(tmp_path: Path) -> tuple[BotApp, ConsoleAdapter, io.StringIO]:
    config = parse_config(community("console", "console", instructors="{users: [ivy]}"), "schedules.yaml", cogs=COGS)
    db = Database(migrated_sqlite(tmp_path / "console.db", config.cogs))
    app = BotApp(config=config, db=db, clock=FakeClock())
    app.load_cogs()
    out = io.StringIO()
    adapter = ConsoleAdapter(app, user="ivy", stdin=io.StringIO(""), stdout=out, files_dir=tmp_path / "files")
    await app.start([adapter])
    return app, adapter, out


async def say(adapter: ConsoleAdapter, out: io.StringIO, text: str, user: str, role: Access) -> tuple[list[Any], str]:
    """Run one line as ``user``; (the replies, everything the console printed for it)."""
    start = out.tell()
    responder = await adapter.command(text, user=user, access=role, channel="general", server="console")
    out.seek(start)
    printed = out.read()
    return responder.replies, printed


@pytest.mark.parametrize("role", [Access.MEMBER, Access.INSTRUCTOR], ids=["member", "instructor"])
async def test_every_command_with_bad_input_answers_one_clear_private_line(tmp_path: Path, caplog: Any,
                                                                           role: Access) -> None:
    caplog.set_level(logging.WARNING)
    app, adapter, out = await console_bot(tmp_path)
    user = "ivy" if role is Access.INSTRUCTOR else "ana"
    problems: list[str] = []
    try:
        assert not app.load_errors, app.load_errors
        for name in ("ana", "zoe"):
            await adapter.join_as(name, server="console")
        for text in SETUP:
            await say(adapter, out, text, "ivy", Access.INSTRUCTOR)
        specs = [spec for _, spec in app.tree.specs()]
        assert len(specs) > 40  # every cog's commands, taken from the registry
        for spec in specs:
            for line in lines_for(spec):
                caplog.clear()
                replies, printed = await say(adapter, out, line.text, user, role)
                problems += answer_problems(line, [(r.text, r.ephemeral) for r in replies])
                if found := raw_text_in(printed):
                    problems.append(f"{line}: the console printed {found}: {printed[:300]!r}")
                if logged := tracebacks(caplog.records):
                    problems.append(f"{line}: logged {logged}")
                if not replies and spec.name != "forget":
                    problems.append(f"{line}: no answer at all")
    finally:
        await app.stop()
        app.db.dispose()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def forged_clicks(app: BotApp) -> list[tuple[str, str]]:
    """(why, action id) for every button and form the cogs declare: ids naming nothing, numbers
    past every bound or below zero, text where a number goes, a part missing or one too many."""
    clicks = []
    for cog in app.cogs.values():
        for action in cog.actions.values():
            head = f"{cog.name}:{action.name}"
            for why, value in (("unknown", "987654"), ("huge", str(10**40)), ("negative", "-1"), ("text", "abc")):
                parts = [value if typ is int else ("no-such-thing" if why == "unknown" else value)
                         for _, typ in action.arg_types]
                clicks.append((why, ":".join([head, *parts])))
            if len(action.arg_types) > 1:  # a real first id (poll 1, event 1), the rest naming nothing
                clicks.append(("real id, bad rest", ":".join([head, "1", *["987654"] * (len(action.arg_types) - 1)])))
            clicks += [("a part missing", ":".join([head, *["1"] * max(0, len(action.arg_types) - 1)])),
                       ("a part too many", ":".join([head, *["1"] * (len(action.arg_types) + 1)]))]
    return clicks


@pytest.mark.parametrize("role", [Access.MEMBER, Access.INSTRUCTOR], ids=["member", "instructor"])
async def test_every_button_and_form_with_a_forged_or_stale_id_answers_one_clear_private_line(
        tmp_path: Path, caplog: Any, role: Access) -> None:
    caplog.set_level(logging.WARNING)
    app, adapter, out = await console_bot(tmp_path)
    user = "ivy" if role is Access.INSTRUCTOR else "ana"
    problems: list[str] = []
    try:
        for text in SETUP:
            await say(adapter, out, text, "ivy", Access.INSTRUCTOR)
        clicks = forged_clicks(app)
        assert len({c.split(":")[0] for _, c in clicks}) >= 7  # every cog's buttons, from their declarations
        long_values = {name: "x" * 4001 for name in ("answer", "text", "reason", "question", "q1", "q2", "topic")}
        for why, action_id in clicks:
            caplog.clear()
            responder = await adapter.click(action_id, user=user, access=role, values=long_values, server="console")
            line = f"click {action_id} [{why}]"
            problems += answer_problems(line, [(r.text, r.ephemeral) for r in responder.replies])
            if logged := tracebacks(caplog.records):
                problems.append(f"{line}: logged {logged}")
    finally:
        await app.stop()
        app.db.dispose()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
