"""Every /event and /queue command and button on the Discord fake (real discord.py at the wire)
and the Slack fake (real slack-bolt, signed requests), including the native Discord event."""

from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from bot.testing.discord import (ALICE, GENERAL, GUILD, INSTRUCTOR_ROLE, IVY, MOD, DiscordBot, button_ids,
                                 eventually, is_ephemeral, text_of)
from bot.testing.fake_discord import FakeDiscord
from bot.testing.fake_slack import FakeSlack
from bot.testing.slack import SlackBot

COGS = ["cogs.events", "cogs.officehours"]
MANAGE_EVENTS = 1 << 33
FUTURE = "2030-06-05 15:00"  # these bots run on the real clock
DISCORD_YAML = f"""
communities:
  - id: "{GUILD}"
    platform: discord
    timezone: Europe/Berlin
    instructors: {{roles: [Instructor]}}
"""


def discord_fake(*, manage_events: bool) -> FakeDiscord:
    fake = FakeDiscord()
    roles = [{"id": INSTRUCTOR_ROLE, "name": "Instructor"}, {"id": 710, "name": "Events", "permissions": MANAGE_EVENTS}]
    fake.add_guild(GUILD, "Cohort 7", owner_id=600, roles=roles, channels=[{"id": GENERAL, "name": "general"}],
                   members=[{"id": ALICE, "username": "alice"}, {"id": IVY, "username": "ivy", "roles": [INSTRUCTOR_ROLE]},
                            {"id": MOD, "username": "mod"}])
    if manage_events:
        fake.add_member(GUILD, fake.state.bot_user["id"], fake.state.bot_user["username"], roles=[710], bot=True)
    return fake


async def test_events_and_queue_on_discord_with_a_native_scheduled_event(tmp_path: Path) -> None:
    async with discord_fake(manage_events=True) as fake, \
            DiscordBot(fake, tmpdir=tmp_path, yaml=DISCORD_YAML, cogs=COGS) as bot:
        app = bot.app
        app.get_cog("event").live.delay = 0

        async def run(user: int, name: str, sub_name: str, **values: Any) -> dict[str, Any]:
            return await bot.command(name, sub_name, user=user, **values)

        async def click(user: int, message_id: str, custom_id: str) -> dict[str, Any]:
            return await bot.click(message_id, custom_id, user=user)

        created = await run(IVY, "event", "create", title="Jam", when=FUTURE, duration="90m", capacity=1,
                            where="https://meet.example/jam")
        assert "Event #1 is up" in text_of(created) and is_ephemeral(created)
        [card] = fake.messages[GENERAL]
        assert button_ids(card) == ["event:rsvp:1:going", "event:rsvp:1:maybe", "event:rsvp:1:no", "event:ics:1"]
        [native] = fake.scheduled_events.values()
        assert native["name"] == "Jam" and native["entity_type"] == 3
        assert native["scheduled_start_time"].startswith("2030-06-05T13:00:00")  # 15:00 in Berlin (CEST)
        assert native["entity_metadata"]["location"] == "https://meet.example/jam"

        refused = await run(ALICE, "event", "create", title="Mine", when=FUTURE)
        assert "only instructors" in text_of(refused)
        going = await click(ALICE, card["id"], "event:rsvp:1:going")
        assert "Going" in text_of(going) and is_ephemeral(going)
        waiting = await click(MOD, card["id"], "event:rsvp:1:going")
        assert "#1 on the waitlist" in text_of(waiting)
        await app.get_cog("event").flush_updates()
        await eventually(lambda: "Going: 1 / 1" in text_of(fake.message(card["id"])))
        ics = await click(ALICE, card["id"], "event:ics:1")
        assert [a["filename"] for a in ics["data"].get("attachments") or []] == ["event-1.ics"]
        listing = await run(ALICE, "event", "list")
        assert "you: Going" in text_of(listing) and "/calendar/" in text_of(listing)
        shown = await run(IVY, "event", "attendance", event=1)
        assert "Going but not checked in: 1" in text_of(shown)
        exported = await run(IVY, "event", "export", event=1)
        assert [a["filename"] for a in exported["data"].get("attachments") or []] == ["event-1.csv"]
        past = await run(IVY, "event", "create", title="Old", when="2020-01-01 10:00")
        assert "is in the past" in text_of(past) and is_ephemeral(past)
        unknown = await run(IVY, "event", "cancel", event=42)
        assert "unknown event #42" in text_of(unknown)
        cancelled = await run(IVY, "event", "cancel", event=1)
        assert "Cancelled event #1" in text_of(cancelled)
        assert native["status"] == 4  # the Guild Scheduled Event is cancelled with the card
        await eventually(lambda: "Cancelled" in text_of(fake.message(card["id"])))
        dm_channel = fake.state.dm_channels_by_user[str(ALICE)]
        assert "was cancelled" in fake.messages[dm_channel][-1]["content"]

        opened = await run(IVY, "queue", "open", topic="Week 3")
        assert "Office hours are open" in text_of(opened)
        assert "#1 in the queue" in text_of(await run(ALICE, "queue", "join", topic="loops"))
        assert "already in the queue" in text_of(await run(ALICE, "queue", "join"))
        assert "You're #1" in text_of(await run(ALICE, "queue", "list"))
        assert "not waiting" in text_of(await run(MOD, "queue", "leave"))
        up = await run(IVY, "queue", "next")
        assert text_of(up) == f"<@{ALICE}>, you're up with <@{IVY}> (loops)."
        up_message = fake.messages[GENERAL][-1]
        await eventually(lambda: "You're up!" in fake.messages[dm_channel][-1]["content"])
        assert "nobody is waiting" in text_of(await run(IVY, "queue", "next"))
        await click(IVY, up_message["id"], "queue:done:1")
        await eventually(lambda: "was helped" in (fake.message(up_message["id"]) or {}).get("content", ""))
        assert "Helped: 1" in text_of(await run(IVY, "queue", "stats"))
        assert "Cleared the queue" in text_of(await run(IVY, "queue", "clear"))
        assert "closed" in text_of(await run(IVY, "queue", "close"))


