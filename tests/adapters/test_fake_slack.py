"""The fake Slack behaves like Slack for the real slack-sdk and slack-bolt."""

from __future__ import annotations

import gc
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.testing.fake_slack import (
    FakeSlack,
    block_actions_body,
    block_actions_payload,
    event_callback_body,
    event_callback_payload,
    message_event,
    sign,
    signed_headers,
    slash_command_body,
    slash_command_payload,
)

# Fail on the unclosed-session ResourceWarnings aiohttp emits when a session leaks
# (raised from __del__, so pytest reports them as unraisable-exception warnings).
pytestmark = [
    pytest.mark.filterwarnings("error::ResourceWarning"),
    pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    slack.add_user("U1", "ada", is_admin=True, tz="Europe/Berlin")
    slack.add_user("U2", "grace")
    slack.add_channel("C1", "general")
    await slack.start()
    yield slack
    await slack.stop()
    gc.collect()  # surface any leaked aiohttp session inside this test, not a later one


@pytest.fixture
def client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)


def bolt_app(fake: FakeSlack) -> AsyncApp:
    return AsyncApp(
        signing_secret=fake.signing_secret,
        client=AsyncWebClient(token=fake.bot_token, base_url=fake.api_url),
    )


@pytest.fixture
async def bolt_http(fake: FakeSlack) -> AsyncIterator[tuple[AsyncApp, str]]:
    """A real bolt AsyncApp served over HTTP on a free port: (app, events url)."""
    app = bolt_app(fake)
    runner = web.AppRunner(app.web_app(path="/slack/events"))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield app, f"http://127.0.0.1:{port}/slack/events"
    await runner.cleanup()


async def post_signed(url: str, body: str, secret: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body.encode(), headers=signed_headers(secret, body)) as response:
            return response.status, await response.text()


# -- Web API through the real AsyncWebClient ------------------------------------------------


async def test_auth_test_reports_the_bot_identity(fake: FakeSlack, client: AsyncWebClient) -> None:
    result = await client.auth_test()
    assert (result["team_id"], result["user_id"]) == ("T0001", "UBOT")
    assert fake.calls_to("auth.test")[0].token == "xoxb-test"


async def test_wrong_token_is_invalid_auth_and_still_recorded(fake: FakeSlack) -> None:
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=fake.api_url)
    with pytest.raises(SlackApiError) as raised:
        await wrong.chat_postMessage(channel="C1", text="hi")
    assert raised.value.response["error"] == "invalid_auth"
    assert fake.calls_to("chat.postMessage")[0].token == "xoxb-wrong"
    assert fake.messages.get("C1") in (None, [])


