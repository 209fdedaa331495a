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


COURSE_COGS = ["cogs.prompts", "cogs.polls", "cogs.mentors", "cogs.participation", "cogs.events"]
COURSE_YAML = """
communities:
  - id: console
    platform: console
    name: Cohort
    timezone: UTC
    term: {start: 2025-12-01, end: 2026-03-20, breaks: ["2026-01-19..2026-01-23"]}
    channels: {discussion: general, staff: staff, mentoring: mentoring}
    prompts:
      - {id: daily-check, channel: discussion, when: "daily 18:00", questions: ["What did you practise today?", "What was hard?"]}
    polls:
      - {id: confidence, channel: discussion, when: "fri 15:00", question: "How confident do you feel?", scale: 5, closes_in: 2d}
    surveys:
      - {id: feedback, channel: discussion, when: "fri 16:00", anonymous: true, title: Weekly feedback,
         questions: [{text: "How was the pace?", kind: scale}]}
    mentoring: {channel: mentoring, when: "every 2 weeks on mon 10:00"}
    digest: {channel: staff, when: "fri 17:00"}
    events:
      - {id: office-hours, title: Office hours, when: "tue 16:00", channel: discussion}
"""


async def course(make_bot: Any, **kwargs: Any) -> Any:
    """A course with every feature on: a daily prompt, a weekly poll, mentoring rounds and a
    digest; ana and ben answer, cat has opted out."""
    bot = await make_bot(yaml=COURSE_YAML, cogs=COURSE_COGS, web=True, **kwargs)
    for who in ("ana", "ben", "cat"):
        await bot.message(who)
    await bot.command("/privacy optout", as_="cat")
    return bot


def prompt_posts(bot: Any, channel: str = "general") -> list[Any]:
    return [m for m in bot.messages(channel) if m.content.title and "Discussion prompt" in m.content.title]


def intro_posts(bot: Any) -> list[Any]:
    """Mentoring intros, posted in private group spaces."""
    return [p for p in bot.adapter.messages.values()
            if p.ref.channel_id.startswith("group-") and "matched" in (p.content.title or "")]
