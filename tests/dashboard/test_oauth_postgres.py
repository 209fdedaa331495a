"""Sign in with Discord / Slack on PostgreSQL (skipped without TEST_DATABASE_URL): the state
is claimed once, the session works, the refusals hold."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.testing.fake_oauth import FakeOAuth

from .oauth_support import callback_url, client, get, people, signin_bot


async def test_sign_in_with_discord_and_slack_on_postgres(make_bot: Any, pg_url: str) -> None:
    async with FakeOAuth() as fake:
        people(fake)
        bot = await signin_bot(make_bot, fake, db_url=pg_url)
        fake.signed_in["discord"], fake.signed_in["slack"] = "1001", "U0ANA"
        async with client() as http:
            back = await callback_url(http, bot, "discord")
            results = await asyncio.gather(get(http, back), get(http, back))
            assert sorted(status for status, _, _ in results) == [200, 403]
            status, page, _ = await get(http, f"{bot.url}/dashboard")
            assert status == 200 and "Overview" in page
        async with client() as http:
            status, page, url = await get(http, f"{bot.url}/dashboard/oauth/slack")
            assert status == 200 and url.endswith("/me") and "My activity" in page
