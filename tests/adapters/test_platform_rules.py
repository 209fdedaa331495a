"""The payload rules themselves (tests/platform_rules), and every rendering checked against them.

The rules are the platforms' own: Discord's OpenAPI spec and slack_sdk's Block Kit models.
Generated contents of every size go through both renderers; nothing a cog can build may
render into a message the platform refuses.
"""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.discord.render import render
from bot.adapters.slack.render import message_payload
from bot.content import Button, Content, Field
from tests.platform_rules import check_discord, check_slack

CHANNEL_MESSAGES = "POST /channels/123/messages"


def discord_body(content: Content) -> dict:
    """What discord.py would put in the JSON part of a create-message request."""
    rendered = render(content)
    body: dict = {}
    if rendered.content:
        body["content"] = rendered.content
    if rendered.embed is not None:
        body["embeds"] = [rendered.embed.to_dict()]
    if rendered.view is not None:
        body["components"] = rendered.view.to_components()
    return body


# -- the rules catch what the platforms refuse -------------------------------------------------------
def test_discord_rules_accept_a_plain_message_and_refuse_each_broken_limit() -> None:
    assert check_discord("discord", CHANNEL_MESSAGES, {"content": "hi"}) == []
    too_long = {"content": "x" * 2001}
    big_embed = {"embeds": [{"title": "t", "fields": [{"name": "n", "value": "v" * 1000}] * 7}]}
    long_id = {"components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "a",
                                                          "custom_id": "c" * 101}]}]}
    six_rows = {"components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "a",
                                                           "custom_id": f"c{i}"}]} for i in range(6)]}
    int_snowflake = {"content": "hi", "message_reference": {"message_id": 42}}
    for body, says in [(too_long, "content: 2001"), (big_embed, "7008 characters"), (long_id, "custom_id"),
                       (six_rows, "6 action rows"), (int_snowflake, "message_reference/message_id")]:
        problems = check_discord("discord", CHANNEL_MESSAGES, body)
        assert any(says in p for p in problems), (says, problems)


def test_discord_rules_tolerate_exactly_discord_pys_integer_snowflakes() -> None:
    with_attachment = {"content": "hi", "attachments": [{"id": 0, "filename": "a.csv"}]}
    assert check_discord("discord", CHANNEL_MESSAGES, with_attachment) == []
    assert check_discord("discord", "POST /users/@me/channels", {"recipient_id": 123}) == []
    assert check_discord("discord", "POST /users/@me/channels", {"recipient_id": "x1"}) != []


def test_discord_rules_know_the_endpoints_and_check_interaction_callbacks() -> None:
    assert check_discord("discord", "POST /channels/1/nonsense", {}) == ["no such endpoint in Discord's API: "
                                                                         "POST /channels/1/nonsense"]
    reply = {"type": 4, "data": {"content": "y" * 2001, "flags": 64}}
    assert any("content: 2001" in p for p in check_discord("discord", "POST /interactions/1/tok/callback", reply))
    modal = {"type": 9, "data": {"custom_id": "m", "title": "T" * 46, "components": []}}
    assert any("modal title" in p for p in check_discord("discord", "POST /interactions/1/tok/callback", modal))


def test_slack_rules_use_slack_sdks_validators_and_the_message_limits() -> None:
    assert check_slack("slack", "chat.postMessage", {"channel": "C1", "text": "hi",
                                                     "blocks": [{"type": "section", "text": {"type": "mrkdwn",
                                                                                             "text": "hi"}}]}) == []
    header = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    many = [{"type": "divider"}] * 51
    unknown = [{"type": "section", "text": {"type": "mrkdwn", "text": "a"}, "colour": "red"}]
    for blocks, says in [(header, "150"), (many, "51 blocks"), (unknown, "colour"), ([{"type": "nope"}], "not a Block")]:
        problems = check_slack("slack", "chat.postMessage", {"channel": "C1", "text": "x", "blocks": blocks})
        assert any(says in p for p in problems), (says, problems)
    assert check_slack("slack", "views.open", {"view": {"type": "modal", "title": {"type": "plain_text", "text": "x" * 30},
                                                        "blocks": [{"type": "divider"}]}})


