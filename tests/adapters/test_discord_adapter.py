"""The Discord adapter: the real discord.py client against the local fake Discord."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord
import pytest

from bot.adapters.discord import BOT_PERMISSIONS
from bot.content import Button, Content
from bot.errors import ConfigError
from bot.events import MemberJoined, MemberLeft, ReactionAdded, ReactionRemoved
from bot.testing.fake_discord import FakeDiscord

from .discord_support import (ALICE, GENERAL, GUILD, IVY, MANAGE_GUILD, MENTORING, MOD, OWNER, bot,  # noqa: F401
                              eventually, fake, responses, running, sub)

pytestmark = pytest.mark.filterwarnings("error::ResourceWarning")


# -- connecting and registering --------------------------------------------------------------
async def test_connects_identifies_and_sees_the_guild(fake: FakeDiscord, bot: Any) -> None:
    app, adapter = bot
    assert (fake.identify_count, fake.ready_count) == (1, 1)
    intents = discord.Intents(fake.identify_intents)
    assert intents.guilds and intents.guild_messages and intents.guild_reactions and intents.members
    assert not intents.message_content, "the bot never reads message text"
    assert adapter.client is not None and adapter.client.get_guild(GUILD).name == "Cohort 7"
    assert adapter.invite_url == (f"https://discord.com/oauth2/authorize?client_id={fake.state.application_id}"
                                  f"&scope=bot+applications.commands&permissions={BOT_PERMISSIONS.value}")
    assert BOT_PERMISSIONS.send_messages and not BOT_PERMISSIONS.administrator


async def test_registers_one_command_per_cog_with_typed_options(fake: FakeDiscord, bot: Any) -> None:
    commands = {c["name"]: c for c in fake.registered_commands[GUILD]}
    assert set(commands) == {"about", "dashboard", "help", "privacy", "probe", "sample", "staff"}  # core: privacy, dashboard
    assert fake.registered_commands["global"] == []
    sample = {o["name"]: o for o in commands["sample"]["options"]}
    echo = sample["echo"]["options"]
    assert [o["name"] for o in echo] == ["text", "times", "loud", "mood", "wait", "on", "where"]
    assert [o["type"] for o in echo] == [3, 4, 5, 3, 3, 3, 7]
    assert echo[0]["required"] and not any(o["required"] for o in echo[1:])
    assert (echo[0]["max_length"], echo[1]["min_value"], echo[1]["max_value"]) == (20, 1, 3)
    assert [c["value"] for c in echo[3]["choices"]] == ["calm", "happy"]
    assert "30m" in echo[4]["description"]
    assert sample["who"]["options"][0]["type"] == 6
    # /sample mixes member and instructor subcommands: visible to all; /staff is instructor-only.
    assert commands["sample"]["default_member_permissions"] is None
    assert commands["staff"]["default_member_permissions"] == str(MANAGE_GUILD)
    bank = next(o for o in commands["staff"]["options"] if o["name"] == "bank")
    assert bank["type"] == 2 and [o["name"] for o in bank["options"]] == ["add"]
    assert [(o["name"], o["type"]) for o in bank["options"][0]["options"]] == [("bank", 3), ("question", 3),
                                                                               ("upload", 11)]
    assert commands["help"]["options"][0]["name"] == "command", "/help is a top-level command"


async def test_restart_with_the_same_commands_does_not_register_again(fake: FakeDiscord, tmp_path: Path) -> None:
    async with running(fake, tmp_path / "bot.db"):
        pass
    async with running(fake, tmp_path / "bot.db"):
        pass
    assert len(fake.requests_to("PUT", rf"/guilds/{GUILD}/commands$")) == 1
    async with running(fake, tmp_path / "bot.db", discord_guild_ids=""):
        pass
    assert len(fake.requests_to("PUT", r"^/applications/\d+/commands$")) == 1, "a new scope is synced"


async def test_gateway_is_discovered_from_the_api_base(fake: FakeDiscord, tmp_path: Path) -> None:
    async with running(fake, tmp_path / "bot.db", discord_gateway_url=None):
        assert fake.requests_to("GET", r"^/gateway/bot$")
        assert fake.identify_count == 1
    assert discord.http.Route.BASE == "https://discord.com/api/v10", "class attributes are restored on stop"


async def test_missing_members_intent_is_a_clear_config_error(fake: FakeDiscord, tmp_path: Path) -> None:
    fake.gateway.allowed_intents = discord.Intents.default().value & ~discord.Intents(members=True).value
    with pytest.raises(ConfigError) as raised:
        async with running(fake, tmp_path / "bot.db"):
            pass
    [problem] = raised.value.problems
    assert "SERVER MEMBERS INTENT" in problem and "Developer Portal" in problem


async def test_bad_token_is_a_clear_config_error(fake: FakeDiscord, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        async with running(fake, tmp_path / "bot.db", discord_token="wrong"):
            pass
    assert raised.value.problems == ["DISCORD_TOKEN was rejected by Discord (401) — check the bot token"]
    assert fake.identify_count == 0


async def test_unreachable_api_base_is_a_clear_config_error(fake: FakeDiscord, tmp_path: Path) -> None:
    import socket

    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(ConfigError) as raised:
        async with running(fake, tmp_path / "bot.db", discord_api_base=f"http://127.0.0.1:{port}/api/v10",
                           discord_gateway_url=None):
            pass
    [problem] = raised.value.problems
    assert problem.startswith(f"could not reach http://127.0.0.1:{port}/api/v10") and "DISCORD_API_BASE" in problem


# -- slash commands ----------------------------------------------------------------------------
async def test_slash_command_with_options_replies_in_the_channel(fake: FakeDiscord, bot: Any) -> None:
    interaction = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "sample",
                                                      sub("echo", text="hi", times=2, mood="happy"))
    [response] = await responses(fake, interaction)
    assert response["type"] == 4 and not (response["data"].get("flags") or 0) & 64
    assert response["data"]["content"] == "hi [happy] hi [happy]"
    assert [m["content"] for m in fake.messages[GENERAL]] == ["hi [happy] hi [happy]"]


async def test_invalid_option_gets_an_ephemeral_usage_line(fake: FakeDiscord, bot: Any) -> None:
    interaction = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "sample", sub("echo", text="hi", times=5))
    [response] = await responses(fake, interaction)
    assert response["data"]["flags"] & 64
    assert "times: must be at most 3" in response["data"]["content"]
    assert "Usage: /sample echo text:<text>" in response["data"]["content"]
    assert GENERAL not in fake.messages


async def test_instructor_command_is_refused_to_members_and_allowed_to_the_role(fake: FakeDiscord, bot: Any) -> None:
    refused = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "sample", sub("secret"))
    [answer] = await responses(fake, refused)
    assert answer["data"]["flags"] & 64 and "only instructors" in answer["data"]["content"]

    # Manage Server alone does not count once roles are configured.
    moderator = await fake.send_interaction_command(GUILD, GENERAL, MOD, "sample", sub("secret"))
    assert "only instructors" in (await responses(fake, moderator))[0]["data"]["content"]

    allowed = await fake.send_interaction_command(GUILD, GENERAL, IVY, "sample", sub("secret"))
    [answer] = await responses(fake, allowed)
    assert answer["data"]["content"] == "the secret" and answer["data"]["flags"] & 64


async def test_manage_server_makes_an_instructor_when_no_roles_are_configured(fake: FakeDiscord,
                                                                               tmp_path: Path) -> None:
    async with running(fake, tmp_path / "bot.db", yaml=""):
        moderator = await fake.send_interaction_command(GUILD, GENERAL, MOD, "sample", sub("secret"))
        assert (await responses(fake, moderator))[0]["data"]["content"] == "the secret"
        member = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "sample", sub("secret"))
        assert "only instructors" in (await responses(fake, member))[0]["data"]["content"]


async def test_nested_group_member_and_channel_options(fake: FakeDiscord, bot: Any) -> None:
    options = [{"type": 2, "name": "bank", "options": [{"type": 1, "name": "add", "options": [
        {"type": 3, "name": "bank", "value": "reflection"}, {"type": 3, "name": "question", "value": "Why?"}]}]}]
    added = await fake.send_interaction_command(GUILD, GENERAL, OWNER, "staff", options)
    assert (await responses(fake, added))[0]["data"]["content"] == "added to reflection: Why?"

    resolved = {"users": {str(ALICE): fake.state.user(ALICE)}, "members": {str(ALICE): {"nick": "Ali"}},
                "channels": {str(MENTORING): {"id": str(MENTORING), "name": "mentoring", "type": 0}}}
    note = [{"type": 1, "name": "note", "options": [{"type": 6, "name": "who", "value": str(ALICE)},
                                                    {"type": 7, "name": "where", "value": str(MENTORING)}]}]
    noted = await fake.send_interaction_command(GUILD, GENERAL, IVY, "staff", note, resolved=resolved)
    assert (await responses(fake, noted))[0]["data"]["content"] == f"noted {ALICE}/Ali in {MENTORING}"


async def test_attachment_option_is_downloaded_and_size_capped(fake: FakeDiscord, bot: Any) -> None:
    from aiohttp import web

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=b"a,b\n1,2\n", content_type="text/csv")

    cdn = web.AppRunner(web.Application())
    cdn.app.router.add_get("/notes.csv", serve)
    await cdn.setup()
    site = web.TCPSite(cdn, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{cdn.addresses[0][1]}/notes.csv"
    try:
        for size, expected in ((8, "added to r: Why? (notes.csv, 8 bytes)"), (300_000, "notes.csv is too large")):
            resolved = {"attachments": {"900": {"id": "900", "filename": "notes.csv", "size": size, "url": url,
                                                "proxy_url": url, "content_type": "text/csv"}}}
            leaf = [{"type": 3, "name": "bank", "value": "r"}, {"type": 3, "name": "question", "value": "Why?"},
                    {"type": 11, "name": "upload", "value": "900"}]
            options = [{"type": 2, "name": "bank", "options": [{"type": 1, "name": "add", "options": leaf}]}]
            sent = await fake.send_interaction_command(GUILD, GENERAL, OWNER, "staff", options, resolved=resolved)
            [answer] = await responses(fake, sent)
            assert expected in answer["data"]["content"] and answer["data"]["flags"] & 64
    finally:
        await cdn.cleanup()


async def test_declared_slow_command_is_deferred_then_answered(fake: FakeDiscord, bot: Any) -> None:
    interaction = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "probe", sub("slow"))
    deferred, edited = await responses(fake, interaction, 2)
    assert deferred["type"] == 5 and edited["kind"] == "edit"
    assert [m["content"] for m in fake.messages[GENERAL]] == ["slow done"]


async def test_handler_that_takes_too_long_is_deferred_automatically(fake: FakeDiscord, bot: Any) -> None:
    app, adapter = bot
    adapter.defer_after = 0.01
    probe = app.get_cog("probe")
    interaction = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "probe", sub("wait"))
    [deferred] = await responses(fake, interaction)
    assert deferred["type"] == 5
    probe.release.set()
    _, edited = await responses(fake, interaction, 2)
    assert edited["data"]["content"] == "waited"


async def test_error_after_a_public_defer_stays_private(fake: FakeDiscord, bot: Any) -> None:
    interaction = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "probe", sub("slowfail"))
    deferred, error, removed = await responses(fake, interaction, 3)
    assert deferred["type"] == 5 and not (deferred["data"].get("flags") or 0) & 64
    assert error["kind"] == "followup" and error["data"]["flags"] & 64
    assert error["data"]["content"] == "⚠️ that did not work"
    assert removed["kind"] == "delete" and fake.messages[GENERAL] == [], "no public trace of the failure"


# -- buttons and forms -------------------------------------------------------------------------
async def test_button_click_updates_the_message_also_after_a_restart(fake: FakeDiscord, tmp_path: Path) -> None:
    async with running(fake, tmp_path / "bot.db"):
        for _ in range(3):
            posted = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "sample", sub("buttons"))
            await responses(fake, posted)
        first, second, third = fake.messages[GENERAL]
        buttons = first["components"][0]["components"]
        assert [(b["label"], b["custom_id"], b["style"]) for b in buttons] == [
            ("One", "sample:pick:1", 2), ("Staff", "sample:staff:x", 4)]
        click = await fake.send_interaction_component(GUILD, GENERAL, ALICE, first["id"], "sample:pick:1")
        [update] = await responses(fake, click)
        assert update["type"] == 7
        assert fake.message(first["id"])["content"] == "alice picked 1"
        click = await fake.send_interaction_component(GUILD, GENERAL, IVY, third["id"], "sample:pick:1")
        await responses(fake, click)
        assert fake.message(third["id"])["content"] == "ivy picked 1", "still works after a view was cleared"

    async with running(fake, tmp_path / "bot.db"):  # a new process: nothing in memory
        click = await fake.send_interaction_component(GUILD, GENERAL, IVY, second["id"], "sample:pick:1")
        [update] = await responses(fake, click)
        assert update["type"] == 7
        assert fake.message(second["id"])["content"] == "ivy picked 1"


async def test_instructor_button_is_refused_to_members(fake: FakeDiscord, bot: Any) -> None:
    posted = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "sample", sub("buttons"))
    await responses(fake, posted)
    [message] = fake.messages[GENERAL]
    staff = await fake.send_interaction_component(GUILD, GENERAL, ALICE, message["id"], "sample:staff:x")
    [refused] = await responses(fake, staff)
    assert refused["data"]["flags"] & 64 and "only instructors" in refused["data"]["content"]
    allowed = await fake.send_interaction_component(GUILD, GENERAL, IVY, message["id"], "sample:staff:x")
    [answer] = await responses(fake, allowed)
    assert answer["data"]["content"] == "staff action x"
    assert fake.message(message["id"])["content"] == "pick", "an ephemeral answer leaves the message alone"


async def test_slow_button_is_deferred_and_then_updates_the_message(fake: FakeDiscord, bot: Any) -> None:
    app, adapter = bot
    adapter.defer_after = 0.01
    ref = await adapter.send(str(GUILD), str(GENERAL), Content(text="hold?").add_buttons([Button("Hold", "probe:hold:3")]))
    click = await fake.send_interaction_component(GUILD, GENERAL, ALICE, ref.message_id, "probe:hold:3")
    [deferred] = await responses(fake, click)
    assert deferred["type"] == 6, "a deferred update shows no loading message"
    app.get_cog("probe").release.set()
    await responses(fake, click, 2)
    assert fake.message(ref.message_id)["content"] == "held 3"


async def test_form_opens_as_a_modal_and_its_submit_reaches_the_action(fake: FakeDiscord, bot: Any) -> None:
    opened = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "probe", sub("form"))
    [modal] = await responses(fake, opened)
    assert modal["type"] == 9 and modal["data"]["custom_id"] == "probe:answer:7"
    [row] = modal["data"]["components"]
    assert row["components"][0]["custom_id"] == "q1"

    rows = [{"type": 1, "components": [{"type": 4, "custom_id": "q1", "value": "great"}]}]
    submit = await fake.send_modal_submit(GUILD, GENERAL, ALICE, "probe:answer:7", rows)
    [reply] = await responses(fake, submit)
    assert reply["data"]["content"] == "got great for 7" and reply["data"]["flags"] & 64


# -- inbound events ----------------------------------------------------------------------------
async def test_thread_message_reaction_and_membership_become_neutral_events(fake: FakeDiscord, bot: Any) -> None:
    app, _ = bot
    sample, probe = app.get_cog("sample"), app.get_cog("probe")
    await fake.send_message(GUILD, GENERAL, 650, "posted by another bot", bot=True)
    first = await fake.send_message(GUILD, GENERAL, ALICE, "")
    await fake.send_message(GUILD, 900, ALICE, "12345", thread_of=GENERAL, reply_to=first["id"])
    seen = await eventually(lambda: len(sample.seen_events) >= 2 and sample.seen_events)
    [top], [threaded] = [e for e in seen if not e.thread_id], [e for e in seen if e.thread_id]  # any order
    assert (top.message_id, top.channel_id, top.thread_id, top.length) == (first["id"], str(GENERAL), None, 0)
    assert (threaded.channel_id, threaded.thread_id, threaded.reply_to) == (str(GENERAL), "900", first["id"])
    assert threaded.length == 5 and threaded.is_thread_reply

    await fake.send_reaction(GUILD, GENERAL, first["id"], IVY, "✅")
    await fake.send_reaction(GUILD, GENERAL, first["id"], IVY, "✅", removed=True)
    await fake.send_member_join(GUILD, 604, "bruno")
    await fake.send_member_remove(GUILD, 604)
    events = await eventually(lambda: len(probe.events) >= 4 and probe.events)
    by_kind = {type(e): e for e in events}  # handled concurrently, so in any order
    assert set(by_kind) == {ReactionAdded, ReactionRemoved, MemberJoined, MemberLeft} and len(events) == 4
    assert (by_kind[ReactionAdded].message_id, by_kind[ReactionAdded].emoji) == (first["id"], "✅")
    assert by_kind[ReactionRemoved].channel_id == str(GENERAL)
    assert all(e.community_id for e in events)
    assert by_kind[ReactionAdded].member_id != by_kind[MemberJoined].member_id == by_kind[MemberLeft].member_id
    assert len(sample.seen_events) == 2, "the bot-authored message was ignored"


async def test_thread_parent_reaction_author_and_member_join_fields(fake: FakeDiscord, bot: Any) -> None:
    """What welcome/helpdesk/kudos read: a thread started from a message names that message, a
    reaction names the reacted message's author (resolved to a member), a join names no channel."""
    app, _ = bot
    sample, probe = app.get_cog("sample"), app.get_cog("probe")
    question = await fake.send_message(GUILD, GENERAL, ALICE, "")
    await fake.send_message(GUILD, question["id"], IVY, "", thread_of=GENERAL)  # a thread on that message
    seen = await eventually(lambda: len(sample.seen_events) >= 2 and sample.seen_events)
    [threaded] = [e for e in seen if e.thread_id]
    assert threaded.thread_parent_id == question["id"] and threaded.answers(question["id"])
    by_bot = fake.state.new_message(str(GENERAL), fake.state.bot_user, by_bot=True, content="hi")
    await fake.send_reaction(GUILD, GENERAL, question["id"], IVY, "🙏")
    await fake.send_reaction(GUILD, GENERAL, by_bot["id"], IVY, "🙏")
    await fake.send_member_join(GUILD, 605, "carla")
    events = await eventually(lambda: len(probe.events) >= 3 and probe.events)
    on_question = next(e for e in events if isinstance(e, ReactionAdded) and e.message_id == question["id"])
    on_bot_post = next(e for e in events if isinstance(e, ReactionAdded) and e.message_id == by_bot["id"])
    joined = next(e for e in events if isinstance(e, MemberJoined))
    top = next(e for e in seen if not e.thread_id)
    assert on_question.message_author == str(ALICE)
    assert on_question.message_author_id == top.member_id != on_question.member_id
    assert (on_bot_post.message_author, on_bot_post.message_author_id) == (None, 0), "nobody to credit"
    assert joined.channel_id is None and joined.joined_community


async def test_dropped_gateway_resumes_and_events_still_flow(fake: FakeDiscord, bot: Any) -> None:
    app, _ = bot
    sample = app.get_cog("sample")
    await fake.drop_gateway()
    await fake.send_message(GUILD, GENERAL, ALICE, "while away")
    await eventually(lambda: len(sample.seen_events) == 1)
    assert (fake.resume_count, fake.identify_count) == (1, 1)
    interaction = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "sample", sub("echo", text="back"))
    assert (await responses(fake, interaction))[0]["data"]["content"] == "back [calm]"


async def test_sharded_client_connects_and_answers(fake: FakeDiscord, tmp_path: Path) -> None:
    async with running(fake, tmp_path / "bot.db", shard_count=1, shard_ids="0") as (_, adapter):
        assert isinstance(adapter.client, discord.AutoShardedClient)
        assert fake.gateway.identify_payloads[0]["shard"] == [0, 1]
        sent = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "sample", sub("echo", text="hi"))
        assert (await responses(fake, sent))[0]["data"]["content"] == "hi [calm]"
