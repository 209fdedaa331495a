"""The Slack adapter driven at the wire: signed HTTP requests in, a fake Slack Web API out."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from typing import Any, AsyncIterator

import aiohttp
import pytest

from bot.errors import ConfigError
from bot.events import MemberJoined, ReactionAdded, ReactionRemoved
from bot.testing.fake_slack import (FakeSlack, event_callback_body, event_callback_payload, member_joined_event,
                                    message_event, reaction_event, signed_headers, slash_command_payload,
                                    team_join_event)
from bot.testing.slack import SlackBot

SAMPLE = "tests.fixtures.sample_cog"
RECORDER = "tests.fixtures.event_recorder"
GENERAL = "C0GENERAL"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_channel(GENERAL, "general", members=["U1", "U2"])
        fake.add_user("U1", "ana")
        fake.add_user("U2", "ben")
        fake.add_user("UADMIN", "olga", is_admin=True)
        fake.add_user("UTA", "tess")
        fake.add_usergroup("S0TAS", "tas", ["UTA"])
        yield fake


@pytest.fixture
async def slack_bot(fake: FakeSlack, tmp_path: Any) -> AsyncIterator[SlackBot]:
    bot = SlackBot(fake, tmpdir=tmp_path, cogs=[SAMPLE, RECORDER],
                   yaml="communities:\n  - id: '*'\n    instructors: {roles: ['@tas']}\n")
    await bot.start()
    yield bot
    await bot.stop()


def sample(bot: SlackBot) -> Any:
    return bot.app.get_cog("sample")


async def test_slash_command_answers_in_the_channel(slack_bot: SlackBot, fake: FakeSlack) -> None:
    status, body = await slack_bot.command("/sample", "echo hello times:2", user="U1")
    assert status == 200 and body == ""  # acknowledged at once, answered afterwards
    await slack_bot.idle()
    posted = fake.messages[GENERAL][-1]
    assert posted["text"] == "hello [calm] hello [calm]"
    assert posted["blocks"][0]["type"] == "section"


async def test_a_command_whose_text_says_payload_is_still_a_command(slack_bot: SlackBot, fake: FakeSlack) -> None:
    # bolt's own body parser reads any form containing "payload" as an interaction payload (and
    # then as nothing): the request it gets is the one the gate already parsed
    status, _ = await slack_bot.command("/sample", "echo payload", user="U1")
    await slack_bot.idle()
    assert status == 200 and fake.messages[GENERAL][-1]["text"] == "payload [calm]"


async def test_slack_escaping_is_undone_on_the_way_in_and_redone_on_the_way_out(slack_bot: SlackBot,
                                                                              fake: FakeSlack) -> None:
    await slack_bot.command("/sample", "echo \"a&amp;b &lt;!here&gt;\"", user="U1")
    await slack_bot.idle()
    posted = fake.messages[GENERAL][-1]
    assert posted["text"] == "a&amp;b &lt;!here&gt; [calm]"  # not a&amp;amp;b, and no @here ping


async def test_a_mention_typed_in_slack_stays_a_mention(slack_bot: SlackBot, fake: FakeSlack) -> None:
    # Slack sends a mention picked from the menu as <@U2|ben>; it must not come back as literal text.
    await slack_bot.command("/sample", "echo \"thanks <@U2|ben>\"", user="U1")
    await slack_bot.idle()
    section = fake.messages[GENERAL][-1]["blocks"][0]["text"]["text"]
    assert section.startswith("thanks <@U2>") and "&lt;" not in section


async def test_bad_options_get_ephemeral_usage_help(slack_bot: SlackBot, fake: FakeSlack) -> None:
    await slack_bot.command("/sample", "echo hello times:9", user="U1")
    await slack_bot.idle()
    answer = await fake.wait_for_response()
    assert answer["response_type"] == "ephemeral"
    assert "Usage:" in answer["text"] and "times" in answer["text"]
    assert GENERAL not in fake.messages


async def test_member_is_refused_an_instructor_command(slack_bot: SlackBot, fake: FakeSlack) -> None:
    await slack_bot.command("/sample", "secret", user="U1")
    await slack_bot.idle()
    answer = await fake.wait_for_response()
    assert "only instructors" in answer["text"] and "the secret" not in answer["text"]


@pytest.mark.parametrize("user", ["UADMIN", "UTA"], ids=["workspace-admin", "user-group-member"])
async def test_admins_and_instructor_groups_may(slack_bot: SlackBot, fake: FakeSlack, user: str) -> None:
    await slack_bot.command("/sample", "secret", user=user)
    await slack_bot.idle()
    answer = await fake.wait_for_response()
    assert answer["text"] == "the secret" and answer["response_type"] == "ephemeral"


async def test_user_lookups_are_cached(slack_bot: SlackBot, fake: FakeSlack) -> None:
    for _ in range(3):
        await slack_bot.command("/sample", "echo hi", user="U1")
    await slack_bot.idle()
    assert len(fake.messages[GENERAL]) == 3
    assert len([c for c in fake.calls_to("users.info") if c.params.get("user") == "U1"]) == 1


async def test_button_click_updates_the_message(slack_bot: SlackBot, fake: FakeSlack) -> None:
    await slack_bot.command("/sample", "buttons", user="U1")
    await slack_bot.idle()
    posted = fake.messages[GENERAL][-1]
    buttons = [e for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["One", "Staff"]
    assert buttons[1]["style"] == "danger"

    await slack_bot.click(buttons[0]["action_id"], value=buttons[0]["value"], user="U2", channel=GENERAL,
                          message_ts=posted["ts"])
    await slack_bot.idle()
    update = await fake.wait_for_call("chat.update")
    assert update.params["ts"] == posted["ts"] and update.params["channel"] == GENERAL
    assert posted["text"] == "ben picked 1" and posted["edit_count"] == 1


async def test_instructor_button_refuses_a_member(slack_bot: SlackBot, fake: FakeSlack) -> None:
    await slack_bot.click("sample:staff:x", user="U2", channel=GENERAL, message_ts="1700000000.000100")
    await slack_bot.idle()
    answer = await fake.wait_for_response()
    assert "only instructors" in answer["text"]


async def test_message_events_become_neutral_events(slack_bot: SlackBot) -> None:
    await slack_bot.event(message_event("U1", GENERAL, "hello there", ts="1750000000.000100"))
    await slack_bot.idle()  # events are handled concurrently; one at a time keeps the order to compare
    await slack_bot.event(message_event("U2", GENERAL, "a reply", ts="1750000001.000100",
                                        thread_ts="1750000000.000100"))
    await slack_bot.idle()
    seen = sample(slack_bot).seen_events
    assert [(e.message_id, e.thread_id, e.length) for e in seen] == [
        ("1750000000.000100", None, len("hello there")), ("1750000001.000100", "1750000000.000100", 7)]
    assert seen[0].channel_id == GENERAL and seen[0].member_id != seen[1].member_id


async def test_bot_posts_edits_and_deletions_are_not_activity(slack_bot: SlackBot) -> None:
    await slack_bot.event(message_event("U1", GENERAL, "bot says", bot_id="B0999"))
    await slack_bot.event(message_event("U1", GENERAL, "edited", subtype="message_changed"))
    await slack_bot.event(message_event("U1", GENERAL, "", subtype="message_deleted"))
    await slack_bot.event(message_event("UBOT", GENERAL, "my own post"))
    await slack_bot.event(message_event("U1", GENERAL, "counted", ts="1750000002.000100"))
    await slack_bot.idle()
    assert [e.message_id for e in sample(slack_bot).seen_events] == ["1750000002.000100"]


async def test_reactions_and_joins_become_neutral_events(slack_bot: SlackBot) -> None:
    for event in (reaction_event("U2", GENERAL, "1750000000.000100", "tada"),
                  reaction_event("U2", GENERAL, "1750000000.000100", "tada", added=False),
                  member_joined_event("U3", GENERAL)):
        await slack_bot.event(event)
        await slack_bot.idle()
    await slack_bot.idle()
    events = slack_bot.app.get_cog("recorder").of(ReactionAdded, ReactionRemoved, MemberJoined)
    assert [type(e) for e in events] == [ReactionAdded, ReactionRemoved, MemberJoined]
    assert events[0].message_id == "1750000000.000100" and events[0].emoji == "tada"
    assert events[2].channel_id == GENERAL


async def test_thread_parent_reaction_author_and_team_join_fields(slack_bot: SlackBot, fake: FakeSlack) -> None:
    """What welcome/helpdesk/kudos read: a thread reply names its parent, a reaction names the reacted
    message's author (resolved to a member; the bot's own post names nobody), team_join names no channel."""
    question = "1750000000.000100"
    await slack_bot.event(message_event("U1", GENERAL, "how?", ts=question))
    await slack_bot.idle()
    await slack_bot.event(message_event("U2", GENERAL, "so", ts="1750000001.000100", thread_ts=question))
    await slack_bot.idle()
    for event in (reaction_event("U2", GENERAL, question, "pray", item_user="U1"),
                  reaction_event("U2", GENERAL, "1750000002.000100", "pray", item_user=fake.bot_user_id),
                  team_join_event("U7", team=fake.team_id, name="nina"),
                  team_join_event("U8", team=fake.team_id, is_bot=True)):
        await slack_bot.event(event)
        await slack_bot.idle()
    seen = sample(slack_bot).seen_events
    assert seen[1].thread_parent_id == question and seen[1].answers(question) and not seen[0].answers(question)
    recorder = slack_bot.app.get_cog("recorder")
    on_question, on_bot_post = recorder.of(ReactionAdded)
    assert on_question.message_author == "U1" and on_question.message_author_id == seen[0].member_id
    assert (on_bot_post.message_author, on_bot_post.message_author_id) == (None, 0)
    [joined] = recorder.of(MemberJoined)
    assert joined.joined_community and joined.member_id


async def test_a_retried_event_is_counted_once(slack_bot: SlackBot) -> None:
    event = message_event("U1", GENERAL, "once", ts="1750000003.000100")
    sent = int(time.time())
    first = await slack_bot.event(event, event_id="Ev0RETRY", event_time=sent)
    again = await slack_bot.event(event, event_id="Ev0RETRY", retry=1, event_time=sent)
    assert first[0] == again[0] == 200  # Slack stops retrying only on a 2xx
    await slack_bot.idle()
    assert [e.message_id for e in sample(slack_bot).seen_events] == ["1750000003.000100"]


async def test_a_retry_reaching_another_http_worker_is_counted_once(slack_bot: SlackBot, fake: FakeSlack,
                                                                   tmp_path: Any) -> None:
    """Two workers behind a load balancer share the database: Slack's retry may go to either."""
    other = SlackBot(fake, tmpdir=tmp_path, cogs=[SAMPLE], yaml="communities:\n  - id: '*'\n")
    await other.start()
    try:
        event = message_event("U1", GENERAL, "once", ts="1750000004.000100")
        sent = int(time.time())  # a retry carries the first delivery's event_time, even a second later
        await slack_bot.event(event, event_id="Ev0TWOWORKERS", event_time=sent)
        await slack_bot.idle()
        await other.event(event, event_id="Ev0TWOWORKERS", retry=1, event_time=sent)
        await other.idle()
        assert [e.message_id for e in sample(slack_bot).seen_events] == ["1750000004.000100"]
        assert sample(other).seen_events == []
    finally:
        await other.stop()


