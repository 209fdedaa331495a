"""Ids Slack could never send (500 characters, control characters) are refused at the gate:
before, a signed slash command with such a user_id reached users.info, and its refusal logged
the whole id at WARNING; the sibling of the bad channel ids in tests/reliability/test_bad_events."""

from __future__ import annotations

import logging
from typing import Any, AsyncIterator

import pytest

from bot.testing.fake_slack import FakeSlack
from bot.testing.slack import SlackBot

GENERAL = "C0GENERAL"
LONG = "U" + "X" * 499


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_channel(GENERAL, "general", members=["U1"])
        fake.add_user("U1", "ana")
        yield fake


@pytest.fixture
async def slack_bot(fake: FakeSlack, tmp_path: Any) -> AsyncIterator[SlackBot]:
    bot = SlackBot(fake, tmpdir=tmp_path, cogs=["tests.fixtures.sample_cog"], yaml="communities:\n  - id: '*'\n")
    await bot.start()
    yield bot
    await bot.stop()


@pytest.mark.parametrize("user", [LONG, "U1\x07", " "])
async def test_a_slash_command_from_an_impossible_user_id_is_refused_before_anything_runs(
        slack_bot: SlackBot, fake: FakeSlack, user: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    status, _ = await slack_bot.command("/sample", "echo hello", user=user)
    await slack_bot.idle()
    assert status == 400
    assert fake.calls_to("users.info") == [] and GENERAL not in fake.messages
    assert not any(LONG in r.getMessage() for r in caplog.records)


async def test_a_click_from_an_impossible_user_id_is_refused(slack_bot: SlackBot, fake: FakeSlack,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    status, _ = await slack_bot.click("sample:pick", user=LONG, channel=GENERAL, message_ts="1700000000.000100")
    assert status == 400 and fake.calls_to("users.info") == []
    assert not any(LONG in r.getMessage() for r in caplog.records)


async def test_a_normal_command_still_runs(slack_bot: SlackBot, fake: FakeSlack) -> None:
    status, _ = await slack_bot.command("/sample", "echo hello", user="U1")
    await slack_bot.idle()
    assert status == 200 and fake.messages[GENERAL][-1]["text"].startswith("hello")