# -- every rendering passes them ----------------------------------------------------------------------
def sized(longest: int) -> st.SearchStrategy[str]:
    """Short random text, or long runs of words (random text that long is slow to generate)."""
    words = st.sampled_from(["word", "<@U0123>", "**bold**", "naïve", "x" * 40])
    return st.one_of(st.text(max_size=30),
                     st.builds(lambda w, n: " ".join([w] * n)[:longest], words, st.integers(1, longest // 3)))


contents = st.builds(
    Content,
    text=sized(7000),
    title=st.one_of(st.none(), sized(400).filter(str.strip)),
    fields=st.lists(st.builds(Field, name=sized(300), value=sized(1500), inline=st.booleans()), max_size=30),
    footer=st.one_of(st.none(), sized(2500).filter(str.strip)),
)
labels = sized(120).filter(str.strip)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
@given(content=contents, buttons=st.lists(labels, max_size=25))
def test_any_content_renders_into_messages_both_platforms_accept(content: Content, buttons: list[str]) -> None:
    content.add_buttons([Button(label, f"poll:vote:1:{i}") for i, label in enumerate(buttons)])
    assert check_discord("discord", CHANNEL_MESSAGES, discord_body(content)) == []
    assert check_slack("slack", "chat.postMessage", {"channel": "C1", **message_payload(content)}) == []


def test_a_title_too_long_for_the_platform_is_shown_whole_in_the_body() -> None:
    question = "Which of these " + "really rather long " * 15 + "options?"  # 300 characters, like a poll question
    content = Content(title=question, text="1. Yes\n2. No")
    embed = discord_body(content)["embeds"][0]
    assert len(embed["title"]) == 256 and embed["title"].endswith("…")
    assert embed["description"] == f"**{question}**\n1. Yes\n2. No"
    blocks = message_payload(content)["blocks"]
    assert blocks[0]["type"] == "header" and len(blocks[0]["text"]["text"]) == 150
    assert blocks[1]["text"]["text"] == f"*{question}*\n1. Yes\n2. No"
    short = Content(title="Best day?", text="1. Mon")
    assert discord_body(short)["embeds"][0]["description"] == "1. Mon"
    assert message_payload(short)["blocks"][1]["text"]["text"] == "1. Mon"


# -- the fakes apply them, and the suite fails the test that broke one -----------------------------
@pytest.mark.breaks_platform_rules
async def test_the_fakes_refuse_a_broken_payload_as_the_platforms_do_and_remember_it() -> None:
    import aiohttp
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.testing import payload_checks
    from bot.testing.fake_discord import FakeDiscord
    from bot.testing.fake_slack import FakeSlack

    async with FakeDiscord() as discord_fake, aiohttp.ClientSession() as http:
        discord_fake.add_guild(1, "g", owner_id=2, channels=[{"id": 3, "name": "general"}])
        async with http.post(f"{discord_fake.api_base}/channels/3/messages", json={"content": "x" * 2001},
                             headers={"Authorization": f"Bot {discord_fake.token}"}) as response:
            assert response.status == 400 and (await response.json())["code"] == 50035  # Invalid Form Body
        assert discord_fake.messages.get("3", []) == []
    async with FakeSlack() as slack_fake:
        slack_fake.add_channel("C1", "general")
        client = AsyncWebClient(token=slack_fake.bot_token, base_url=slack_fake.api_url)
        header = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
        with pytest.raises(SlackApiError, match="invalid_blocks"):
            await client.chat_postMessage(channel="C1", text="x", blocks=header)
    assert [(v.platform, v.operation) for v in payload_checks.seen] == [
        ("discord", "POST /channels/3/messages"), ("slack", "chat.postMessage")]


def test_a_test_whose_bot_broke_a_rule_fails_even_when_the_bot_survived(pytester: pytest.Pytester) -> None:
    conftest = Path(__file__).resolve().parents[1] / "conftest.py"
    pytester.makeconftest(conftest.read_text())
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_inner="""
        from bot.testing import payload_checks

        def test_sends_a_long_message():
            payload_checks.violations_of("discord", "POST /channels/1/messages", {"content": "x" * 2001})
    """)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)  # the run fails: an error at the test's teardown
    result.stdout.fnmatch_lines(["*payloads the platform would refuse*", "*content: 2001 characters, Discord allows 2000*"])


def test_the_rules_know_the_limits_of_fields_rows_modals_and_options() -> None:
    button = {"type": 2, "style": 1, "label": "a", "custom_id": "c"}
    fields = {"embeds": [{"title": "t", "fields": [{"name": "n", "value": "v"}] * 26}]}
    six_in_a_row = {"components": [{"type": 1, "components": [{**button, "custom_id": f"c{i}"} for i in range(6)]}]}
    for body, says in [(fields, "embeds/0/fields"), (six_in_a_row, "components/0/components")]:
        assert any(says in p for p in check_discord("discord", CHANNEL_MESSAGES, body)), says
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "t" * 25}, "blocks": [{"type": "divider"}]}
    assert any("title" in p for p in check_slack("slack", "views.open", {"view": modal}))
    option = {"text": {"type": "plain_text", "text": "o" * 76}, "value": "1"}
    select = [{"type": "section", "text": {"type": "mrkdwn", "text": "pick"},
               "accessory": {"type": "static_select", "action_id": "a", "options": [option]}}]
    assert check_slack("slack", "chat.postMessage", {"channel": "C1", "text": "x", "blocks": select})
