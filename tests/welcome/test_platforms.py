"""Welcome on the Discord fake (real discord.py) and the Slack fake (real slack-bolt): a member
join (GUILD_MEMBER_ADD; Slack team_join and then the channel join) greets them once, also after
a restart; the DM's buttons work (Discord sends a DM click without its server: the button names
it), the introduction form posts in #introductions; /welcome report. Every payload passes the
platform-rule checks (tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.testing import payload_checks
from bot.testing.discord import GUILD, IVY, DiscordBot, add_cohort_guild, eventually, is_ephemeral, responses, \
    text_of
from bot.testing.fake_discord import FakeDiscord
from bot.testing.fake_slack import FakeSlack, member_joined_event, team_join_event
from bot.testing.slack import SlackBot

COGS = ["cogs.welcome", "cogs.mentors", "cogs.participation"]
INTRODUCTIONS, NINA = 503, 605
DISCORD_YAML = f"""
communities:
  - id: "{GUILD}"
    platform: discord
    name: Cohort 7
    instructors: {{roles: [Instructor]}}
    welcome:
      message: "Welcome {{member}} to {{community}}!"
      buttons: [introduce, mentoring, rules]
"""


def dm_messages(fake: FakeDiscord, user: int) -> list[dict[str, Any]]:
    channel = fake.state.dm_channels_by_user.get(str(user))
    return fake.messages.get(channel, []) if channel else []


def field_rows(values: dict[str, str]) -> list[dict[str, Any]]:
    return [{"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in values.items()]


async def test_welcome_on_discord(tmp_path: Path) -> None:
    violations = len(payload_checks.seen)
    async with FakeDiscord() as fake:
        add_cohort_guild(fake)
        fake.add_channel(GUILD, INTRODUCTIONS, "introductions")
        async with DiscordBot(fake, tmpdir=tmp_path, yaml=DISCORD_YAML, cogs=COGS):
            await fake.send_member_join(GUILD, NINA, "nina")
            [dm] = await eventually(lambda: dm_messages(fake, NINA))
            assert dm["content"] == f"Welcome <@{NINA}> to Cohort 7!"
            buttons = [c for row in dm["components"] for c in row["components"]]
            assert [b["label"] for b in buttons] == ["Introduce yourself", "Join peer mentoring", "Rules read"]
            assert all(b["custom_id"].endswith(f"@{GUILD}") for b in buttons), "a DM click names its server"
        async with DiscordBot(fake, tmpdir=tmp_path, yaml=DISCORD_YAML, cogs=COGS) as bot:
            await fake.send_member_join(GUILD, NINA, "nina")  # rejoined, after a restart
            await fake.send_member_join(GUILD, 606, "bot-user", bot=True)
            click = await fake.send_interaction_component(None, dm["channel_id"], NINA, dm["id"],
                                                          buttons[0]["custom_id"])
            [modal] = await responses(fake, click)
            assert modal["type"] == 9 and modal["data"]["custom_id"].endswith(f"@{GUILD}")
            submit = await fake.send_modal_submit(None, dm["channel_id"], NINA, modal["data"]["custom_id"],
                                                  field_rows({"name": "Nina", "learn": "SQL", "timezone": ""}))
            [thanks] = await responses(fake, submit)
            assert "Posted your introduction" in text_of(thanks) and is_ephemeral(thanks)
            [intro] = await eventually(lambda: fake.messages.get(str(INTRODUCTIONS)))
            assert intro["content"].startswith(f"👋 Please welcome <@{NINA}> — Nina!")
            rules = await fake.send_interaction_component(None, dm["channel_id"], NINA, dm["id"],
                                                          buttons[2]["custom_id"])
            assert "read the rules" in text_of((await responses(fake, rules))[-1])
            report = await bot.command("welcome", "report", user=IVY)
            assert "1 new member: 1 introduced themselves, 0 did nothing since joining" in text_of(report)
            assert is_ephemeral(report)
            assert len(dm_messages(fake, NINA)) == 1 and dm_messages(fake, 606) == []
    assert payload_checks.seen[violations:] == []


async def test_welcome_on_slack(tmp_path: Path) -> None:
    violations = len(payload_checks.seen)
    async with FakeSlack() as fake:
        fake.add_channel("C0GENERAL", "general", members=["U1"])
        fake.add_channel("C0INTRO", "introductions")
        fake.add_user("U1", "ana")
        fake.add_user("UTA", "tess")
        yaml = ("communities:\n  - id: '*'\n    name: Cohort 7\n    instructors: {users: [UTA]}\n"
                "    welcome: {message: 'Welcome {member}!', join_channels: [general]}\n")
        async with SlackBot(fake, tmpdir=tmp_path, yaml=yaml, cogs=COGS) as bot:
            fake.add_user("U7", "nina")
            await bot.event(team_join_event("U7", team=fake.team_id, name="nina"))
            await bot.idle()
            await bot.event(member_joined_event("U7", "C0GENERAL", team=fake.team_id))  # Slack sends both
            await bot.idle()
            await bot.event(member_joined_event("U1", "C0INTRO", team=fake.team_id))  # not a join_channel
            await bot.idle()
            posts = [c for c in fake.calls_to("chat.postMessage") if "Welcome" in str(c.params.get("text"))]
            assert len(posts) == 1 and "Welcome <@U7>!" in posts[0].params["text"]
            dm_channel = posts[0].params["channel"]
            sent = fake.messages[dm_channel][-1]
            await bot.click("welcome:intro:" + sent["blocks"][-1]["elements"][0]["value"].split(":")[-1],
                            user="U7", channel=dm_channel, message_ts=sent["ts"])
            await bot.idle()
            view = (await fake.wait_for_call("views.open")).params["view"]
            view = json.loads(view) if isinstance(view, str) else view
            status, _ = await bot.submit(view["callback_id"], {"name": {"name": "Nina"}, "learn": {"learn": "SQL"},
                                                               "timezone": {"timezone": ""}},
                                         user="U7", private_metadata=view["private_metadata"])
            await bot.idle()
            assert status == 200
            [intro] = fake.messages["C0INTRO"]
            assert intro["text"].startswith("👋 Please welcome <@U7> — Nina!")
            await bot.command("/welcome", "report", user="UTA")
            await bot.idle()
            assert "1 new member: 1 introduced themselves" in json.dumps(fake.responses[-1])
    assert payload_checks.seen[violations:] == []
