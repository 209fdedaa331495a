"""Slack faults from the local fake: 429 with Retry-After and 5xx are retried and nothing is lost
or posted twice; a dropped Socket Mode connection is re-established and commands flow again."""

from __future__ import annotations

from typing import Any, AsyncIterator

import pytest

pytest.importorskip("bot.adapters.slack", reason="the Slack adapter is not in this build")

from bot.content import Content  # noqa: E402
from bot.testing.fake_slack import FakeSlack, slash_command_payload  # noqa: E402
from bot.testing.slack import SlackBot  # noqa: E402

GENERAL = "C0GENERAL"
SAMPLE = "tests.fixtures.sample_cog"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_channel(GENERAL, "general", members=["U1"])
        fake.add_user("U1", "ana")
        yield fake


@pytest.fixture
async def slack_bot(fake: FakeSlack, tmp_path: Any) -> AsyncIterator[SlackBot]:
    bot = await SlackBot(fake, tmpdir=tmp_path, cogs=[SAMPLE]).start()
    yield bot
    await bot.stop()


def posted_texts(fake: FakeSlack) -> list[str]:
    return [m["text"] for m in fake.messages.get(GENERAL, [])]


async def test_rate_limited_post_is_retried_after_retry_after_and_sent_once(slack_bot: SlackBot,
                                                                             fake: FakeSlack) -> None:
    fake.rate_limit_next("chat.postMessage", retry_after=1, count=1)
    await slack_bot.adapter.send(fake.team_id, GENERAL, Content(text="weekly prompt"))
    assert posted_texts(fake) == ["weekly prompt"]
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]


async def test_a_server_error_is_retried_and_the_post_sent_once(slack_bot: SlackBot, fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", status=503, count=1)
    await slack_bot.adapter.send(fake.team_id, GENERAL, Content(text="poll closed"))
    assert posted_texts(fake) == ["poll closed"]
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [503, 200]


async def test_socket_mode_reconnects_after_a_drop_and_commands_flow_again(fake: FakeSlack, tmp_path: Any) -> None:
    bot = await SlackBot(fake, tmpdir=tmp_path, cogs=[SAMPLE], socket_mode=True, signing_secret=None).start()
    try:
        await fake.wait_for_socket_connections(1)
        await fake.drop_socket()
        await fake.wait_for_socket_connections(2, timeout=15)
        command = slash_command_payload("/sample", "echo back", user_id="U1", team_id=fake.team_id,
                                        channel_id=GENERAL, response_url=fake.response_url(GENERAL))
        await fake.wait_for_ack(await fake.send_envelope("slash_commands", command))
        await bot.idle()
        await fake.wait_for_call("chat.postMessage")
        assert posted_texts(fake)[-1] == "back [calm]"
    finally:
        await bot.stop()
