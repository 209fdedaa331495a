"""Signing in with Discord / Slack gives the access the platform adapter gives in chat: the
real Slack adapter (workspace admins, instructor user groups) on FakeSlack at the wire, and the
real Discord adapter's view of the server (role names, the owner) on FakeDiscord."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.access import Access
from bot.dashboard.oauth_clients import Identity
from bot.dashboard.oauth_routes import OAuthSignIn
from bot.testing.discord import ALICE, GUILD, INSTRUCTOR_ROLE, IVY, MOD, MOD_ROLE, OWNER, DiscordBot, add_cohort_guild
from bot.testing.fake_discord import FakeDiscord
from bot.testing.fake_oauth import FakeOAuth
from bot.testing.fake_slack.server import FakeSlack
from bot.testing.slack import SlackBot

from .oauth_support import client, get

SLACK_YAML = """
communities:
  - id: "*"
    instructors: {roles: ["@tas"]}
"""


async def test_slack_sign_in_uses_the_slack_adapters_rules(tmp_path: Path) -> None:
    async with FakeSlack() as slack, FakeOAuth() as provider:
        team = slack.team_id
        slack.add_user("UADMIN", "ada", is_admin=True)
        slack.add_user("UTA", "tom")
        slack.add_user("UANA", "ana")
        slack.add_usergroup("S0TAS", "tas", ["UTA"])
        for user in ("UADMIN", "UTA", "UANA"):
            provider.add_slack_user(user, team, user.lower())
        async with SlackBot(slack, tmpdir=tmp_path, yaml=SLACK_YAML, cogs=[]) as bot:
            await bot.app.server_seen("slack", team)  # the bot has seen its workspace (a "*" entry)
            bot.app.settings = bot.app.settings.model_copy(update=provider.settings())
            landed = {}
            for user in ("UADMIN", "UTA", "UANA"):
                provider.signed_in["slack"] = user
                async with client() as http:
                    status, page, url = await get(http, f"{bot.app.web.url}/dashboard/oauth/slack")
                    assert status == 200, page
                    landed[user] = url.rsplit("/", 1)[-1]
            assert landed["UANA"] == "me" and landed["UTA"].isdigit() and landed["UADMIN"].isdigit()


async def test_discord_sign_in_reads_roles_through_the_discord_adapter(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        add_cohort_guild(fake)  # instructors.roles: [Instructor] (by name); Mod has Manage Server
        async with DiscordBot(fake, tmpdir=tmp_path, cogs=[]) as bot:
            signin = OAuthSignIn(bot.app, None)

            async def access(user: int, roles: list[int]) -> Any:
                target = await signin._target(Identity("discord", str(user), None, {str(GUILD): [str(r) for r in roles]}))
                return target.access if target else None

            assert await access(IVY, [INSTRUCTOR_ROLE]) == Access.INSTRUCTOR  # the role's name is configured
            assert await access(MOD, [MOD_ROLE]) == Access.MEMBER  # configured roles win over Manage Server
            assert await access(OWNER, []) == Access.ADMIN
            assert await access(ALICE, []) == Access.MEMBER
            cached = bot.adapter.client.get_guild
            bot.adapter.client.get_guild = lambda guild_id: None  # a server another shard holds
            assert await access(IVY, [INSTRUCTOR_ROLE]) == Access.INSTRUCTOR  # read over REST instead
            assert await access(OWNER, []) == Access.ADMIN
            bot.adapter.client.get_guild = cached
            answer = await bot.command("dashboard", user=IVY)  # chat and the dashboard: one member row
            assert "dashboard/login" in str(answer)
            target = await signin._target(Identity("discord", str(IVY), None, {str(GUILD): [str(INSTRUCTOR_ROLE)]}))
            from sqlmodel import select

            from bot.models import Member

            rows = await bot.app.db.read(lambda s: s.exec(select(Member).where(Member.external_id == str(IVY))).all())
            assert [r.id for r in rows] == [target.member.id]
