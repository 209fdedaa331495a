"""/mentor groups on the Discord fake (real discord.py at the wire: a private thread per group in
#mentoring) and the Slack fake (real slack-bolt, signed requests: a group DM per group): preview,
Confirm, intro, a bad size as one ephemeral line. Every payload passes the platform-rule checks."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.testing import payload_checks
from bot.testing.discord import ALICE, GENERAL, GUILD, IVY, MOD, DiscordBot, add_cohort_guild, button_ids, \
    eventually, is_ephemeral, sub, text_of
from bot.testing.fake_discord import FakeDiscord
from bot.testing.fake_slack import FakeSlack
from bot.testing.slack import SlackBot

COGS = ["cogs.mentors"]


async def test_study_groups_on_discord(tmp_path: Path) -> None:
    violations = len(payload_checks.seen)
    async with FakeDiscord() as fake:
        add_cohort_guild(fake)
        fake.add_member(GUILD, 604, "noor")
        async with DiscordBot(fake, tmpdir=tmp_path, cogs=COGS) as bot:
            for user in (ALICE, MOD, 604, IVY):
                joined = await bot.command("mentor", "join", user=user, role="peer", topics="python, sql")
                assert "You're in!" in text_of(joined)
            too_big = await bot.command("mentor", "groups", user=IVY, size=5)
            assert is_ephemeral(too_big) and "size:5 is more than the 4 members who opted in" in text_of(too_big)
            interaction = await fake.send_interaction_command(GUILD, GENERAL, IVY, "mentor", sub("groups", size=2))
            preview = await eventually(lambda: next((r for r in fake.interaction_responses.get(interaction["id"], [])
                                                     if "Study groups #1" in text_of(r)), None))
            assert "4 people in groups of 2: 2 + 2" in text_of(preview)
            ids = [c["custom_id"] for row in preview["data"]["components"] for c in row["components"]]
            assert ids == ["mentor:gconfirm:1", "mentor:gcancel:1"]
            done = await bot.click(preview["message_id"], "mentor:gconfirm:1", user=IVY)
            assert "Confirmed by ivy: 2 groups introduced." in text_of(done)
            threads = await eventually(lambda: [c for c in fake.state.channels.values() if c.get("type") == 12
                                                and str(c.get("name", "")).startswith("study group")])
            assert sorted(t["name"] for t in threads) == ["study group 1", "study group 2"]
            intros = [fake.messages[str(t["id"])][0] for t in threads]
            assert all("Your study group 📚" in text_of(m) and "of 2." in text_of(m) for m in intros)
            assert all(button_ids(m) == [] for m in intros)
    assert payload_checks.seen[violations:] == []


async def test_study_groups_on_slack() -> None:
    violations = len(payload_checks.seen)
    async with FakeSlack() as fake:
        people = (("U1", "ana"), ("U2", "ben"), ("U3", "cat"), ("UTA", "tess"))
        fake.add_channel("C0GENERAL", "general", members=[u for u, _ in people])
        for user, name in people:
            fake.add_user(user, name)
        yaml = "communities:\n  - id: '*'\n    timezone: Europe/Berlin\n    instructors: {users: [UTA]}\n"
        async with SlackBot(fake, tmpdir=Path(tempfile.mkdtemp()), cogs=COGS, yaml=yaml) as bot:
            async def run(command: str, text: str, user: str) -> str:
                before = len(fake.responses)
                await bot.command(command, text, user=user)
                await bot.idle()
                return "\n".join(f"{r.get('text', '')} {r.get('blocks', '')}" for r in fake.responses[before:])

            for user in ("U1", "U2", "U3"):
                assert "You're in!" in await run("/mentor", 'join role:peer topics:"python"', user)
            assert "only instructors" in await run("/mentor", "groups size:2", "U1")
            assert "size" in await run("/mentor", "groups size:1", "UTA")
            preview = await run("/mentor", "groups size:2", "UTA")
            assert "Study groups #1" in preview and "3 people in groups of 2: 3" in preview
            assert "mentor:gconfirm:1" in preview
            before = len(fake.responses)
            await bot.click("mentor:gconfirm:1", user="UTA", channel="C0GENERAL", message_ts="1750000000.000100")
            await bot.idle()
            assert "Confirmed by tess: 1 group introduced." in str(fake.responses[before:])
            opened = [c.params for c in fake.calls_to("conversations.open") if "," in str(c.params.get("users", ""))]
            assert sorted(str(opened[-1]["users"]).split(",")) == ["U1", "U2", "U3"]
            intro = [c.params for c in fake.calls_to("chat.postMessage") if "Your study group" in str(c.params)]
            assert len(intro) == 1 and "<@U1>" in str(intro[0])
    assert payload_checks.seen[violations:] == []