async def test_events_the_bot_does_not_use_are_still_acknowledged(slack_bot: SlackBot) -> None:
    status, _ = await slack_bot.event({"type": "app_mention", "user": "U1", "channel": GENERAL, "text": "hi",
                                       "ts": "1750000005.000100"})
    assert status == 200  # a 404 would make Slack retry, and eventually disable the subscription
    await slack_bot.idle()
    assert sample(slack_bot).seen_events == []


async def test_workspace_is_the_community(slack_bot: SlackBot) -> None:
    await slack_bot.event(message_event("U1", GENERAL, "a"), team_id="T0001")
    await slack_bot.idle()
    await slack_bot.event(message_event("U1", GENERAL, "b"), team_id="T0OTHER")
    await slack_bot.idle()
    first, second = sample(slack_bot).seen_events
    assert first.community_id != second.community_id


@pytest.mark.parametrize("case", ["bad-signature", "stale-timestamp"])
async def test_unsigned_or_stale_requests_are_refused(slack_bot: SlackBot, fake: FakeSlack, case: str) -> None:
    body_event = message_event("U1", GENERAL, "forged")
    body = event_callback_body(body_event, team_id=fake.team_id)
    if case == "bad-signature":
        status, _ = await slack_bot.post(body, secret="not-the-secret")
    else:
        status, _ = await slack_bot.post(body, timestamp=int(time.time()) - 10 * 60)
    assert status == 401
    await slack_bot.idle()
    assert sample(slack_bot).seen_events == []


