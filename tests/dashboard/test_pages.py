"""The instructor pages over HTTP: Schedules, Members, a member's page, and the pages the
cogs offer — with their actions going through the chat commands."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from .helpers import client, course, csrf_of, intro_posts, link_for, prompt_posts, sign_in


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
    assert "Office hours" in shown["Tue 13"] and "Office hours" not in shown["Tue 20"]
    assert [d for d, body in days if "mentoring" in body] == ["Mon 19", "Mon 02"]  # every 2 weeks, breaks too
    assert "feedback" in shown["Fri 16"] and "feedback" not in shown["Fri 23"]
    for label in ("Pause daily-check", "Post daily-check now", "Preview a mentoring round now", "Post survey feedback now"):
        assert f'aria-label="{label}"' in html


async def test_post_now_on_a_survey_schedule_posts_it_through_poll_survey(make_bot: Any) -> None:
    bot = await course(make_bot)
    async with client() as http:
        base = await signed_in(bot, http)
        async with http.get(f"{base}/schedules") as page:
            html = await page.text()
        command = re.search(r'name="command" value="([^"]*template:feedback[^"]*)"', html)
        assert command
        form = {"csrf": csrf_of(html), "command": command.group(1).replace("&#34;", '"'), "back": "schedules"}
        async with http.post(f"{base}/command", data=form) as page:
            assert "Survey #1 is up" in await page.text()
    assert bot.last("general").content.title == "📝 Weekly feedback"


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
        row_names = r'<th scope="row"><a href="[^"]+/m/\d+">([^<]+)</a>'
        async with http.get(f"{base}/members?sort=points&order=desc") as page:  # most points first
            html = await page.text()
        assert re.findall(row_names, html) == ["ana", "ben", "cat", "tess"]  # no data (opted out, none yet): last
        async with http.get(f"{base}/members?sort=points") as page:
            assert re.findall(row_names, await page.text()) == ["ben", "ana", "cat", "tess"]  # blanks last both ways
        async with http.get(f"{base}/members?order=desc") as page:
            assert re.findall(row_names, await page.text()) == ["tess", "cat", "ben", "ana"]  # by name
        ben_row = html.split(">ben</a>")[1].split("</tr>")[0]
        assert re.findall(r"<td>([^<]*)</td>", ben_row)[0] == "0"  # prompts answered: none yet is 0, not blank
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
        assert "Timeline by kind" in html and "messages" in html.lower() and "Latest answered" in html
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


async def test_the_config_page_shows_the_effective_settings_and_what_bot_check_finds(make_bot: Any,
                                                                                       tmp_path: Any) -> None:
    from pathlib import Path

    from .helpers import COURSE_COGS, COURSE_YAML

    bot = await course(make_bot)
    good = tmp_path / "schedules.yaml"
    text = COURSE_YAML + f"cogs: [{', '.join(COURSE_COGS)}]\n"  # the file the bot started with
    good.write_text(text, encoding="utf-8")
    bot.app.config.path = Path(good)
    async with client() as http:
        base = await signed_in(bot, http)
        async with http.get(f"{base}/config") as page:
            html = await page.text()
        assert page.status == 200 and "ok — no problems found." in html and "has changed" not in html
        assert "daily-check" in html and "every 2 weeks on mon 10:00" in html and "Europe" not in html
        good.write_text(text.replace("fri 17:00", "fri 17:30"), encoding="utf-8")
        async with http.get(f"{base}/config") as page:
            assert "ok — no problems found. The file has changed since the bot started" in await page.text()
        good.write_text(text.replace("daily 18:00", "daily 25:00"), encoding="utf-8")
        async with http.get(f"{base}/config") as page:
            html = await page.text()
        assert "1 problem" in html and f"{good}:" in html and "daily 18:00" in html  # still running the old
    async with client() as http:
        await sign_in(http, await link_for(bot, "ana"))
        async with http.get(f"{base}/config") as page:
            assert page.status == 403


async def test_poll_results_chart_and_csv_download_keep_anonymous_polls_anonymous(make_bot: Any) -> None:
    bot = await course(make_bot)
    await bot.command('/poll create question:"Secret?" options:"Yes; No" anonymous:true', as_="tess", role="instructor")
    await bot.command('/poll create question:"Open?" options:"Yes; No"', as_="tess", role="instructor")
    secret, open_ = [m for m in bot.messages("general") if m.content.buttons][-2:]
    for who, pick in (("ana", "Yes"), ("ben", "No")):
        await bot.click(secret, pick, as_=who)
        await bot.click(open_, pick, as_=who)
    await bot.command("/poll close 1", as_="tess", role="instructor")
    async with client() as http:
        base = await signed_in(bot, http)
        async with http.get(f"{base}/p/polls") as page:
            html = await page.text()
        assert "Secret?" in html and "Open?" in html and "anonymous" in html
        charts = re.findall(r'src="(/dashboard/c/\d+/p/polls/bars/\d+/\d+\.svg)" alt="([^"]+)"', html)
        assert len(charts) == 2 and all("Yes: 1; No: 1" in alt for _, alt in charts)
        async with http.get(bot.url + charts[0][0]) as chart:
            assert chart.status == 200 and chart.content_type == "image/svg+xml"
        csrf = csrf_of(html)
        files = {}
        for number in (1, 2):
            form = {"csrf": csrf, "command": f"/poll export poll:{number}", "back": "polls"}
            async with http.post(f"{base}/download", data=form) as response:
                assert response.status == 200 and response.content_type == "text/csv"
                assert response.headers["Content-Disposition"] == f'attachment; filename="poll-{number}.csv"'
                files[number] = (await response.read()).decode()
    assert "ana" not in files[1] and "ben" not in files[1] and "votes" in files[1]  # anonymous: counts only
    assert "ana" in files[2] and "ben" in files[2]


async def test_a_mentoring_round_is_previewed_and_confirmed_from_the_page(make_bot: Any) -> None:
    bot = await course(make_bot)
    for who in ("ana", "ben"):
        r = await bot.command('/mentor join role:peer topics:"python, sql" timezone:UTC', as_=who)
        assert not r.error, r.text
    async with client() as http:
        base = await signed_in(bot, http)
        async with http.get(f"{base}/p/mentoring") as page:
            csrf = csrf_of(await page.text())
        async with http.post(f"{base}/command", data={"csrf": csrf, "command": "/mentor match",
                                                      "back": "mentoring"}) as page:
            html = await page.text()
        assert "ana" in html and "ben" in html and ">Confirm" in html
        assert not bot.messages("mentoring")  # a preview posts nothing
        confirm = re.search(r'name="action" value="([^"]*confirm[^"]*)">\s*<input type="hidden" name="back" '
                            r'value="mentoring">', html)
        assert confirm, html
        async with http.post(f"{base}/click", data={"csrf": csrf, "action": confirm.group(1),
                                                    "back": "mentoring"}) as page:
            html = await page.text()
        assert "Confirmed by" in html and "Round #1 — confirmed" in html and "no answer yet" in html
        async with http.get(f"{base}/m/{bot.member('ana').id}") as page:
            html = await page.text()
        assert "Latest groups" in html and "ben" in html and "peer" in html  # ana's page shows her group
    assert [frozenset(bot.adapter.groups[ref]) for ref in (p.ref.channel_id for p in intro_posts(bot))] == \
        [frozenset({"ana", "ben"})]  # the intro is posted in their private group


async def test_a_member_named_like_html_is_text_on_the_members_pages(make_bot: Any) -> None:
    from .helpers import EVIL, cohort

    bot = await cohort(make_bot)
    async with client() as http:
        base = await signed_in(bot, http)
        for path in ("/members", f"/members?q={EVIL}", f"/m/{bot.member(EVIL).id}"):
            async with http.get(base + path) as page:
                html = await page.text()
            assert page.status == 200 and EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html, path


async def test_survey_results_are_charted_per_question_and_anonymous_ones_export_without_names(make_bot: Any) -> None:
    bot = await course(make_bot)
    await bot.command('/poll survey title:"Week 3 feedback" questions:"How was the pace? [scale]; '
                      'Pick one [choice: Labs | Talks]; Anything else?" anonymous:true', as_="tess", role="instructor")
    survey = bot.last("general")
    for who, values in (("ana", {"q1": "4", "q2": "Labs", "q3": "More breaks"}),
                        ("ben", {"q1": "2", "q2": "Labs", "q3": ""})):
        opened = await bot.click(survey, "Answer", as_=who)
        await bot.click(opened.forms[-1].submit_action, as_=who, values=values)
    async with client() as http:
        base = await signed_in(bot, http)
        async with http.get(f"{base}/p/polls") as page:
            html = await page.text()
        assert "2 more not counted yet" in html  # sealed until a batch or the close
        await bot.command("/poll close 1", as_="tess", role="instructor")
        async with http.get(f"{base}/p/polls") as page:
            html = await page.text()
        alts = re.findall(r'class="chart" src="[^"]+" alt="([^"]+)"', html)
        assert alts == ["Chart: How was the pace? — 1: 0; 2: 1; 3: 0; 4: 1; 5: 0", "Chart: Pick one — Labs: 2; Talks: 0"]
        assert "More breaks" not in html  # free text is in the CSV, not on the page
        form = {"csrf": csrf_of(html), "command": "/poll export poll:1", "back": "polls"}
        async with http.post(f"{base}/download", data=form) as response:
            data = (await response.read()).decode()
    assert "More breaks" in data and "ana" not in data and "ben" not in data
