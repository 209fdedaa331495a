"""Sign in with Discord / Slack, at the wire: the real dashboard server, a fake provider on
127.0.0.1 (authorize -> code -> token -> user / guild member, OIDC id_token / userInfo)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from bot.dashboard.models import DashboardOAuthState
from bot.testing.fake_oauth import DISCORD_CLIENT, SLACK_CLIENT, FakeOAuth

from .oauth_support import GUILD, TEAM, callback_url, client, get, people, query_of, signin_bot


@pytest.fixture
async def fake() -> Any:
    async with FakeOAuth() as provider:
        people(provider)
        yield provider


async def test_an_instructor_signs_in_with_discord_by_their_role_and_is_the_member_the_chat_knows(
        make_bot: Any, fake: FakeOAuth, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    bot = await signin_bot(make_bot, fake)
    await bot.message("1001", server=GUILD)  # tess has chatted: the dashboard must use that member
    fake.signed_in["discord"] = "1001"
    async with client() as http:
        status, page, url = await get(http, f"{bot.url}/dashboard/oauth/discord")
    tess = bot.member("1001")
    assert status == 200 and url.endswith(f"/dashboard/c/{tess.community_id}"), (status, url, page)
    assert "Overview" in page and "Discord course" in page and "Sign out" in page
    with bot.session() as s:
        from sqlmodel import select

        from bot.dashboard.models import DashboardSession

        sessions = s.exec(select(DashboardSession)).all()
        assert [(r.member_id, r.access) for r in sessions] == [(tess.id, 1)]
        assert s.exec(select(DashboardOAuthState)).all() == []  # the sign-in's state is used up
    authorize = next(q for m, p, q in fake.requests if p == "/oauth2/authorize")
    assert authorize["scope"] == "identify guilds.members.read" and authorize["code_challenge_method"] == "S256"
    token = next(q for m, p, q in fake.requests if p == "/api/v10/oauth2/token")
    assert token["code_verifier"] and "client_secret" not in token  # PKCE; the secret goes as Basic auth
    for secret in (DISCORD_CLIENT[1], token["code"], token["code_verifier"], *fake.tokens):
        assert secret not in caplog.text


async def test_a_member_lands_on_their_own_page_and_instructors_users_still_count(make_bot: Any,
                                                                                    fake: FakeOAuth) -> None:
    bot = await signin_bot(make_bot, fake)
    async with client() as http:
        fake.signed_in["discord"] = "1002"  # instructor in another server only: a member here
        status, page, url = await get(http, f"{bot.url}/dashboard/oauth/discord")
        assert status == 200 and url.endswith("/me") and "My activity" in page
        community = bot.member("1002").community_id
        status, page, _ = await get(http, f"{bot.url}/dashboard/c/{community}")
        assert status == 403 and "Only instructors" in page
    assert bot.member("1002").display_name == "Ana B."  # the server nickname, as chat shows it
    async with client() as http:
        fake.signed_in["discord"] = "1003"  # no role, but listed under instructors.users
        status, page, url = await get(http, f"{bot.url}/dashboard/oauth/discord")
        assert status == 200 and url.endswith(f"/dashboard/c/{community}") and "Overview" in page


async def test_someone_in_no_community_the_bot_serves_is_refused(make_bot: Any, fake: FakeOAuth,
                                                                 caplog: Any) -> None:
    bot = await signin_bot(make_bot, fake)
    fake.signed_in["discord"] = "1009"
    async with client() as http:
        status, page, _ = await get(http, f"{bot.url}/dashboard/oauth/discord")
    assert status == 403 and "not a member of any community this bot serves" in page
    assert bot.member("1009") is None  # nobody was made up
    assert "dashboard refused GET /dashboard/oauth/discord/callback" in caplog.text


async def test_a_denied_consent_is_a_clear_refusal(make_bot: Any, fake: FakeOAuth) -> None:
    bot = await signin_bot(make_bot, fake)
    fake.signed_in["discord"], fake.consent = "1001", "deny"
    async with client() as http:
        status, page, url = await get(http, f"{bot.url}/dashboard/oauth/discord")
    assert "error=access_denied" in url
    assert status == 403 and "You did not allow the sign-in on Discord" in page and "Sign out" not in page


async def test_a_replayed_forged_expired_or_foreign_state_is_refused(make_bot: Any, fake: FakeOAuth) -> None:
    bot = await signin_bot(make_bot, fake)
    fake.signed_in["discord"] = "1001"
    async with client() as http:
        back = await callback_url(http, bot, "discord")
        assert (await get(http, back))[0] == 200
        status, page, _ = await get(http, back)  # the same answer again (a replay)
        assert status == 403 and "not valid or was already used" in page
        code = query_of(back)["code"]
        status, page, _ = await get(http, f"{bot.url}/dashboard/oauth/discord/callback?state=forged&code={code}")
        assert status == 403 and "not valid or was already used" in page
        status, page, _ = await get(http, f"{bot.url}/dashboard/oauth/discord/callback?code={code}")
        assert status == 400 and "no sign-in state" in page
        late = await callback_url(http, bot, "discord")
        bot.clock.advance(timedelta(minutes=11))
        status, page, _ = await get(http, late)
        assert status == 403 and "took too long" in page
        theirs = await callback_url(http, bot, "discord")
    async with client() as other_browser:  # a sign-in link made in one browser, opened in another
        status, page, _ = await get(other_browser, theirs)
        assert status == 403 and "started in another browser" in page
        status, page, _ = await get(other_browser, f"{bot.url}/dashboard")
        assert status == 401


async def test_a_failed_token_exchange_is_a_401_logged_without_secrets(make_bot: Any, fake: FakeOAuth,
                                                                       caplog: Any) -> None:
    bot = await signin_bot(make_bot, fake)
    fake.signed_in["discord"], fake.token_error = "1001", "invalid_grant"
    async with client() as http:
        back = await callback_url(http, bot, "discord")
        status, page, _ = await get(http, back)
    assert status == 401 and "could not confirm who you are" in page
    assert "token exchange refused (HTTP 400, invalid_grant)" in caplog.text
    assert query_of(back)["code"] not in caplog.text and DISCORD_CLIENT[1] not in caplog.text


async def test_the_buttons_show_only_when_configured(make_bot: Any, fake: FakeOAuth) -> None:
    bot = await signin_bot(make_bot, fake)
    async with client() as http:
        status, page, _ = await get(http, f"{bot.url}/dashboard")
        assert status == 401 and "Sign in with Discord" in page and "Sign in with Slack" in page
        status, page, _ = await get(http, f"{bot.url}/dashboard/signin")
        assert status == 200 and 'href="/dashboard/oauth/slack"' in page
    plain = await signin_bot(make_bot, None)
    async with client() as http:
        status, page, _ = await get(http, f"{plain.url}/dashboard")
        assert status == 401 and "Sign in with" not in page and "/dashboard in the chat" in page
        status, page, _ = await get(http, f"{plain.url}/dashboard/oauth/discord")
        assert status == 404 and "not set up" in page
        status, page, _ = await get(http, f"{plain.url}/dashboard/signin")
        assert status == 200 and "/dashboard" in page and "Sign in with" not in page


async def test_slack_openid_connect_signs_in_to_the_workspace(make_bot: Any, fake: FakeOAuth,
                                                              caplog: Any) -> None:
    bot = await signin_bot(make_bot, fake)
    async with client() as http:
        fake.signed_in["slack"] = "U0ANA"
        status, page, url = await get(http, f"{bot.url}/dashboard/oauth/slack")
        assert status == 200 and url.endswith("/me") and "My activity" in page
    ana = bot.member("U0ANA")
    assert ana is not None and ana.display_name == "Ana Slack"
    authorize = next(q for m, p, q in fake.requests if p == "/openid/connect/authorize")
    assert authorize["scope"] == "openid profile" and authorize["nonce"] and authorize["code_challenge"]
    async with client() as http:
        fake.signed_in["slack"] = "U0TESS"  # instructors.users
        status, page, url = await get(http, f"{bot.url}/dashboard/oauth/slack")
        assert status == 200 and url.endswith(f"/dashboard/c/{ana.community_id}") and "Overview" in page
    assert SLACK_CLIENT[1] not in caplog.text


async def test_slack_refuses_a_forged_id_token_and_another_workspace(make_bot: Any, fake: FakeOAuth,
                                                                     caplog: Any) -> None:
    from joserfc.jwk import RSAKey

    bot = await signin_bot(make_bot, fake)
    fake.signed_in["slack"] = "U0ANA"
    fake.signing_key = RSAKey.generate_key(2048, parameters={"kid": "fake-1"})  # not the published key
    async with client() as http:
        status, page, _ = await get(http, f"{bot.url}/dashboard/oauth/slack")
    assert status == 401 and "could not confirm who you are" in page
    assert "the id_token did not check out" in caplog.text and bot.member("U0ANA") is None
    fake.signing_key = fake.key
    fake.signed_in["slack"] = "U0OUT"
    async with client() as http:
        status, page, _ = await get(http, f"{bot.url}/dashboard/oauth/slack")
    assert status == 403 and "Your Slack account is not a member of any community" in page


async def test_a_member_of_two_communities_chooses_one_with_one_time_links(make_bot: Any, fake: FakeOAuth) -> None:
    import re

    bot = await signin_bot(make_bot, fake)
    fake.signed_in["discord"] = "1004"  # a member of the first course, an instructor of the second
    async with client() as http:
        status, page, _ = await get(http, f"{bot.url}/dashboard/oauth/discord")
        assert status == 200 and "Choose a community" in page
        assert page.index("Second course") < page.index("Discord course")  # most access first
        assert "as instructor" in page and "as member" in page
        first = re.search(r'href="(/dashboard/login\?t=[^"]+)"', page).group(1)
        status, page, url = await get(http, bot.url + first)
        assert status == 200 and "Overview" in page and "Second course" in page
        status, page, _ = await get(http, bot.url + first)
        assert status == 403 and "already used" in page


async def test_two_answers_with_one_state_at_once_open_one_session(make_bot: Any, fake: FakeOAuth) -> None:
    import asyncio

    bot = await signin_bot(make_bot, fake)
    fake.signed_in["discord"] = "1001"
    async with client() as http:
        back = await callback_url(http, bot, "discord")
        results = await asyncio.gather(get(http, back), get(http, back))
    assert sorted(status for status, _, _ in results) == [200, 403]


async def test_slack_is_asked_for_the_one_workspace_the_bot_serves(make_bot: Any, fake: FakeOAuth) -> None:
    bot = await signin_bot(make_bot, fake)
    async with client() as http:
        async with http.get(f"{bot.url}/dashboard/oauth/slack", allow_redirects=False) as start:
            assert query_of(start.headers["Location"])["team"] == TEAM


async def test_another_provider_error_is_a_401_and_its_code_is_shown_as_plain_text(make_bot: Any,
                                                                                   fake: FakeOAuth) -> None:
    bot = await signin_bot(make_bot, fake)
    fake.signed_in["discord"] = "1001"
    async with client() as http:
        back = await callback_url(http, bot, "discord")
        state = query_of(back)["state"]
        from urllib.parse import quote

        evil = quote("server_error\n<script>x</script>")
        status, page, _ = await get(http, f"{bot.url}/dashboard/oauth/discord/callback?state={state}&error={evil}")
    assert status == 401 and "Discord did not sign you in (server_errorscriptxscript)" in page


async def test_a_provider_that_does_not_answer_is_a_401(make_bot: Any, fake: FakeOAuth, caplog: Any) -> None:
    import socket

    bot = await signin_bot(make_bot, fake)
    fake.signed_in["discord"] = "1001"
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    async with client() as http:
        back = query_of(await callback_url(http, bot, "discord"))
        bot.app.settings = bot.app.settings.model_copy(update={"discord_oauth_url": dead})
        status, page, _ = await get(http, f"{bot.url}/dashboard/oauth/discord/callback?state={back['state']}"
                                          f"&code={back['code']}")
    assert status == 401 and "could not confirm who you are" in page
    assert "dashboard sign-in with discord failed: ClientConnectorError" in caplog.text


async def test_an_answer_naming_another_issuer_is_refused(make_bot: Any, fake: FakeOAuth) -> None:
    bot = await signin_bot(make_bot, fake)  # RFC 9207: Discord names itself in iss; a mix-up attack would not
    fake.signed_in["discord"] = "1001"
    async with client() as http:
        back = query_of(await callback_url(http, bot, "discord"))
        status, page, _ = await get(http, f"{bot.url}/dashboard/oauth/discord/callback?state={back['state']}"
                                          f"&code={back['code']}&iss=http%3A%2F%2Fevil.example")
    assert status == 403 and "did not come from Discord" in page
    assert not [p for m, p, q in fake.requests if p == "/api/v10/oauth2/token"]  # the code was never sent


async def test_discord_rate_limiting_a_member_look_up_is_waited_out(make_bot: Any, fake: FakeOAuth) -> None:
    bot = await signin_bot(make_bot, fake)
    fake.signed_in["discord"], fake.rate_limited = "1001", {GUILD}
    async with client() as http:
        status, page, _ = await get(http, f"{bot.url}/dashboard/oauth/discord")
    assert status == 200 and "Overview" in page
    looked_up = [p for m, p, q in fake.requests if p.endswith(f"/guilds/{GUILD}/member")]
    assert len(looked_up) == 2  # refused once with retry_after, then answered
