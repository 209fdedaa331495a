"""Discord faults from the local fake: 429 (retry_after + Retry-After) and 5xx are retried, nothing
is lost or sent twice. (A dropped gateway resuming is covered in tests/adapters.)"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("bot.adapters.discord", reason="the Discord adapter is not in this build")

from bot.content import Content  # noqa: E402
from bot.testing.fake_discord import FakeDiscord  # noqa: E402
from tests.adapters.discord_support import ALICE, GENERAL, GUILD, bot, fake, responses, sub  # noqa: E402,F401

MESSAGES = rf"^/channels/{GENERAL}/messages$"


async def test_rate_limited_posts_are_retried_and_sent_once(fake: FakeDiscord, bot: Any) -> None:
    _, adapter = bot
    before = len(fake.messages.get(str(GENERAL), []))
    fake.rate_limit_next(MESSAGES, retry_after=0.05, count=2, method="POST")
    ref = await adapter.send(str(GUILD), str(GENERAL), Content(text="weekly prompt"))
    posted = fake.messages[str(GENERAL)][before:]
    assert [m["content"] for m in posted] == ["weekly prompt"] and posted[0]["id"] == ref.message_id
    assert [r.status for r in fake.requests_to("POST", MESSAGES)][-3:] == [429, 429, 200]


async def test_server_errors_are_retried_with_backoff_and_sent_once(fake: FakeDiscord, bot: Any) -> None:
    _, adapter = bot
    before = len(fake.messages.get(str(GENERAL), []))
    fake.fail_next(MESSAGES, status=502, count=1, method="POST")
    await adapter.send(str(GUILD), str(GENERAL), Content(text="poll closed"))
    assert [m["content"] for m in fake.messages[str(GENERAL)][before:]] == ["poll closed"]
    assert [r.status for r in fake.requests_to("POST", MESSAGES)][-2:] == [502, 200]


async def test_a_rate_limited_interaction_reply_still_reaches_the_member(fake: FakeDiscord, bot: Any) -> None:
    fake.rate_limit_next(r"^/interactions/", retry_after=0.05, count=1)
    interaction = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "sample", sub("echo", text="hi"))
    assert (await responses(fake, interaction))[0]["data"]["content"] == "hi [calm]"
