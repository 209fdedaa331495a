"""Interactions Discord (or a Discord-compatible server) might send malformed, through the real
discord.py client on the local fake gateway.

A modal submit without ``components`` raised in discord.py's gateway parser, which ended the
gateway task without a log line: the process stayed up (``/healthz`` 200) and never heard from
Discord again. Options that are not a list raised in the command handler (a traceback, no answer).
Now the adapter routes commands, clicks and form submits itself (client.py): a malformed one gets a
clear private answer, and a payload nobody can build an interaction from is ignored and counted.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.testing import discord as kit
from bot.testing.discord import ALICE, GENERAL, GUILD, OWNER, add_cohort_guild, eventually
from bot.testing.fake_discord import FakeDiscord
from bot.testing.fake_discord.interactions import interaction_payload

COGS = ["cogs.polls", "cogs.participation"]


def _raw(fake: FakeDiscord, type: int, data: Any, **extra: Any) -> dict[str, Any]:
    record = fake._new_interaction(GUILD, GENERAL)
    fake._user_and_member(record.guild_id, ALICE)
    payload = interaction_payload(fake.state, record, str(ALICE), type=type, data={})
    payload.update(data=data, **extra)
    return payload


async def _answered(fake: FakeDiscord, sent: dict[str, Any]) -> str:
    records = await eventually(lambda: fake.state.interaction_responses.get(str(sent["id"])))
    return str(kit.text_of(records[-1]))


async def test_malformed_interactions_never_stop_the_gateway_nor_raise(tmp_path: Path,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with add_cohort_guild(FakeDiscord()) as fake, kit.running(fake, tmp_path / "bot.db", cogs=COGS) as (app, _):
        poll = fake.state.find_command("poll", str(GUILD))
        command_id = poll["id"] if poll else "1"
        malformed = [
            _raw(fake, 5, {"custom_id": "poll:submit:1"}),  # modal submit without components
            _raw(fake, 5, {"custom_id": "poll:submit:1", "components": "x"}),
            _raw(fake, 5, {"custom_id": "poll:submit:1", "components": [1, {"type": 1, "components": [None]}]}),
            _raw(fake, 2, {"id": command_id, "name": "poll", "type": 1, "options": "x"}),
            _raw(fake, 2, {"id": command_id, "name": "poll", "type": 1, "options": [{"type": 1, "name": "results",
                                                                                      "options": [7, {"type": 4}]}]}),
            _raw(fake, 2, {"id": command_id, "name": "poll", "type": 1, "resolved": [1], "options": [{"type": 1, "name": "results"}]}),
            _raw(fake, 4, {"id": command_id, "name": "poll", "type": 1, "options": [{"type": 3, "value": {}, "focused": 1}]}),
            _raw(fake, 3, {"component_type": 2}),  # a click without custom_id
            _raw(fake, 99, {}),
        ]
        unbuildable = [  # discord.py cannot even build an Interaction from these
            {**_raw(fake, 2, {"id": command_id, "name": "poll", "type": 1}), "id": "not-a-snowflake"},
            {**_raw(fake, 3, {"component_type": 2, "custom_id": "poll:vote:1:1"}), "application_id": None},
        ]
        answers: dict[str, str] = {}
        for payload in malformed + unbuildable:
            await fake.gateway.dispatch("INTERACTION_CREATE", payload)
            still = await fake.send_interaction_command(GUILD, GENERAL, OWNER, "poll",
                                                        [{"type": 1, "name": "results", "options": [
                                                            {"type": 4, "name": "poll", "value": 1}]}])
            answer = await _answered(fake, still)
            assert "poll #1" in answer or "no such poll" in answer.lower(), (answer, payload["data"])  # still listening
            if payload in malformed and payload["type"] in (2, 3, 5):
                answers[str(payload["data"])] = await _answered(fake, payload)
        await asyncio.sleep(0.2)
        refused = app.refused_events
    # a command, click or form submit with a malformed body still gets one clear private answer
    assert all(answer.startswith("⚠️") for answer in answers.values()), answers
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    assert refused >= 2  # the payloads discord.py could not parse, counted
    assert len([r for r in caplog.records if "ignored a discord event" in r.getMessage()]) == 1  # once a minute
