"""The Discord adapter's outgoing side and the `python -m bot run` black box, against the fake Discord."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot import MessageRef
from bot.content import Attachment, Button, Content, Field
from bot.testing.fake_discord import FakeDiscord

from .discord_support import ALICE, GENERAL, GUILD, IVY, MENTORING, bot, fake  # noqa: F401

pytestmark = pytest.mark.filterwarnings("error::ResourceWarning")


# -- outgoing ----------------------------------------------------------------------------------
async def test_send_renders_embeds_buttons_files_and_safe_mentions(fake: FakeDiscord, bot: Any) -> None:
    _, adapter = bot
    content = Content(text=f"Hi <@{ALICE}> @everyone", title="Weekly digest", fields=[Field("Messages", "12")],
                      files=[Attachment("stats.csv", b"a,b\n1,2\n", "text/csv")])
    content.add_buttons([Button("Vote", "sample:pick:2", style="primary")])
    ref = await adapter.send(str(GUILD), str(GENERAL), content)
    posted = fake.message(ref.message_id)
    assert posted["embeds"][0]["title"] == "Weekly digest"
    assert posted["embeds"][0]["fields"][0] == {"name": "Messages", "value": "12", "inline": True}
    assert posted["components"][0]["components"][0]["custom_id"] == "sample:pick:2"
    assert [a["filename"] for a in posted["attachments"]] == ["stats.csv"]
    request = fake.requests_to("POST", rf"^/channels/{GENERAL}/messages$")[-1]
    assert request.json["allowed_mentions"]["parse"] == ["users"]

    await adapter.edit(ref, Content(text="closed"))
    assert fake.message(ref.message_id)["content"] == "closed"
    assert fake.message(ref.message_id)["embeds"] == [] and fake.message(ref.message_id)["components"] == []


async def test_threads_private_groups_and_channel_names(fake: FakeDiscord, bot: Any) -> None:
    _, adapter = bot
    ref = await adapter.send(str(GUILD), str(GENERAL), Content(text="What surprised you?"))
    thread_id = await adapter.start_thread(ref, "Discussion")
    reply = await adapter.send(str(GUILD), str(GENERAL), Content(text="in thread"), thread_id=thread_id)
    assert fake.message(reply.message_id)["channel_id"] == thread_id and reply.thread_id == thread_id

    group = await adapter.open_group(str(GUILD), [str(ALICE), str(IVY)], "mentoring: alice & ivy",
                                     Content(text="Say hi"))
    thread = fake.state.channels[group.thread_id]
    assert thread["parent_id"] == str(MENTORING) and thread["type"] == 12
    assert {str(ALICE), str(IVY)} <= fake.state.thread_members[group.thread_id]

    assert (await adapter.resolve_channel(str(GUILD), "#general")).id == str(GENERAL)
    assert (await adapter.resolve_channel(str(GUILD), f"<#{MENTORING}>")).name == "mentoring"
    assert (await adapter.resolve_channel(str(GUILD), str(GENERAL))).name == "general"
    assert await adapter.resolve_channel(str(GUILD), "nowhere") is None


async def test_dm_returns_none_when_the_member_has_dms_closed(fake: FakeDiscord, bot: Any) -> None:
    _, adapter = bot
    fake.close_dms(ALICE)
    assert await adapter.dm(str(GUILD), str(ALICE), Content(text="Your match")) is None
    ref = await adapter.dm(str(GUILD), str(IVY), Content(text="Your match"))
    assert isinstance(ref, MessageRef) and fake.message(ref.message_id)["content"] == "Your match"


# -- the black box: python -m bot run ------------------------------------------------------------
async def test_bot_run_connects_to_a_compatible_server_from_the_environment(fake: FakeDiscord,
                                                                            tmp_path: Path) -> None:
    import os
    import signal
    import sys

    (tmp_path / "schedules.yaml").write_text("cogs: [tests.fixtures.sample_cog]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "BOT_"))}
    env.update(DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base,
               DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}", PYTHONPATH=str(Path(__file__).parents[2]))
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await fake.wait_for(lambda: fake.identify_count == 1, 30)
        put = await fake.wait_for_request("PUT", r"^/applications/\d+/commands$", 30)
        assert {c["name"] for c in put.json} == {"about", "dashboard", "help", "privacy", "sample"}
        assert fake.requests_to("GET", r"^/gateway/bot$"), "the gateway came from GET /gateway/bot"
        logged = b""
        async with asyncio.timeout(30):  # started once the invite URL is logged
            while b"oauth2/authorize" not in logged and not process.stderr.at_eof():  # type: ignore[union-attr]
                logged += await process.stderr.readline()  # type: ignore[union-attr]
        assert f"client_id={fake.state.application_id}&scope=bot+applications.commands".encode() in logged
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert "Traceback" not in stderr.decode() and "Unclosed" not in stderr.decode()