async def test_a_reminder_skips_a_discord_member_whose_dms_are_closed(tmp_path: Path) -> None:
    async with discord_fake(manage_events=False) as fake, \
            DiscordBot(fake, tmpdir=tmp_path, yaml=DISCORD_YAML, cogs=COGS) as bot:
        await bot.command("event", "create", user=IVY, title="Jam", when=FUTURE)
        [card] = fake.messages[GENERAL]
        for user in (ALICE, MOD):
            await bot.click(card["id"], "event:rsvp:1:going", user=user)
        fake.close_dms(ALICE)  # Discord answers 403, code 50007
        sent = await bot.app.get_cog("event").send_reminders(1, "15m")
        assert sent == 1
        mod_dm = fake.state.dm_channels_by_user[str(MOD)]
        assert "starts in 15 minutes" in fake.messages[mod_dm][-1]["content"]
        alice_dm = fake.state.dm_channels_by_user.get(str(ALICE))
        assert not any("starts in" in m.get("content", "") for m in fake.messages.get(alice_dm, []))


async def test_without_manage_events_only_the_card_is_posted(tmp_path: Path) -> None:
    async with discord_fake(manage_events=False) as fake, \
            DiscordBot(fake, tmpdir=tmp_path, yaml=DISCORD_YAML, cogs=COGS) as bot:
        created = await bot.command("event", "create", user=IVY, title="Jam", when=FUTURE)
        assert "Event #1 is up" in text_of(created)
        assert len(fake.messages[GENERAL]) == 1 and fake.scheduled_events == {}
        assert fake.requests_to("POST", r"/scheduled-events") == []


SLACK_GENERAL = "C0GENERAL"


