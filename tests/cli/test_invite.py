"""`python -m bot invite`: the Discord invite URL without starting the bot, the same one the
adapter logs at start (one function), or one line saying where the application id is."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord

from bot.adapters.discord import BOT_PERMISSIONS, invite_url

from .test_cli_errors import one_line, run


def test_the_invite_url_from_the_flag_asks_for_exactly_what_the_bot_needs(tmp_path: Path) -> None:
    result = run(tmp_path, "invite", "--application-id", "123456789012345678")
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert url == invite_url("123456789012345678")  # what the adapter logs at start
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == ["123456789012345678"]
    assert query["scope"] == ["bot applications.commands"]
    permissions = discord.Permissions(int(query["permissions"][0]))
    assert permissions == BOT_PERMISSIONS
    assert permissions.send_messages and permissions.create_public_threads and permissions.attach_files
    assert not (permissions.administrator or permissions.manage_guild or permissions.manage_messages)


def test_the_application_id_may_come_from_the_environment(tmp_path: Path) -> None:
    result = run(tmp_path, "invite", DISCORD_APPLICATION_ID="42")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == invite_url(42)
    flag_wins = run(tmp_path, "invite", "--application-id", "7", DISCORD_APPLICATION_ID="42")
    assert "client_id=7&" in flag_wins.stdout


def test_no_application_id_is_one_line_saying_where_to_find_it(tmp_path: Path) -> None:
    line = one_line(run(tmp_path, "invite"))
    assert line.startswith("error: no Discord application id — pass --application-id or set DISCORD_APPLICATION_ID")
    assert "Developer Portal" in line


def test_an_application_id_that_is_not_a_number_is_one_line(tmp_path: Path) -> None:
    line = one_line(run(tmp_path, "invite", "--application-id", "my-bot"))
    assert line == 'error: "my-bot" is not a Discord application id (a number like 123456789012345678)'