async def test_url_verification_and_healthz(slack_bot: SlackBot) -> None:
    status, text = await slack_bot.post('{"type": "url_verification", "challenge": "abc123", "token": "x"}')
    assert status == 200 and "abc123" in text
    async with slack_bot.http.get(f"{slack_bot.url}/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"ok": True, "adapters": ["slack"], "mode": "http"}


async def test_http_mode_without_signing_secret_is_a_config_error(fake: FakeSlack, tmp_path: Any) -> None:
    bot = SlackBot(fake, tmpdir=tmp_path, cogs=[SAMPLE], signing_secret=None)
    with pytest.raises(ConfigError) as caught:
        await bot.start()
    assert "SLACK_SIGNING_SECRET is required in HTTP mode" in str(caught.value)
    await bot.stop()


async def test_a_rejected_token_is_a_config_error(fake: FakeSlack, tmp_path: Any) -> None:
    bot = SlackBot(fake, tmpdir=tmp_path, cogs=[SAMPLE], bot_token="xoxb-wrong")
    with pytest.raises(ConfigError) as caught:
        await bot.start()
    assert "invalid_auth" in str(caught.value) and "xoxb-wrong" not in str(caught.value)
    await bot.stop()


async def test_socket_mode_envelopes_are_acked_and_handled(fake: FakeSlack, tmp_path: Any) -> None:
    bot = await SlackBot(fake, tmpdir=tmp_path, cogs=[SAMPLE], socket_mode=True, signing_secret=None).start()
    try:
        await fake.wait_for_socket_connections(1)
        command = slash_command_payload("/sample", "echo socket", user_id="U1", team_id=fake.team_id,
                                        channel_id=GENERAL, response_url=fake.response_url(GENERAL))
        ack = await fake.wait_for_ack(await fake.send_envelope("slash_commands", command))
        assert "payload" not in ack or not ack["payload"]  # an empty ack: the answer is a message
        event = event_callback_payload(message_event("U2", GENERAL, "hi", ts="1750000004.000100"),
                                       team_id=fake.team_id, event_id="Ev0SOCKET")
        await fake.wait_for_ack(await fake.send_envelope("events_api", event))
        await fake.wait_for_ack(await fake.send_envelope("events_api", event))  # Slack's retry: same event id
        await bot.idle()
        await fake.wait_for_call("chat.postMessage")
        assert fake.messages[GENERAL][-1]["text"] == "socket [calm]"
        assert [e.message_id for e in sample(bot).seen_events] == ["1750000004.000100"]
    finally:
        await bot.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_python_m_bot_run_serves_slack_over_http(fake: FakeSlack, tmp_path: Any) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BOT_"))}
    (tmp_path / "empty.yaml").touch()  # no schedules (a missing BOT_CONFIG is an error)
    env.update(SLACK_BOT_TOKEN=fake.bot_token, SLACK_SIGNING_SECRET=fake.signing_secret,
               SLACK_API_URL=fake.api_url, PORT=str(port), HOST="127.0.0.1",
               DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}", BOT_CONFIG=str(tmp_path / "empty.yaml"))
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        health = None
        async with aiohttp.ClientSession() as http:
            for _ in range(300):  # up to ~30 s for migrations and start-up on a slow machine
                if proc.returncode is not None:
                    break
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        health = await response.json()
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            assert health == {"ok": True, "adapters": ["slack"], "mode": "http"}, \
                (await proc.stderr.read()).decode()[-2000:] if proc.returncode is not None else "no answer"
            body = "command=%2Fhelp&text=&team_id=T0001&user_id=U1&channel_id=C0GENERAL&response_url=" + \
                fake.response_url(GENERAL).replace(":", "%3A").replace("/", "%2F")
            async with http.post(f"http://127.0.0.1:{port}/slack/events", data=body,
                                 headers=signed_headers(fake.signing_secret, body)) as response:
                assert response.status == 200
            reply = await fake.wait_for_response(timeout=10)
            assert "/poll" in reply["text"]  # the built-in cogs are loaded and listed
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 30)
        err = (await proc.stderr.read()).decode()
    assert code == 0, err[-2000:]
    assert fake.bot_token not in err and fake.signing_secret not in err


@pytest.mark.parametrize("action_id", ["old-style-button", "gone:pick:1", "sample:pick"])
async def test_a_click_nobody_handles_is_acked_and_told_privately(slack_bot: SlackBot, fake: FakeSlack,
                                                                 action_id: str) -> None:
    status, _ = await slack_bot.click(action_id, user="U2", channel=GENERAL, message_ts="1700000000.000100")
    await slack_bot.idle()
    answer = await fake.wait_for_response()
    assert status == 200 and "no longer works" in answer["text"], answer
    assert answer.get("response_type", "ephemeral") == "ephemeral" and slack_bot.app.errors.last_reference is None