@pytest.fixture
async def slack() -> AsyncIterator[tuple[FakeSlack, SlackBot]]:
    async with FakeSlack() as fake:
        fake.add_channel(SLACK_GENERAL, "general", members=["U1", "U2", "UTA"])
        for user, name in (("U1", "ana"), ("U2", "ben"), ("UTA", "tess")):
            fake.add_user(user, name)
        yaml = "communities:\n  - id: '*'\n    timezone: Europe/Berlin\n    instructors: {users: [UTA]}\n"
        import tempfile

        bot = await SlackBot(fake, tmpdir=Path(tempfile.mkdtemp()), cogs=COGS, yaml=yaml).start()
        bot.app.get_cog("event").live.delay = 0
        try:
            yield fake, bot
        finally:
            await bot.stop()


async def test_events_and_queue_on_slack(slack: tuple[FakeSlack, SlackBot]) -> None:
    fake, bot = slack

    async def run(command: str, text: str, user: str) -> str:
        """What the command answered: privately (response_url) or in the channel."""
        before, posted = len(fake.responses), len(fake.messages.get(SLACK_GENERAL, []))
        await bot.command(command, text, user=user)
        await bot.idle()  # every handler already started has finished
        new = fake.responses[before:] + fake.messages.get(SLACK_GENERAL, [])[posted:]
        assert new, f"{command} {text}: no answer"
        return "\n".join(_slack_text(r) for r in new)

    async def click(action_id: str, user: str, ts: str) -> str:
        before = len(fake.responses)
        await bot.click(action_id, user=user, channel=SLACK_GENERAL, message_ts=ts)
        await bot.idle()
        return "\n".join(_slack_text(r) for r in fake.responses[before:])

    assert "Event #1 is up" in await run("/event", f'create title:Jam when:"{FUTURE}" capacity:1', "UTA")
    card = fake.messages[SLACK_GENERAL][-1]
    actions = [e["action_id"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["event:rsvp:1:going", "event:rsvp:1:maybe", "event:rsvp:1:no", "event:ics:1"]
    assert "only instructors" in await run("/event", f'create title:Mine when:"{FUTURE}"', "U1")
    assert "Going" in await click("event:rsvp:1:going", "U1", card["ts"])
    assert "waitlist" in await click("event:rsvp:1:going", "U2", card["ts"])
    await bot.app.get_cog("event").flush_updates()
    assert "1 / 1" in str(fake.messages[SLACK_GENERAL][-1]["blocks"])
    await click("event:ics:1", "U1", card["ts"])
    assert any(u["filename"] == "event-1.ics" for u in fake.uploads)
    assert "you: Going" in await run("/event", "list", "U1")
    assert "Going but not checked in: 1" in await run("/event", "attendance 1", "UTA")
    await run("/event", "export 1", "UTA")
    assert any(u["filename"] == "event-1.csv" for u in fake.uploads)
    assert "duration must be more than 0" in await run("/event", f'create title:x when:"{FUTURE}" duration:0m', "UTA")
    assert "unknown event #7" in await run("/event", "cancel 7", "UTA")
    assert "Cancelled event #1; told 2 members." in await run("/event", "cancel 1", "UTA")
    assert "was cancelled" in await click("event:rsvp:1:going", "U1", card["ts"])

    assert "Office hours are open" in await run("/queue", "open", "UTA")
    assert "#1 in the queue" in await run("/queue", "join", "U1")
    assert "already in the queue" in await run("/queue", "join", "U1")
    assert "You're #1" in await run("/queue", "list", "U1")
    assert "not waiting" in await run("/queue", "leave", "U2")
    assert "<@U1>, you're up with <@UTA>" in await run("/queue", "next", "UTA")
    up = fake.messages[SLACK_GENERAL][-1]
    assert "nobody is waiting" in await run("/queue", "next", "UTA")
    await click("queue:done:1", "UTA", up["ts"])
    assert "Helped: 1" in await run("/queue", "stats", "UTA")
    assert "Cleared the queue" in await run("/queue", "clear", "UTA")
    assert "closed" in await run("/queue", "close", "UTA")
    dms = [c.params for c in fake.calls_to("chat.postMessage") if str(c.params.get("channel", "")).startswith("D")]
    assert any("was cancelled" in str(d) for d in dms) and any("You're up!" in str(d) for d in dms)


def _slack_text(response: dict[str, Any]) -> str:
    return f"{response.get('text', '')} {response.get('blocks', '')}"
