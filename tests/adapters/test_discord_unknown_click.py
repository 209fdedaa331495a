"""A click or form submit whose custom_id no handler knows (a button from an older version of the bot,
a mangled id, a message edited since) is answered — Discord would otherwise show "This interaction failed"."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.content import Button, Content
from bot.testing.fake_discord import FakeDiscord

from .discord_support import ALICE, GENERAL, GUILD, bot, fake, responses  # noqa: F401

pytestmark = pytest.mark.filterwarnings("error::ResourceWarning")


def _said_no_longer_works(records: list[dict[str, Any]]) -> None:
    [reply] = records
    assert reply["type"] == 4 and reply["data"]["flags"] & 64, reply
    assert "no longer works" in reply["data"]["content"] and "older message" in reply["data"]["content"]


@pytest.mark.parametrize("custom_id, component_type", [
    ("old-style-button", 2),          # no cog:action shape at all (an earlier version of the bot)
    ("Poll:Vote:1", 2),               # a mangled id
    ("gone:pick:1", 2),               # a cog this deployment no longer loads
    ("sample:pick", 2),               # a known action with its arguments missing
    ("old-select", 3),                # a select menu from an older message
])
async def test_a_click_nobody_handles_gets_a_short_private_answer(fake: FakeDiscord, bot: Any, custom_id: str,
                                                                  component_type: int,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    app, adapter = bot
    ref = await adapter.send(str(GUILD), str(GENERAL), Content(text="old").add_buttons([Button("Go", "sample:pick:1")]))
    caplog.set_level(logging.DEBUG)
    click = await fake.send_interaction_component(GUILD, GENERAL, ALICE, ref.message_id, custom_id,
                                                  component_type=component_type,
                                                  values=["a"] if component_type == 3 else None)
    _said_no_longer_works(await responses(fake, click))
    assert fake.message(ref.message_id)["content"] == "old", "the message is left alone"
    lines = [r for r in caplog.records if r.name.startswith("bot") and custom_id in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno <= logging.INFO and lines[0].exc_info is None, lines
    assert app.errors.last_reference is None


async def test_a_click_on_a_message_the_bot_no_longer_knows_is_answered(fake: FakeDiscord, bot: Any) -> None:
    click = await fake.send_interaction_component(GUILD, GENERAL, ALICE, 999_999, "sample:pick:1")
    [reply] = await responses(fake, click)
    assert reply["type"] in (4, 7), reply  # the action itself runs: the id names a live handler


async def test_a_form_submit_nobody_handles_gets_a_short_private_answer(fake: FakeDiscord, bot: Any) -> None:
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": "q1", "value": "great"}]}]
    for custom_id in ("old-form", "probe:nosuch:7"):
        submit = await fake.send_modal_submit(GUILD, GENERAL, ALICE, custom_id, rows)
        _said_no_longer_works(await responses(fake, submit))


async def test_an_unknown_click_is_in_the_inbox_before_it_is_answered(fake: FakeDiscord, bot: Any) -> None:
    app, adapter = bot
    ref = await adapter.send(str(GUILD), str(GENERAL), Content(text="old"))
    before = app.inbox.accepted
    click = await fake.send_interaction_component(GUILD, GENERAL, ALICE, ref.message_id, "old-style-button")
    await responses(fake, click)
    assert app.inbox.accepted == before + 1, "stored like any other click before its answer"
