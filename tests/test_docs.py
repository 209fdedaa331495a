"""docs/ stays true: what the guides say the bot prints or does is what it prints and does."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import discord

from bot.access import Access
from bot.adapters.discord.commands import build_commands
from bot.app import BotApp
from bot.config import parse_config
from bot.storage import Database

ROOT = Path(__file__).resolve().parents[1]
MANAGE_SERVER = str(discord.Permissions(manage_guild=True).value)


def doc(name: str) -> str:
    return (ROOT / "docs" / name).read_text(encoding="utf-8")


def test_operations_shows_what_db_upgrade_prints(tmp_path: Path) -> None:
    claimed = re.search(r'python -m bot db upgrade +# prints "([^"]+)"', doc("operations.md"))
    assert claimed, "operations.md no longer shows the output of db upgrade"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "BOT_"))}
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{tmp_path / 'up.db'}",
               BOT_CONFIG=str(ROOT / "schedules.yaml"))
    result = subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], capture_output=True, text=True,
                            timeout=120, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    shown = claimed.group(1).removesuffix(", ...")
    label, _, revisions = shown.partition(": ")
    printed_label, _, printed = result.stdout.strip().partition(": ")
    assert label == printed_label and set(revisions.split(", ")) <= set(printed.split(", ")), (shown, result.stdout)


def test_discord_guide_says_which_commands_members_see(tmp_path: Path) -> None:
    """Discord hides a top-level command only when every subcommand is for instructors; the
    guide's /prompt example (members see it, for /prompt suggest) must match the payload."""
    app = BotApp(config=parse_config("", "s.yaml"), db=Database(f"sqlite:///{tmp_path / 'd.db'}"))
    app.load_cogs()
    payload = {c["name"]: c for c in build_commands(app.tree.groups)}
    for top, group in app.tree.groups.items():
        lowest = min(spec.access for _, spec in group.values())
        hidden = str(payload[top.lower()]["default_member_permissions"]) == MANAGE_SERVER  # an int in the payload
        assert hidden == (lowest >= Access.INSTRUCTOR), top
    prompt = app.tree.groups["prompt"]
    assert prompt["suggest"][1].access == Access.MEMBER
    assert payload["prompt"]["default_member_permissions"] is None
    text = " ".join(doc("discord.md").split())
    assert "`/prompt` is, because members use `/prompt suggest`" in text
    assert "the whole of `/prompt`" not in text
    app.db.dispose()