async def test_unknown_method_is_reported_and_recorded(fake: FakeSlack, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.api_call("pins.add", params={"channel": "C1"})
    assert raised.value.response["error"] == "unknown_method"
    assert [c.method for c in fake.calls] == ["pins.add"]


async def test_post_then_update_edits_the_message_in_place(fake: FakeSlack, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="C1", text="Vote now", blocks=[{"type": "divider"}])
    await client.chat_update(channel="C1", ts=posted["ts"], text="Poll closed")
    reply = await client.chat_postMessage(channel="C1", text="results", thread_ts=posted["ts"])

    first, second = fake.messages["C1"]
    assert first["ts"] == posted["ts"] and first["text"] == "Poll closed"
    assert first["edit_count"] == 1
    assert second["thread_ts"] == posted["ts"] and float(reply["ts"]) > float(posted["ts"])
    assert fake.calls_to("chat.postMessage")[0].params["blocks"] == [{"type": "divider"}]


async def test_delete_removes_the_message(fake: FakeSlack, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="#general", text="oops")
    await client.chat_delete(channel="C1", ts=posted["ts"])
    assert fake.messages["C1"] == [] and fake.deleted[0]["text"] == "oops"


async def test_conversations_open_gives_a_stable_dm(fake: FakeSlack, client: AsyncWebClient) -> None:
    dm = (await client.conversations_open(users="U1"))["channel"]["id"]
    again = (await client.conversations_open(users=["U1"]))["channel"]["id"]
    group = (await client.conversations_open(users="U1,U2"))["channel"]["id"]
    info = await client.conversations_info(channel=dm)

    assert dm.startswith("D") and dm == again
    assert group.startswith("G")
    assert info["channel"]["is_im"] and info["channel"]["user"] == "U1"


async def test_users_info_carries_admin_flag_and_timezone(client: AsyncWebClient) -> None:
    ada = (await client.users_info(user="U1"))["user"]
    grace = (await client.users_info(user="U2"))["user"]
    assert (ada["is_admin"], ada["tz"], grace["is_admin"]) == (True, "Europe/Berlin", False)
    with pytest.raises(SlackApiError) as raised:
        await client.users_info(user="U404")
    assert raised.value.response["error"] == "user_not_found"


async def test_conversations_list_pages_with_cursors(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.add_channel("C2", "random")
    fake.add_channel("C3", "mentoring")
    fake.add_channel("G9", "staff", is_private=True)
    names: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = await client.conversations_list(limit=2, cursor=cursor)
        names += [c["name"] for c in page["channels"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert names == ["general", "random", "mentoring"] and pages == 2


async def test_usergroups_and_their_members(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.add_usergroup("S1", "instructors", ["U1"])
    groups = await client.usergroups_list()
    members = await client.usergroups_users_list(usergroup="S1")
    assert [g["handle"] for g in groups["usergroups"]] == ["instructors"]
    assert members["users"] == ["U1"]


async def test_views_open_then_update(fake: FakeSlack, client: AsyncWebClient) -> None:
    view = {"type": "modal", "callback_id": "poll_create", "title": {"type": "plain_text", "text": "Poll"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Ask away"}}]}
    opened = await client.views_open(trigger_id="t.1", view=view)
    updated = await client.views_update(view_id=opened["view"]["id"], view={**view, "callback_id": "poll_edit"})
    assert updated["view"]["id"] == opened["view"]["id"]
    assert fake.views[opened["view"]["id"]]["callback_id"] == "poll_edit"


async def test_files_upload_v2_end_to_end(fake: FakeSlack, client: AsyncWebClient) -> None:
    chart = b"\x89PNG fake chart bytes"
    result = await client.files_upload_v2(channel="C1", file=chart, filename="chart.png", title="Participation")
    assert result["file"]["title"] == "Participation"
    assert fake.uploads == [
        {
            "file_id": result["file"]["id"],
            "filename": "chart.png",
            "title": "Participation",
            "channel": "C1",
            "bytes": chart,
            "initial_comment": None,
            "thread_ts": None,
        }
    ]


async def test_rate_limited_call_is_retried_by_slack_sdk(fake: FakeSlack) -> None:
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    fake.rate_limit_next("chat.postMessage", retry_after=0)

    await client.chat_postMessage(channel="C1", text="hello")

    statuses = [c.status for c in fake.calls_to("chat.postMessage")]
    assert statuses == [429, 200] and len(fake.messages["C1"]) == 1


async def test_failures_surface_without_retry_handlers(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.fail_next("chat.postMessage", status=500)
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel="C1", text="hello")
    await client.chat_postMessage(channel="C1", text="hello again")
    assert [m["text"] for m in fake.messages["C1"]] == ["hello again"]


# -- signed requests into a real bolt app over HTTP -----------------------------------------


def test_signatures_verify_with_slack_sdk() -> None:
    body = slash_command_body("/poll", "create", user_id="U1", team_id="T0001", channel_id="C1", response_url="http://x")
    headers = sign("test-secret", body)
    verifier = SignatureVerifier("test-secret")
    assert verifier.is_valid_request(body, headers)
    assert not verifier.is_valid_request(body + "&x=1", headers)
    assert not SignatureVerifier("other-secret").is_valid_request(body, headers)


async def test_bolt_slash_command_respond_reaches_the_response_url(
    fake: FakeSlack, bolt_http: tuple[AsyncApp, str]
) -> None:
    app, url = bolt_http

    @app.command("/poll")
    async def poll(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        await ack()
        await respond(f"Creating poll: {command['text']}")

    body = slash_command_body(
        "/poll", "create question:Best?", user_id="U1", team_id="T0001", channel_id="C1",
        response_url=fake.response_url("C1"),
    )
    status, _ = await post_signed(url, body, fake.signing_secret)
    response = await fake.wait_for_response()

    assert status == 200
    assert response["text"] == "Creating poll: create question:Best?"
    assert fake.ephemeral[-1]["text"] == response["text"]


async def test_bolt_rejects_a_bad_signature(fake: FakeSlack, bolt_http: tuple[AsyncApp, str]) -> None:
    app, url = bolt_http
    ran: list[str] = []

    @app.command("/poll")
    async def poll(ack: Any) -> None:
        ran.append("poll")
        await ack()

    body = slash_command_body("/poll", "x", user_id="U1", team_id="T0001", channel_id="C1", response_url="http://x")
    status, _ = await post_signed(url, body, "wrong-secret")
    assert status == 401 and ran == []


async def test_bolt_button_click_and_message_event(fake: FakeSlack, bolt_http: tuple[AsyncApp, str]) -> None:
    app, url = bolt_http

    @app.action("polls:vote")
    async def vote(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.chat_postEphemeral(channel="C1", user=body["user"]["id"], text=f"voted {body['actions'][0]['value']}")

    @app.message("hello")
    async def greet(say: Any) -> None:
        await say("hi there")

    click = block_actions_body(
        "polls:vote", value="7:2", user_id="U2", team_id="T0001", channel_id="C1",
        message_ts="1700000000.000100", response_url=fake.response_url("C1"),
    )
    event = event_callback_body(message_event("U2", "C1", "hello bot"), team_id="T0001")
    assert (await post_signed(url, click, fake.signing_secret))[0] == 200
    assert (await post_signed(url, event, fake.signing_secret))[0] == 200

    await fake.wait_for_call("chat.postEphemeral")
    await fake.wait_for_call("chat.postMessage")
    assert fake.ephemeral[0]["text"] == "voted 7:2" and fake.ephemeral[0]["user"] == "U2"
    assert fake.messages["C1"][0]["text"] == "hi there"


# -- Socket Mode -------------------------------------------------------------------------------


@pytest.fixture
async def socket_app(fake: FakeSlack) -> AsyncIterator[AsyncApp]:
    app = bolt_app(fake)

    @app.command("/poll")
    async def poll(ack: Any, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack(text="working on it")
        await client.chat_postMessage(channel=command["channel_id"], text=f"Poll: {command['text']}")

    @app.action("polls:close")
    async def close(ack: Any, respond: Any) -> None:
        await ack()
        await respond(text="Poll closed", response_type="in_channel")

    @app.event("message")
    async def on_message(event: dict[str, Any], say: Any) -> None:
        await say(f"seen {event['text']}")

    handler = AsyncSocketModeHandler(app, fake.app_token)
    await handler.connect_async()
    yield app
    await handler.close_async()


def poll_command(fake: FakeSlack, text: str) -> dict[str, str]:
    return slash_command_payload(
        "/poll", text, user_id="U1", team_id="T0001", channel_id="C1", response_url=fake.response_url("C1")
    )


async def test_socket_mode_round_trip(fake: FakeSlack, socket_app: AsyncApp) -> None:
    envelope_id = await fake.send_envelope("slash_commands", poll_command(fake, "Best day?"))
    ack = await fake.wait_for_ack(envelope_id)
    posted = await fake.wait_for_call("chat.postMessage")

    assert ack["payload"] == {"text": "working on it"}
    assert posted.params["text"] == "Poll: Best day?"
    assert fake.calls_to("apps.connections.open")[0].token == "xapp-test"
    assert fake.socket_connections == 1


async def test_socket_mode_reconnects_after_a_drop(fake: FakeSlack, socket_app: AsyncApp) -> None:
    await fake.drop_socket()
    await fake.wait_for_socket_connections(2)
    envelope_id = await fake.send_envelope("slash_commands", poll_command(fake, "after drop"))
    await fake.wait_for_ack(envelope_id)
    posted = await fake.wait_for_call("chat.postMessage")
    assert posted.params["text"] == "Poll: after drop"
    assert len(fake.calls_to("apps.connections.open")) == 2


async def test_socket_mode_interactive_and_events_api_envelopes(fake: FakeSlack, socket_app: AsyncApp) -> None:
    click = block_actions_payload(
        "polls:close", value="7", user_id="U1", team_id="T0001", channel_id="C1",
        message_ts="1700000000.000100", response_url=fake.response_url("C1"),
    )
    event = event_callback_payload(message_event("U2", "C1", "good morning"), team_id="T0001")
    click_id = await fake.send_envelope("interactive", click)
    event_id = await fake.send_envelope("events_api", event)

    assert (await fake.wait_for_ack(click_id))["envelope_id"] == click_id
    assert (await fake.wait_for_ack(event_id))["envelope_id"] == event_id
    await fake.wait_for_response()
    await fake.wait_for_call("chat.postMessage")
    texts = {m["text"] for m in fake.messages["C1"]}
    assert texts == {"Poll closed", "seen good morning"}


async def test_connections_open_needs_the_app_token(fake: FakeSlack, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.apps_connections_open(app_token=fake.bot_token)
    assert raised.value.response["error"] == "not_allowed_token_type"
    opened = await client.apps_connections_open(app_token=fake.app_token)
    assert opened["url"].startswith("ws://127.0.0.1:")
    assert json.loads(json.dumps(opened.data))["ok"] is True
