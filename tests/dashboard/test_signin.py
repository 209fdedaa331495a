"""Signing in with a /dashboard link, the session cookie, and every refusal."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.dashboard.models import DashboardSession
from bot.dispatch import SOMEONE_ELSES
from bot.models import Community

from .helpers import EVIL, client, cohort, csrf_of, link_for, sign_in


async def test_an_instructor_link_opens_the_overview_once_with_a_strict_cookie(make_bot: Any) -> None:
    bot = await cohort(make_bot)
    link = await link_for(bot, "tess", "instructor")
    assert link.startswith(f"{bot.url}/dashboard/login?t=")
    async with client() as http:
        async with http.get(link, allow_redirects=False) as response:
            assert response.status == 303
            cookie = response.headers["Set-Cookie"]
            assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=43200" in cookie
            assert "Secure" not in cookie  # http base URL: a Secure cookie would never come back
            community_id = bot.member("tess").community_id
            assert response.headers["Location"] == f"/dashboard/c/{community_id}"
        async with http.get(f"{bot.url}/dashboard/c/{community_id}") as page:
            html = await page.text()
            assert page.status == 200
            csp = page.headers["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in csp and "script-src" not in csp and "default-src 'none'" in csp
            assert "<script" not in html
        assert "At risk (2)" in html and "ben" in html
        assert "prompt response rate" in html and "active members" in html
        async with http.get(f"{bot.url}/dashboard/c/{community_id}/active.svg") as chart:
            assert chart.status == 200 and chart.content_type == "image/svg+xml"
            assert (await chart.read()).lstrip().startswith(b"<?xml")
    async with client() as other:  # the link worked once
        assert (await sign_in(other, link)).status == 403


async def test_a_member_named_like_html_is_shown_as_text(make_bot: Any) -> None:
    bot = await cohort(make_bot)
    async with client() as http:
        await sign_in(http, await link_for(bot, "tess", "instructor"))
        async with http.get(f"{bot.url}/dashboard/c/{bot.member('tess').community_id}") as page:
            html = await page.text()
    assert EVIL not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


async def test_expired_forged_and_replayed_links_and_forged_cookies_are_refused(make_bot: Any, caplog: Any) -> None:
    bot = await cohort(make_bot)
    caplog.set_level(logging.WARNING)
    stale = await link_for(bot, "tess", "instructor")
    bot.clock.advance(timedelta(minutes=10, seconds=1))
    async with client() as http:
        response = await sign_in(http, stale)
        assert response.status == 403
        fresh = await link_for(bot, "tess", "instructor")
        forged = fresh[:-4] + ("0000" if not fresh.endswith("0000") else "1111")
        assert (await sign_in(http, forged)).status == 403
        assert (await sign_in(http, fresh.rsplit(".", 1)[0])).status == 403  # unsigned nonce
        community_id = bot.member("tess").community_id
        http.cookie_jar.update_cookies({"cohort_session": "made-up-value"})
        async with http.get(f"{bot.url}/dashboard/c/{community_id}") as page:
            assert page.status == 401 and "/dashboard" in await page.text()
    token = stale.split("t=")[1]
    assert "dashboard refused GET /dashboard/login" in caplog.text
    assert token not in caplog.text and token.rsplit(".", 1)[0] not in caplog.text


async def test_an_instructor_of_one_community_is_refused_another(make_bot: Any) -> None:
    bot = await cohort(make_bot)
    await bot.message("ola", server="other")  # a second community, where tess is nobody
    async with client() as http:
        await sign_in(http, await link_for(bot, "tess", "instructor"))
        with bot.session() as s:
            other_id = s.exec(select(Community.id).where(Community.external_id == "other")).one()
        for path in (f"/dashboard/c/{other_id}", f"/dashboard/c/{other_id}/me", f"/dashboard/c/{other_id}/active.svg"):
            async with http.get(bot.url + path) as page:
                assert page.status == 403, path


async def test_a_member_sees_their_own_page_and_not_the_instructors(make_bot: Any) -> None:
    bot = await cohort(make_bot)
    community_id = bot.member("ana").community_id
    async with client() as http:
        async with http.get(await link_for(bot, "ana")) as page:
            assert str(page.url).endswith(f"/dashboard/c/{community_id}/me")
            html = await page.text()
        assert "Points (all time)" in html and "Opt out of tracking" in html
        async with http.get(f"{bot.url}/dashboard/c/{community_id}") as page:
            assert page.status == 403 and "Only instructors" in await page.text()
        async with http.get(f"{bot.url}/dashboard/c/{community_id}/active.svg") as page:
            assert page.status == 403


async def test_a_post_without_the_csrf_token_changes_nothing(make_bot: Any) -> None:
    bot = await cohort(make_bot)
    community_id = bot.member("ana").community_id
    async with client() as http:
        await sign_in(http, await link_for(bot, "ana"))
        for form in ({"command": "/privacy optout"}, {"command": "/privacy optout", "csrf": "guess"}):
            async with http.post(f"{bot.url}/dashboard/c/{community_id}/command", data=form) as response:
                assert response.status == 403
        assert not bot.member("ana").opted_out
        async with http.post(f"{bot.url}/dashboard/logout", data={}) as response:
            assert response.status == 403
        with bot.session() as s:
            assert len(s.exec(select(DashboardSession)).all()) == 1  # still signed in


async def test_opt_out_and_forget_go_through_the_privacy_commands(make_bot: Any) -> None:
    bot = await cohort(make_bot)
    community_id = bot.member("ana").community_id
    async with client() as http:
        async with http.get(await link_for(bot, "ana")) as page:
            csrf = csrf_of(await page.text())
        url = f"{bot.url}/dashboard/c/{community_id}"
        async with http.post(f"{url}/command", data={"csrf": csrf, "command": "/privacy optout"}) as page:
            html = await page.text()
        assert page.status == 200 and bot.member("ana").opted_out and "Opt in again" in html
        async with http.post(f"{url}/command", data={"csrf": csrf, "command": "/privacy forget"}) as page:
            html = await page.text()
        assert "Erase all your data?" in html and "Erase everything" in html
        assert bot.member("ana") is not None  # asked, not yet confirmed
        action = html.split('name="action" value="')[1].split('"')[0]
        async with http.post(f"{url}/click", data={"csrf": csrf, "action": action}) as page:
            html = await page.text()
        assert page.status == 200 and bot.member("ana") is None
        async with http.get(f"{url}/me") as page:
            assert page.status == 401  # nobody behind the session any more


async def test_a_member_cannot_confirm_someone_elses_erasure_from_the_page(make_bot: Any) -> None:
    bot = await cohort(make_bot)
    community_id = bot.member("ana").community_id
    async with client() as http:
        async with http.get(await link_for(bot, "ben")) as page:
            csrf = csrf_of(await page.text())
        action = f"privacy:forget:{bot.member('ana').id}"
        async with http.post(f"{bot.url}/dashboard/c/{community_id}/click",
                             data={"csrf": csrf, "action": action}) as page:
            html = await page.text()
        assert SOMEONE_ELSES in html  # the core's own refusal, as in chat
    assert bot.member("ana") is not None


async def test_logout_ends_the_session_on_the_server(make_bot: Any) -> None:
    bot = await cohort(make_bot)
    async with client() as http:
        async with http.get(await link_for(bot, "tess", "instructor")) as page:
            csrf = csrf_of(await page.text())
        stolen = {c.key: c.value for c in http.cookie_jar}["cohort_session"]
        community_id = bot.member("tess").community_id
        async with http.post(f"{bot.url}/dashboard/logout", data={"csrf": csrf}) as response:
            assert response.status == 200
    async with client() as replay:
        replay.cookie_jar.update_cookies({"cohort_session": stolen})
        async with replay.get(f"{bot.url}/dashboard/c/{community_id}") as page:
            assert page.status == 401


async def test_two_processes_creating_the_secret_at_once_share_the_winners(make_bot: Any, monkeypatch: Any) -> None:
    from sqlmodel import Session

    from bot.dashboard import tokens
    from bot.models import BotState

    bot = await cohort(make_bot)
    with bot.session() as s:  # the other process won: its secret is in the database...
        s.add(BotState(key=tokens.SECRET_KEY, value="the-other-process-secret"))
        s.commit()
    real_get, raced = Session.get, []

    def get_before_their_commit(self: Any, model: Any, key: Any, *args: Any, **kwargs: Any) -> Any:
        if model is BotState and key == tokens.SECRET_KEY and not raced:
            raced.append(key)
            return None  # ...but this one read before it was committed
        return real_get(self, model, key, *args, **kwargs)

    monkeypatch.setattr(Session, "get", get_before_their_commit)
    link = await link_for(bot, "tess", "instructor")
    assert raced and await bot.app.get_cog("dashboard").secret() == "the-other-process-secret"
    async with client() as http:
        assert (await sign_in(http, link)).status == 200  # the link is signed with the shared secret
