"""A community with a history (busy weeks, then one member fading and one going silent) and a
client that signs in through a /dashboard link the way a person does."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import aiohttp

from tests.participation.helpers import PARTICIPATION_COGS, YAML, publish

DASHBOARD_COGS = PARTICIPATION_COGS
EVIL = "<img src=x onerror=alert(1)>"


async def cohort(make_bot: Any, **kwargs: Any) -> Any:
    """Six weeks into the term: ana keeps going, ben fades, the EVIL-named member goes silent."""
    bot = await make_bot(yaml=YAML, cogs=DASHBOARD_COGS, web=True, **kwargs)
    for _ in range(28):
        for who in ("ana", "ben", EVIL):
            await bot.message(who)
            await publish(bot, "prompt_response", who)
        bot.clock.advance(timedelta(days=1))
    for day in range(14):
        await bot.message("ana")
        await publish(bot, "prompt_response", "ana")
        if day % 4 == 0:
            await bot.message("ben")
        bot.clock.advance(timedelta(days=1))
    return bot


async def link_for(bot: Any, who: str, role: str = "member", server: str = "console") -> str:
    r = await bot.command("/dashboard", as_=who, role=role, server=server)
    assert r.ephemeral, r.text
    found = re.search(r"(http://\S+/dashboard/login\?t=\S+)", r.text)
    assert found, r.text
    return found.group(1)


def client() -> aiohttp.ClientSession:
    # the bot listens on 127.0.0.1: aiohttp keeps cookies for IP hosts only when told to
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def sign_in(http: aiohttp.ClientSession, link: str) -> aiohttp.ClientResponse:
    async with http.get(link) as response:
        await response.read()
        return response


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)
