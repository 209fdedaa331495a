"""Buttons in a Discord DM name their server (Discord sends a DM click without one): pure parts.
The whole path (a welcome DM clicked, its form submitted) is in tests/welcome/test_platforms.py."""

from __future__ import annotations

from types import SimpleNamespace

from bot.adapters.discord.interactions import dm_content, dm_target, in_a_dm
from bot.content import Button, Content


def test_a_dm_button_carries_the_server_and_the_click_gives_it_back() -> None:
    content = Content(text="hi").add_buttons([Button("Go", "welcome:intro:7"), Button("Long", "x:" + "a" * 97)])
    tagged = dm_content(content, "500")
    assert [b.action_id for b in tagged.buttons] == ["welcome:intro:7@500", "x:" + "a" * 97], "101 chars: untouched"
    assert [b.action_id for b in content.buttons] == ["welcome:intro:7", "x:" + "a" * 97], "the original is unchanged"
    in_dm, in_server = SimpleNamespace(guild_id=None), SimpleNamespace(guild_id=500)
    assert dm_target(in_dm, "welcome:intro:7@500") == ("welcome:intro:7", "500")
    assert dm_target(in_dm, "welcome:intro:7") == ("welcome:intro:7", None)
    assert dm_target(in_server, "poll:vote:1:a@500") == ("poll:vote:1:a@500", None), "only DMs are read this way"
    assert in_a_dm("welcome:introsave:7", "not-a-snowflake") == "welcome:introsave:7"
