"""A member may have the bot post only where the platform lets them post themselves (Discord
channel permissions, Slack channel membership); instructors anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.testing.fake_discord import FakeDiscord
from bot.testing.fake_slack import FakeSlack
from bot.testing.slack import SlackBot

from .discord_support import ALICE, GENERAL, GUILD, IVY, fake, responses, running, sub  # noqa: F401

STAFF, HELPERS_ROLE, HANNA = 505, 710, 610
VIEW_AND_SEND = (1 << 10) | (1 << 11)
YAML = f"""
communities:
  - id: "{GUILD}"
    platform: discord
    instructors: {{roles: [Instructor]}}
"""


async def test_discord_channel_permissions_decide_where_a_member_may_post_a_poll(fake: FakeDiscord,
                                                                                tmp_path: Path) -> None:
    fake.add_role(GUILD, "Helper", role_id=HELPERS_ROLE)
    fake.add_member(GUILD, HANNA, "hanna", roles=[HELPERS_ROLE])
    staff = fake.add_channel(GUILD, STAFF, "staff-room")
    staff["permission_overwrites"] = [
        {"id": str(GUILD), "type": 0, "allow": "0", "deny": str(VIEW_AND_SEND)},  # @everyone: hidden
        {"id": str(HELPERS_ROLE), "type": 0, "allow": str(VIEW_AND_SEND), "deny": "0"},
    ]
    async with running(fake, tmp_path / "bot.db", yaml=YAML, cogs=None):
        answers = {}
        for user in (ALICE, HANNA, IVY):
            sent = await fake.send_interaction_command(GUILD, GENERAL, user, "poll", [
                {"type": 1, "name": "create", "options": [
                    {"type": 3, "name": "question", "value": "Q?"}, {"type": 3, "name": "options", "value": "A; B"},
                    {"type": 7, "name": "channel", "value": str(STAFF)}]}],
                resolved={"channels": {str(STAFF): {**staff, "permissions": "0"}}})
            entries = await responses(fake, sent, count=2)
            answers[user] = " ".join(str(e["data"].get("content") or "") for e in entries)
        assert "you can't post in #staff-room yourself" in answers[ALICE]
        assert "Poll #1 is up in #staff-room" in answers[HANNA]  # her role may post there
        assert "Poll #2 is up in #staff-room" in answers[IVY]  # instructors: anywhere
        assert len([m for m in fake.messages[str(STAFF)] if m.get("components")]) == 2


async def test_slack_private_channels_are_for_their_members(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        fake.add_channel("C0GENERAL", "general", members=["U1", "U2"])
        fake.add_channel("G0STAFF", "staff", is_private=True, members=["U2"])
        fake.add_user("U1", "ana")
        fake.add_user("U2", "ben")
        bot = SlackBot(fake, tmpdir=tmp_path, cogs=["cogs.polls"], yaml="communities:\n  - id: '*'\n")
        await bot.start()
        try:
            await bot.command("/poll", 'create "Q?" "A; B" channel:<#G0STAFF|staff>', user="U1")
            await bot.idle()
            refused = await fake.wait_for_response()
            assert "you can't post in #staff yourself" in refused["text"]
            assert "G0STAFF" not in fake.messages
            await bot.command("/poll", 'create "Q?" "A; B" channel:<#G0STAFF|staff>', user="U2")
            await bot.idle()
            assert len(fake.messages["G0STAFF"]) == 1
            await bot.command("/poll", 'create "Q?" "A; B" channel:<#C0GENERAL|general>', user="U1")
            await bot.idle()
            assert len(fake.messages["C0GENERAL"]) == 1  # public: anyone
        finally:
            await bot.stop()
