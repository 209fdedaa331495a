"""The instructor pages over HTTP: Schedules, Members, a member's page, and the pages the
cogs offer — with their actions going through the chat commands."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from .helpers import client, course, csrf_of, link_for, prompt_posts, sign_in


async def signed_in(bot: Any, http: Any, who: str = "tess", role: str = "instructor") -> str:
    await sign_in(http, await link_for(bot, who, role))
    return f"{bot.url}/dashboard/c/{bot.member(who).community_id}"


async def test_the_schedules_page_shows_what_will_really_post_in_the_next_four_weeks(make_bot: Any) -> None:
    bot = await course(make_bot)  # Monday 2026-01-12 08:00 UTC; the week after is a break
    async with client() as http:
        base = await signed_in(bot, http)
        async with http.get(f"{base}/schedules") as page:
            html = await page.text()
        assert page.status == 200
    calendar = html.split('id="all"')[0]
    days = re.findall(r'<li class="day[^"]*"><span class="date">([^<]+)</span>(.*?)</li>\s*(?=<li class="day|</ol>)',
                      calendar, re.S)
    assert len(days) == 28
    shown = {day: body for day, body in days}
    assert "daily-check" in shown["Mon 12"]
    assert "confidence" in shown["Fri 16"] and "weekly digest" in shown["Fri 16"]
    assert "daily-check" not in shown["Wed 21"] and "confidence" not in shown["Fri 23"]  # the break
    assert "weekly digest" in shown["Fri 23"]  # the digest runs in breaks too
    assert [d for d, body in days if "mentoring" in body] == ["Mon 19", "Mon 02"]  # every 2 weeks, breaks too
    for label in ("Pause daily-check", "Post daily-check now", "Preview a mentoring round now"):
        assert f'aria-label="{label}"' in html


async def test_pausing_from_the_schedules_page_stops_the_posts_and_resuming_starts_them(make_bot: Any) -> None:
    bot = await course(make_bot)
    async with client() as http:
        base = await signed_in(bot, http)
        async with http.get(f"{base}/schedules") as page:
            csrf = csrf_of(await page.text())
        form = {"csrf": csrf, "command": "/prompt cancel id:daily-check", "back": "schedules"}
        async with http.post(f"{base}/command", data=form) as page:
            html = await page.text()
        assert "Cancelled" in html and "daily-check" in html and 'aria-label="Resume daily-check"' in html
        await bot.advance(timedelta(days=2))
        assert prompt_posts(bot) == []
        await signed_in(bot, http)  # sessions last 12 hours
        async with http.get(f"{base}/schedules") as page:
            form["csrf"] = csrf_of(await page.text())
        form["command"] = "/prompt resume id:daily-check"
        async with http.post(f"{base}/command", data=form) as page:
            assert "Resumed" in await page.text()
        form["command"] = "/prompt post schedule:daily-check"
        async with http.post(f"{base}/command", data=form) as page:
            assert "Posted prompt" in await page.text()
        assert len(prompt_posts(bot)) == 1
    await bot.advance(timedelta(days=1))
    assert len(prompt_posts(bot)) == 2  # and the schedule posts again


async def test_a_member_cannot_pause_a_schedule_by_posting_the_form(make_bot: Any) -> None:
    bot = await course(make_bot)
    async with client() as http:
        async with http.get(await link_for(bot, "ana")) as page:
            csrf = csrf_of(await page.text())
        base = f"{bot.url}/dashboard/c/{bot.member('ana').community_id}"
        async with http.get(f"{base}/schedules") as page:
            assert page.status == 403
        form = {"csrf": csrf, "command": "/prompt cancel id:daily-check", "back": "schedules"}
        async with http.post(f"{base}/command", data=form) as page:
            html = await page.text()
        assert "instructor" in html.lower() and "Cancelled" not in html  # the core's own refusal
    await bot.advance(timedelta(days=1))
    assert len(prompt_posts(bot)) == 1


async def test_the_members_table_sorts_searches_and_hides_opted_out_data(make_bot: Any) -> None:
    bot = await course(make_bot)
    for _ in range(3):
        await bot.message("ana")
        bot.clock.advance(timedelta(minutes=2))
    async with client() as http:
        base = await signed_in(bot, http)
        async with http.get(f"{base}/members?sort=1&order=desc") as page:  # by points, most first
            html = await page.text()
        names = re.findall(r'<th scope="row"><a href="[^"]+/m/\d+">([^<]+)</a>', html)
        assert names.index("ana") < names.index("ben")
        assert names[-1] in ("cat", "tess")  # no points: last
        cat_row = html.split(">cat</a>")[1].split("</tr>")[0]
        assert "opted out" in cat_row and "no data" in cat_row and "<svg" not in cat_row
        for label in ("Last seen", "Points", "4-week trend", "Prompts answered", "Mentoring"):
            assert label in html
        assert 'aria-sort="descending"' in html and "<polyline" in html
        async with http.get(f"{base}/members?q=AN") as page:
            html = await page.text()
        assert re.findall(r'/m/\d+">([^<]+)</a>', html) == ["ana"]
        async with http.get(f"{base}/m/{bot.member('ana').id}") as page:
            html = await page.text()
        assert "Timeline by kind" in html and "messages" in html.lower()
        async with http.get(f"{base}/m/{bot.member('cat').id}") as page:
            html = await page.text()
        assert "opted out" in html and "Timeline by kind" not in html


async def test_each_cog_page_renders_for_an_instructor_only(make_bot: Any) -> None:
    bot = await course(make_bot)
    await bot.advance(timedelta(hours=11))  # 19:00: the daily prompt is out
    async with client() as http:
        base = await signed_in(bot, http)
        for slug, words in (("prompts", ("What did you practise today?", "Not yet", "ana")),
                            ("polls", ("No polls or surveys yet",)), ("mentoring", ("Preview a round", "No rounds yet"))):
            async with http.get(f"{base}/p/{slug}") as page:
                html = await page.text()
            assert page.status == 200, slug
            for word in words:
                assert word in html, (slug, word)
        async with http.get(f"{base}/p/nothing") as page:
            assert page.status == 404
    async with client() as http:
        await sign_in(http, await link_for(bot, "ana"))
        async with http.get(f"{base}/p/prompts") as page:
            assert page.status == 403
