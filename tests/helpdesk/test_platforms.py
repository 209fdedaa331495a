"""The helpdesk on the Discord fake (real discord.py) and the Slack fake (real slack-bolt), on a
fake clock: a question in #help answered in its thread (Discord: the thread started from it;
Slack: thread_ts) or by a reply, one closed by the author's ✅ (Discord's character, Slack's
:white_check_mark:), one left open that gets one staff notice with a permalink — also after a
restart; /unanswered. Every payload passes the platform-rule checks (tests/conftest.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from bot.clock import FakeClock
from bot.testing import payload_checks
from bot.testing.discord import ALICE, GUILD, IVY, MOD, DiscordBot, add_cohort_guild, eventually, is_ephemeral, \
    text_of
from bot.testing.fake_discord import FakeDiscord
from bot.testing.fake_slack import FakeSlack, message_event, reaction_event
from bot.testing.slack import SlackBot
from cogs.helpdesk.models import HelpWatch

COGS = ["cogs.helpdesk", "cogs.participation"]
HELP, STAFF = 510, 511
DISCORD_YAML = f"""
communities:
  - id: "{GUILD}"
    platform: discord
    instructors: {{roles: [Instructor]}}
    channels: {{staff: staff}}
    help_channels: [help]
"""


def watches(app) -> list[HelpWatch]:
    with app.db.session() as s:
        return list(s.exec(select(HelpWatch)).all())


def open_watches(app) -> int:
    return len([w for w in watches(app) if w.resolved_at is None])


def all_watches(app) -> int:
    return len(watches(app))


async def test_helpdesk_on_discord(tmp_path: Path) -> None:
    violations = len(payload_checks.seen)
    clock = FakeClock()
    async with FakeDiscord() as fake:
        add_cohort_guild(fake)
        fake.add_channel(GUILD, HELP, "help")
        fake.add_channel(GUILD, STAFF, "staff")
        async with DiscordBot(fake, tmpdir=tmp_path, yaml=DISCORD_YAML, cogs=COGS, clock=clock) as bot:
            threaded = await fake.send_message(GUILD, HELP, ALICE, "how do I join tables?")
            replied = await fake.send_message(GUILD, HELP, MOD, "what is a p-value?")
            ticked = await fake.send_message(GUILD, HELP, ALICE, "why is my plot empty?")
            left = await fake.send_message(GUILD, HELP, MOD, "is the quiz graded?")
            await eventually(lambda: all_watches(bot.app) == 4)
            await fake.send_message(GUILD, threaded["id"], IVY, "use merge", thread_of=HELP)  # the thread on it
            await fake.send_message(GUILD, HELP, ALICE, "it's a probability", reply_to=replied["id"])
            await fake.send_reaction(GUILD, HELP, ticked["id"], ALICE, emoji="✅")
            await eventually(lambda: open_watches(bot.app) == 1)
        async with DiscordBot(fake, tmpdir=tmp_path, yaml=DISCORD_YAML, cogs=COGS, clock=clock) as bot:
            await bot.app.scheduler.advance(timedelta(hours=4, minutes=1))
            [notice] = await eventually(lambda: fake.messages.get(str(STAFF)))
            assert notice["content"].startswith(f"❓ <@{MOD}>'s question in <#{HELP}> has had no answer for 4h")
            assert f"https://discord.com/channels/{GUILD}/{HELP}/{left['id']}" in notice["content"]
            listed = await bot.command("unanswered", user=IVY)
            assert is_ephemeral(listed) and "Unanswered questions (1)" in text_of(listed)
            await bot.app.scheduler.advance(timedelta(hours=4))
            assert len(fake.messages[str(STAFF)]) == 1
    assert payload_checks.seen[violations:] == []


async def test_helpdesk_on_slack(tmp_path: Path) -> None:
    violations = len(payload_checks.seen)
    clock = FakeClock()
    async with FakeSlack() as fake:
        fake.add_channel("C0HELP", "help", members=["U1", "U2"])
        fake.add_channel("C0STAFF", "staff")
        for user, name in (("U1", "ana"), ("U2", "ben"), ("UTA", "tess")):
            fake.add_user(user, name)
        yaml = ("communities:\n  - id: '*'\n    instructors: {users: [UTA]}\n    channels: {staff: staff}\n"
                "    help_channels: [help]\n")
        async with SlackBot(fake, tmpdir=tmp_path, yaml=yaml, cogs=COGS, clock=clock) as bot:
            for event in (message_event("U1", "C0HELP", "how?", ts="1750000000.000100"),
                          message_event("U2", "C0HELP", "why?", ts="1750000001.000100"),
                          message_event("U1", "C0HELP", "when?", ts="1750000002.000100"),
                          message_event("U2", "C0HELP", "so", ts="1750000003.000100", thread_ts="1750000000.000100"),
                          reaction_event("U1", "C0HELP", "1750000002.000100", "white_check_mark", item_user="U1")):
                await bot.event(event)
                await bot.idle()
            assert (all_watches(bot.app), open_watches(bot.app)) == (3, 1)
        async with SlackBot(fake, tmpdir=tmp_path, yaml=yaml, cogs=COGS, clock=clock) as bot:
            await bot.app.scheduler.advance(timedelta(hours=4, minutes=1))
            await bot.idle()
            [notice] = fake.messages["C0STAFF"]
            assert notice["text"].startswith("❓ <@U2>'s question in <#C0HELP> has had no answer for 4h")
            assert "https://slack.com/archives/C0HELP/p1750000001000100" in notice["text"]
            await bot.command("/unanswered", "", user="UTA")
            await bot.idle()
            assert "Unanswered questions (1)" in str(fake.responses[-1])
    assert payload_checks.seen[violations:] == []
