"""`python -m bot manifest slack`: the Slack app manifest comes from the loaded cogs and the
adapter, the shipped slack-manifest.yml is that output, and Slack's documented rules accept it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.adapters.slack.events import EVENT_TYPES
from bot.adapters.slack.manifest import slack_manifest
from bot.app import BotApp
from bot.config import parse_config
from bot.storage import Database
from tests.platform_rules.slack_manifest import METHOD_SCOPES, manifest_problems

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "slack-manifest.yml"


def run_manifest(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "BOT_", "SLACK_", "DISCORD_"))}
    return subprocess.run([sys.executable, "-m", "bot", "manifest", "slack", *args], cwd=cwd,
                          env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)


def app_with(cogs: list[str]) -> BotApp:
    app = BotApp(config=parse_config("", "x.yaml"), db=Database("sqlite://"))
    app.load_cogs(cogs)
    assert not app.load_errors, app.load_errors
    return app


def test_the_shipped_manifest_is_the_generated_one() -> None:
    result = run_manifest("--config", str(ROOT / "schedules.yaml"))
    assert result.returncode == 0, result.stderr
    assert SHIPPED.read_text(encoding="utf-8") == result.stdout, (
        "slack-manifest.yml is stale (a command, event or scope changed): regenerate it with "
        "`python -m bot manifest slack > slack-manifest.yml`")


def test_slacks_rules_accept_the_shipped_manifest() -> None:
    manifest = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    assert manifest_problems(manifest) == []
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_http_mode_puts_the_public_url_everywhere_slack_calls(tmp_path: Path) -> None:
    url = "https://bot.example.org/slack/events"
    result = run_manifest("--config", str(ROOT / "schedules.yaml"), "--url", url)
    assert result.returncode == 0, result.stderr
    manifest = yaml.safe_load(result.stdout)
    assert manifest_problems(manifest) == []
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert "YOUR-HOST" not in result.stdout.split("\ndisplay_information:")[1]
    assert {c["url"] for c in manifest["features"]["slash_commands"]} == {url}


def test_every_loaded_command_and_event_is_declared_with_its_scopes() -> None:
    app = app_with(["cogs.polls", "tests.fixtures.sample_cog"])
    manifest = slack_manifest(app)
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {f"/{top}" for top in app.tree.groups}
    assert {"/poll", "/sample", "/help", "/about", "/privacy"} <= set(commands)
    assert commands["/sample"]["description"] == "A sample cog for tests"
    assert commands["/sample"]["usage_hint"].startswith("echo|secret|who|fail|buttons")
    assert commands["/help"]["usage_hint"] == "[command:<text>]"
    assert "usage_hint" not in commands["/about"]  # nothing to type after it
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"message.channels", "reaction_added", "member_joined_channel"} <= set(events)
    assert len(events) >= len(EVENT_TYPES)
    assert manifest_problems(manifest) == []


def test_every_web_api_method_the_adapter_calls_has_its_scopes() -> None:
    """Read from the adapter's source: a new ``client.some_method(`` without its scope in
    bot/adapters/slack/manifest.py SCOPES fails here, before Slack answers missing_scope."""
    called = {m.group(1).replace("_", ".", 1).replace("users_list", "users.list")
              for path in (ROOT / "bot" / "adapters" / "slack").glob("*.py")
              for m in re.finditer(r"client\.([a-zA-Z]+_[a-zA-Z_0-9]+)\(", path.read_text(encoding="utf-8"))}
    assert "chat.postMessage" in called and "usergroups.users.list" in called
    unknown = sorted(called - set(METHOD_SCOPES))
    assert unknown == [], f"add the scopes these methods need to METHOD_SCOPES (tests/platform_rules): {unknown}"
    declared = set(yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))["oauth_config"]["scopes"]["bot"])
    missing = {m: s for m in called if (s := METHOD_SCOPES[m]) and not set(s) <= declared}
    assert missing == {}, "add these scopes to SCOPES in bot/adapters/slack/manifest.py"


def test_a_cog_not_loaded_is_not_in_the_manifest() -> None:
    commands = {c["command"] for c in slack_manifest(app_with([]))["features"]["slash_commands"]}
    assert "/poll" not in commands and "/help" in commands


@pytest.mark.parametrize("broken, expected", [
    ({"features": {"slash_commands": [{"command": "poll", "description": "x"}]}}, "does not match"),
    ({"features": {"slash_commands": [{"command": "/p", "description": "x", "usage": "y"}]}},
     "Additional properties"),
    ({"display_information": {"name": "x" * 36}}, "is too long"),
    ({"settings": {"event_subscriptions": {"bot_events": ["message.im"]}}}, "needs the im:history scope"),
    ({"settings": {"socket_mode_enabled": False}}, "HTTP mode needs the bot's public URL"),
])
def test_the_rules_refuse_what_slack_refuses(broken: dict, expected: str) -> None:
    manifest = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    for key, value in broken.items():
        manifest[key] = {**manifest[key], **value}
    assert any(expected in p for p in manifest_problems(manifest)), manifest_problems(manifest)


def test_a_cog_that_fails_to_load_is_one_line_and_no_manifest(tmp_path: Path) -> None:
    config = tmp_path / "s.yaml"
    config.write_text("cogs: [tests.fixtures.broken_cog]\n", encoding="utf-8")
    result = run_manifest("--config", str(config))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("error: cog tests.fixtures.broken_cog was not loaded")
    assert "Traceback" not in result.stderr
