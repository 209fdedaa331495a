"""A Discord interaction goes into the inbox as the gateway frame it arrived in (no second JSON
encoding on the ack path), and a restarted bot finishes it from that row — and from a row an older
version stored as the bare payload."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from sqlalchemy import insert, select

from bot.adapters.discord.client import GatewayFrames
from bot.adapters.discord.interactions import interaction_data
from bot.inbox import TABLE
from bot.testing.fake_discord import FakeDiscord
from bot.testing.fake_discord.interactions import interaction_payload

from .discord_support import ALICE, GENERAL, GUILD, bot, eventually, fake, sub  # noqa: F401


def _dead_owner(app: Any) -> str:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return f"{app.inbox.owner.split(':')[0]}:{child.pid}:gone"


def _echo_payload(fake: FakeDiscord, text: str) -> dict[str, Any]:
    """An INTERACTION_CREATE payload for `/sample echo text:<text>` the bot never received."""
    command = fake.state.find_command("sample", str(GUILD))
    record = fake._new_interaction(GUILD, GENERAL)
    data = {"id": command["id"] if command else "1", "name": "sample", "type": 1, "options": sub("echo", text=text)}
    return interaction_payload(fake.state, record, str(ALICE), type=2, data=data)


async def test_the_inbox_row_is_the_gateway_frame_and_a_restart_finishes_both_shapes(fake: FakeDiscord, bot: Any) -> None:
    app, adapter = bot
    stored: list[str] = []
    submit = app.inbox.submit

    def recording(*args: Any, **kwargs: Any) -> Any:
        stored.append(kwargs.get("text") or "")
        return submit(*args, **kwargs)

    app.inbox.submit = recording
    sent = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "sample", sub("echo", text="live"))
    await eventually(lambda: fake.interaction_responses.get(sent["id"]))
    [frame] = stored
    assert json.loads(frame)["t"] == "INTERACTION_CREATE" and json.loads(frame)["d"]["id"] == sent["id"]

    # Left by a process killed after its acknowledgement: one row in each shape, sealed as the inbox does.
    as_frame, as_payload = _echo_payload(fake, "from-frame"), _echo_payload(fake, "from-payload")
    owner = _dead_owner(app)
    rows = [json.dumps({"op": 0, "t": "INTERACTION_CREATE", "s": 9, "d": as_frame}), json.dumps(as_payload)]
    with app.db.engine.begin() as conn:
        for text in rows:
            conn.execute(insert(TABLE).values(platform="discord", kind="interaction", owner=owner,
                                              received_at=app.clock.now(), payload=app.inbox._seal(text)))
    assert await adapter.interactions.finish_unfinished(adapter.client) == 2

    def said(payload: dict[str, Any]) -> str:
        records = fake.interaction_responses.get(payload["id"], [])
        return " ".join(str((r.get("data") or {}).get("content") or "") for r in records)

    await eventually(lambda: said(as_frame) and said(as_payload))
    assert "from-frame [calm]" in said(as_frame) and "from-payload [calm]" in said(as_payload)
    await app.inbox.flush()
    with app.db.engine.connect() as conn:
        assert conn.execute(select(TABLE.c.id).where(TABLE.c.owner != app.inbox.owner)).all() == []


def test_a_frame_is_only_taken_for_the_payload_parsed_from_it() -> None:
    frames = GatewayFrames()
    frames.received('{"op":0,"t":"INTERACTION_CREATE","s":1,"d":{"id":"42","type":2}}')
    assert frames.text_of({"id": "43"}) is None  # another interaction's frame: the payload is encoded instead
    frames.received('{"op":0,"t":"INTERACTION_CREATE","s":2,"d":{"id":"42","type":2}}')
    assert frames.text_of({"id": "42"}) is not None
    assert frames.text_of({"id": "42"}) is None  # used once
    frames.received(b"\x78\x9c")  # a compressed piece discord.py has not decoded yet
    assert frames.text_of({"id": "42"}) is None


def test_stored_rows_of_either_shape_give_the_interaction_payload() -> None:
    payload = {"id": "7", "type": 3, "data": {"custom_id": "poll:vote:1:2"}}
    assert interaction_data({"op": 0, "t": "INTERACTION_CREATE", "s": 5, "d": payload}) == payload
    assert interaction_data(payload) == payload
    assert interaction_data({"t": "INTERACTION_CREATE", "d": "not an object", "id": "8"})["id"] == "8"
