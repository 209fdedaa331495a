"""A Discord server and a Slack workspace the bot serves, a fake Discord/Slack sign-in
provider (bot.testing.fake_oauth) and a browser-like client that follows its redirects."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from bot.settings import Settings
from bot.testing.fake_oauth import FakeOAuth

GUILD, GUILD2, TEAM = "420000000000000042", "430000000000000043", "T0COHORT"
INSTRUCTOR_ROLE = "700000000000000007"
OAUTH_YAML = f"""
communities:
  - id: "{GUILD}"
    platform: discord
    name: Discord course
    timezone: UTC
    instructors: {{roles: ["{INSTRUCTOR_ROLE}"], users: ["1003"]}}
  - id: "{GUILD2}"
    platform: discord
    name: Second course
    instructors: {{roles: ["{INSTRUCTOR_ROLE}"]}}
  - id: {TEAM}
    platform: slack
    name: Slack course
    timezone: UTC
    instructors: {{users: [U0TESS]}}
"""


async def signin_bot(make_bot: Any, fake: FakeOAuth | None, **kwargs: Any) -> Any:
    """The bot on Discord (memory adapter), serving the dashboard, pointed at the fake provider."""
    bot = await make_bot(yaml=OAUTH_YAML, cogs=["cogs.participation"], web=True, platform="discord", **kwargs)
    bot.app.settings = Settings(_env_file=None, **(fake.settings() if fake else {}))  # type: ignore[call-arg]
    return bot


def people(fake: FakeOAuth) -> None:
    fake.add_discord_user("1001", "tess", guilds={GUILD: [INSTRUCTOR_ROLE, "800"]})
    fake.add_discord_user("1002", "ana", guilds={GUILD: ["800"], "999": [INSTRUCTOR_ROLE]}, nick="Ana B.")
    fake.add_discord_user("1003", "ivy", guilds={GUILD: []})
    fake.add_discord_user("1004", "max", guilds={GUILD: [], GUILD2: [INSTRUCTOR_ROLE]})
    fake.add_discord_user("1009", "stranger", guilds={"999": [INSTRUCTOR_ROLE]})
    fake.add_slack_user("U0ANA", TEAM, "Ana Slack")
    fake.add_slack_user("U0TESS", TEAM, "Tess Slack")
    fake.add_slack_user("U0OUT", "T0OTHER", "Someone Else")


def client() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def get(http: aiohttp.ClientSession, url: str, **kwargs: Any) -> tuple[int, str, str]:
    """(status, body, final URL) after following redirects, as a browser does."""
    async with http.get(url, **kwargs) as response:
        return response.status, await response.text(), str(response.url)


async def callback_url(http: aiohttp.ClientSession, bot: Any, provider: str) -> str:
    """Start a sign-in and let the provider answer, but stop before the bot's callback."""
    async with http.get(f"{bot.url}/dashboard/oauth/{provider}", allow_redirects=False) as start:
        assert start.status == 303, await start.text()
        to_provider = start.headers["Location"]
    async with http.get(to_provider, allow_redirects=False) as answer:
        assert answer.status == 302, await answer.text()
        return answer.headers["Location"]


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
