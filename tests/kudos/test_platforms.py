"""Kudos on the Discord fake (real discord.py at the wire) and the Slack fake (real slack-bolt,
signed requests): /kudos, a 🙏 reaction (Discord's character, Slack's :pray:) counted once,
never on your own message or the bot's post, /kudos-board and "Kudos received" in /stats me.
Every payload passes the platform-rule checks (tests/conftest.py registers them)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.testing import payload_checks
from bot.testing.discord import ALICE, GENERAL, GUILD, IVY, MOD, DiscordBot, add_cohort_guild, eventually, \
    is_ephemeral, text_of
from bot.testing.fake_discord import FakeDiscord
from bot.testing.fake_slack import FakeSlack
from bot.testing.fake_slack.inbound import message_event, reaction_event
from bot.testing.slack import SlackBot
from bot.models import Member
from cogs.kudos.models import KudosGiven

COGS = ["cogs.kudos", "cogs.participation"]


def kudos_rows(app: Any) -> list[tuple[str, str | None]]:
    with app.db.session() as s:
        return [(k.source, k.message_id) for k in s.exec(select(KudosGiven).order_by(KudosGiven.id)).all()]


def known(app: Any, external_id: str) -> bool:
    with app.db.session() as s:
        return s.exec(select(Member).where(Member.external_id == external_id)).first() is not None


async def test_kudos_on_discord(tmp_path: Path) -> None:
    violations = len(payload_checks.seen)
    async with FakeDiscord() as fake:
        add_cohort_guild(fake)
        async with DiscordBot(fake, tmpdir=tmp_path, cogs=COGS) as bot:
            mod_message = await fake.send_message(GUILD, GENERAL, MOD, "here is how I solved it")
            await eventually(lambda: known(bot.app, str(MOD)))
            resolved = {"users": {str(MOD): fake.state.user(MOD)}, "members": {str(MOD): {}}}
            interaction = await fake.send_interaction_command(
                GUILD, GENERAL, ALICE, "kudos", [{"type": 6, "name": "member", "value": str(MOD)},
                                                 {"type": 3, "name": "reason", "value": "great notes"}],
                resolved=resolved)
            await eventually(lambda: len(fake.interaction_responses.get(interaction["id"], [])) >= 2)
            public = next(m for m in fake.messages[str(GENERAL)] if "gives kudos" in (m.get("content") or ""))
            assert public["content"] == f"🙏 <@{ALICE}> gives kudos to <@{MOD}>: great notes"

            for _ in range(2):  # the same reaction twice (a resent event, or un-react and react again)
                await fake.send_reaction(GUILD, GENERAL, mod_message["id"], ALICE, emoji="🙏")
            await fake.send_reaction(GUILD, GENERAL, mod_message["id"], MOD, emoji="🙏")  # own message
            await fake.send_reaction(GUILD, GENERAL, public["id"], ALICE, emoji="🙏")  # the bot's post
            await eventually(lambda: len(kudos_rows(bot.app)) == 2)
            await bot.app.get_cog("stats").flush()
            assert kudos_rows(bot.app) == [("command", None), ("reaction", str(mod_message["id"]))]

            joined = await bot.command("kudos-board", user=MOD, choice="join")
            assert "You're on the kudos board" in text_of(joined) and is_ephemeral(joined)
            board = await bot.command("kudos-board", user=IVY)
            assert "1. mod — 1 kudos + 1 🙏" in text_of(board) and not is_ephemeral(board)
            me = await bot.command("stats", "me", user=MOD)
            assert "Kudos received: this week: 1 kudos + 1 by reaction" in text_of(me)
            refused = await bot.command("kudos-board", user=MOD, choice="dance")
            assert is_ephemeral(refused) and "show, join, leave" in text_of(refused)
    assert payload_checks.seen[violations:] == []


async def test_kudos_on_slack() -> None:
    violations = len(payload_checks.seen)
    async with FakeSlack() as fake:
        fake.add_channel("C0GENERAL", "general", members=["U1", "U2"])
        for user, name in (("U1", "ana"), ("U2", "ben")):
            fake.add_user(user, name)
        async with SlackBot(fake, tmpdir=Path(tempfile.mkdtemp()), cogs=COGS) as bot:
            async def run(command: str, text: str, user: str) -> str:
                before, posted = len(fake.responses), len(fake.messages.get("C0GENERAL", []))
                await bot.command(command, text, user=user)
                await bot.idle()
                new = fake.responses[before:] + fake.messages.get("C0GENERAL", [])[posted:]
                return "\n".join(f"{r.get('text', '')} {r.get('blocks', '')}" for r in new)

            question = "1750000000.000100"
            await bot.event(message_event("U2", "C0GENERAL", "this is how", ts=question))
            await bot.idle()
            answer = await run("/kudos", 'member:<@U2> reason:"great notes"', "U1")
            assert "<@U1> gives kudos to <@U2>: great notes" in answer and "Kudos sent (4 left today)" in answer
            for event in (reaction_event("U1", "C0GENERAL", question, "pray::skin-tone-3", item_user="U2"),
                          reaction_event("U1", "C0GENERAL", question, "pray", item_user="U2"),
                          reaction_event("U2", "C0GENERAL", question, "pray", item_user="U2"),
                          reaction_event("U1", "C0GENERAL", "1750000001.000100", "pray", item_user=fake.bot_user_id),
                          reaction_event("U1", "C0GENERAL", question, "thumbsup", item_user="U2")):
                await bot.event(event)
                await bot.idle()
            assert kudos_rows(bot.app) == [("command", None), ("reaction", question)]
            assert "You're on the kudos board" in await run("/kudos-board", "join", "U2")
            assert "1. ben — 1 kudos + 1 🙏" in await run("/kudos-board", "", "U1")
            assert "this week: 1 kudos + 1 by reaction" in await run("/stats", "me", "U2")
            assert "you can't give kudos to yourself" in await run("/kudos", "member:<@U1> reason:me", "U1")
    assert payload_checks.seen[violations:] == []


async def test_kudos_to_someone_the_bot_has_not_seen_yet_and_not_to_a_bot(tmp_path: Path) -> None:
    """The platform vouches for a member picked from its list (Discord) or mentioned (Slack)
    before they did anything the bot saw; a bot is refused by its name."""
    async with FakeDiscord() as fake:
        add_cohort_guild(fake)
        async with DiscordBot(fake, tmpdir=tmp_path, cogs=COGS) as bot:
            for user, said in ((MOD, "gives kudos to"), (int(fake.state.bot_user["id"]), "is a bot — name a person")):
                resolved = {"users": {str(user): fake.state.user(user)}, "members": {str(user): {}}}
                interaction = await fake.send_interaction_command(
                    GUILD, GENERAL, ALICE, "kudos", [{"type": 6, "name": "member", "value": str(user)},
                                                     {"type": 3, "name": "reason", "value": "thanks"}], resolved=resolved)
                await eventually(lambda: any(said in text_of(r) for r in fake.interaction_responses.get(interaction["id"], []))
                                 or any(said in (m.get("content") or "") for m in fake.messages.get(str(GENERAL), [])))
    async with FakeSlack() as fake:
        fake.add_channel("C0GENERAL", "general", members=["U1", "U2"])
        fake.add_user("U1", "ana")
        fake.add_user("U2", "ben")
        fake.add_user("UBOT", "helper-bot", is_bot=True)
        async with SlackBot(fake, tmpdir=tmp_path / "slack", cogs=COGS) as bot:
            for text, said in (("member:<@U2|ben> reason:thanks", "gives kudos to <@U2>"),
                               ("member:<@UBOT|helper-bot> reason:thanks", "helper-bot is a bot — name a person")):
                before, posted = len(fake.responses), len(fake.messages.get("C0GENERAL", []))
                await bot.command("/kudos", text, user="U1")
                await bot.idle()
                new = fake.responses[before:] + fake.messages.get("C0GENERAL", [])[posted:]
                assert any(said in str(r.get("text")) for r in new), new
