"""The real discord.py 2.7 client against the local fake Discord (REST + gateway)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from typing import AsyncIterator

import discord
import pytest
from discord import app_commands

from bot.testing.fake_discord import FakeDiscord, discord_py_pointed_at

pytestmark = pytest.mark.filterwarnings(
    "error::ResourceWarning", "error::pytest.PytestUnraisableExceptionWarning"
)

GUILD, GENERAL, OWNER, ALICE, INSTRUCTOR_ROLE = 500, 501, 600, 601, 700
TIMEOUT = 5.0


class VoteButton(discord.ui.DynamicItem[discord.ui.Button], template=r"polls:vote:(?P<poll>\d+):(?P<option>\d+)"):
    """A button whose custom_id carries its state, like the bot's poll buttons."""

    def __init__(self, poll: int, option: int) -> None:
        super().__init__(discord.ui.Button(label=f"Option {option}", custom_id=f"polls:vote:{poll}:{option}"))
        self.poll, self.option = poll, option

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item, match: re.Match[str]):
        return cls(int(match["poll"]), int(match["option"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content=f"{interaction.user.name} voted for option {self.option}")


class CohortClient(discord.Client):
    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.members = True
        intents.message_content = True
        # on_ready waits this long after the last GUILD_CREATE; the fake sends them all at once.
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.ready = asyncio.Event()

    async def setup_hook(self) -> None:
        self.add_dynamic_items(VoteButton)

    async def on_ready(self) -> None:
        self.ready.set()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before re-identifying; Discord's real limits do not apply here."""


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    fake.add_guild(
        GUILD, "Cohort 7", owner_id=OWNER,
        roles=[{"id": INSTRUCTOR_ROLE, "name": "Instructor", "permissions": 1 << 5}],
        channels=[{"id": GENERAL, "name": "general"}],
        members=[{"id": ALICE, "username": "alice", "roles": [INSTRUCTOR_ROLE]}],
    )
    await fake.start()
    with discord_py_pointed_at(fake.api_base, fake.gateway_url):
        yield fake
    await fake.stop()
    assert not fake.handler_errors, "an endpoint of the fake itself failed"


@contextlib.asynccontextmanager
async def running(client: CohortClient, fake: FakeDiscord) -> AsyncIterator[CohortClient]:
    task = asyncio.create_task(client.start(fake.token))
    ready = asyncio.create_task(client.ready.wait())
    try:
        done, _ = await asyncio.wait({task, ready}, timeout=TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()  # surfaces the reason the client stopped
        assert ready in done, "the client never became ready"
        yield client
    finally:
        ready.cancel()
        await client.close()
        await asyncio.wait_for(task, TIMEOUT)


@pytest.fixture
async def client(fake: FakeDiscord) -> AsyncIterator[CohortClient]:
    async with running(CohortClient(), fake) as client:
        yield client


async def test_client_logs_in_identifies_and_sees_the_guild(fake: FakeDiscord, client: CohortClient) -> None:
    guild = client.get_guild(GUILD)
    assert guild is not None and guild.name == "Cohort 7"
    assert [c.name for c in guild.text_channels] == ["general"]
    alice = guild.get_member(ALICE)
    assert alice is not None and [r.name for r in alice.roles] == ["@everyone", "Instructor"]
    assert guild.owner_id == OWNER
    assert client.user is not None and client.user.bot
    assert fake.requests_to("GET", r"^/users/@me$"), "login must fetch the bot user"
    assert (fake.identify_count, fake.ready_count) == (1, 1)
    assert fake.identify_intents == client.intents.value


async def test_wrong_token_is_refused_at_login(fake: FakeDiscord) -> None:
    client = CohortClient()
    with pytest.raises(discord.LoginFailure):
        await client.login("not-the-token")
    await client.close()
    assert fake.requests_to("GET", r"^/users/@me$")[0].status == 401


async def test_gateway_bot_announces_the_fake_gateway(fake: FakeDiscord, client: CohortClient) -> None:
    _, url, _ = await client.http.get_bot_gateway()
    assert url == fake.gateway_url


async def test_injected_message_reaches_on_message(fake: FakeDiscord, client: CohortClient) -> None:
    arrived = client.wait_for("message", timeout=TIMEOUT)
    sent = await fake.send_message(GUILD, GENERAL, ALICE, "When is the quiz?")
    message: discord.Message = await arrived
    assert (message.id, message.content) == (int(sent["id"]), "When is the quiz?")
    assert message.author.name == "alice" and isinstance(message.author, discord.Member)
    assert message.channel.name == "general"  # type: ignore[union-attr]

    reply_arrived = client.wait_for("message", timeout=TIMEOUT)
    await fake.send_message(GUILD, GENERAL, OWNER, "Friday", reply_to=sent["id"])
    reply = await reply_arrived
    assert reply.reference is not None and reply.reference.message_id == int(sent["id"])


async def test_message_with_embed_and_button_is_recorded(fake: FakeDiscord, client: CohortClient) -> None:
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton(poll=9, option=1))
    channel = client.get_channel(GENERAL)
    sent = await channel.send(embed=discord.Embed(title="Best day?", description="Mon or Tue"), view=view)  # type: ignore[union-attr]

    [posted] = fake.messages[GENERAL]
    assert posted["id"] == str(sent.id)
    assert posted["embeds"][0]["title"] == "Best day?"
    assert posted["components"][0]["components"][0]["custom_id"] == "polls:vote:9:1"
    assert sent.embeds[0].title == "Best day?"  # discord.py parsed the fake's answer

    await sent.edit(content="Poll closed", view=None)
    assert (posted["content"], posted["components"]) == ("Poll closed", [])
    assert fake.edit_count(sent.id) == 1 and len(fake.messages[GENERAL]) == 1


async def test_file_upload_is_recorded_as_multipart(fake: FakeDiscord, client: CohortClient) -> None:
    channel = client.get_channel(GENERAL)
    sent = await channel.send("results", file=discord.File(io.BytesIO(b"a,b\n1,2\n"), filename="results.csv"))  # type: ignore[union-attr]

    request = fake.requests_to("POST", rf"^/channels/{GENERAL}/messages$")[-1]
    assert request.json["content"] == "results"
    assert [(f.filename, f.data) for f in request.files] == [("results.csv", b"a,b\n1,2\n")]
    assert [a.filename for a in sent.attachments] == ["results.csv"]


async def test_button_click_runs_dynamic_item_which_edits_the_message(fake: FakeDiscord, client: CohortClient) -> None:
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton(poll=9, option=2))
    sent = await client.get_channel(GENERAL).send("Best day?", view=view)  # type: ignore[union-attr]

    interaction = await fake.send_interaction_component(GUILD, GENERAL, ALICE, sent.id, "polls:vote:9:2")
    callback = await fake.wait_for_request("POST", rf"^/interactions/{interaction['id']}/[^/]+/callback$", TIMEOUT)
    assert callback.query.get("with_response") and callback.status == 200
    [response] = fake.interaction_responses[interaction["id"]]
    assert response["type"] == 7
    assert fake.message(sent.id)["content"] == "alice voted for option 2"
    assert fake.edit_count(sent.id) == 1


async def test_synced_slash_command_runs_and_answers_ephemerally(fake: FakeDiscord, client: CohortClient) -> None:
    poll = app_commands.Group(name="poll", description="Polls and quizzes")
    seen: list[tuple[str, bool]] = []

    @poll.command(name="create", description="Start a poll")
    async def create(interaction: discord.Interaction, question: str, anonymous: bool = False) -> None:
        seen.append((question, anonymous))
        await interaction.response.send_message(f"Poll created: {question}", ephemeral=True)

    client.tree.add_command(poll, guild=discord.Object(GUILD))
    await client.tree.sync(guild=discord.Object(GUILD))
    assert [c["name"] for c in fake.registered_commands[GUILD]] == ["poll"]
    assert fake.registered_commands[GUILD][0]["options"][0]["name"] == "create"

    options = [{"type": 1, "name": "create", "options": [
        {"type": 3, "name": "question", "value": "Best day?"}, {"type": 5, "name": "anonymous", "value": True}]}]
    interaction = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "poll", options)
    [response] = await fake.wait_for(lambda: fake.interaction_responses.get(interaction["id"]), TIMEOUT)

    assert seen == [("Best day?", True)]
    assert response["type"] == 4 and response["data"]["content"] == "Poll created: Best day?"
    assert response["data"]["flags"] & 64
    assert GENERAL not in fake.messages, "an ephemeral answer is not posted in the channel"


async def test_deferred_command_follows_up_and_edits_original(fake: FakeDiscord, client: CohortClient) -> None:
    @client.tree.command(name="report", description="Participation report", guild=discord.Object(GUILD))
    async def report(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("part 2", ephemeral=True)
        await interaction.edit_original_response(content="part 1")

    await client.tree.sync(guild=discord.Object(GUILD))
    interaction = await fake.send_interaction_command(GUILD, GENERAL, OWNER, "report")
    responses = await fake.wait_for(
        lambda: len(fake.interaction_responses.get(interaction["id"], [])) == 3
        and fake.interaction_responses[interaction["id"]], TIMEOUT)

    assert [r["kind"] for r in responses] == ["callback", "followup", "edit"]
    assert responses[0]["type"] == 5 and responses[1]["data"]["flags"] & 64
    assert [m["content"] for m in fake.messages[GENERAL]] == ["part 1"]


class QuizAnswer(discord.ui.Modal, title="Answer"):
    answer: discord.ui.TextInput = discord.ui.TextInput(label="Your answer", custom_id="answer")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"Recorded: {self.answer.value}", ephemeral=True)


async def test_modal_opened_by_a_command_receives_the_submission(fake: FakeDiscord, client: CohortClient) -> None:
    @client.tree.command(name="answer", description="Answer the quiz", guild=discord.Object(GUILD))
    async def answer(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(QuizAnswer(custom_id="quiz:answer:4"))

    await client.tree.sync(guild=discord.Object(GUILD))
    command = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "answer")
    [opened] = await fake.wait_for(lambda: fake.interaction_responses.get(command["id"]), TIMEOUT)
    assert opened["type"] == 9 and opened["data"]["custom_id"] == "quiz:answer:4"

    rows = [{"type": 1, "components": [{"type": 4, "custom_id": "answer", "value": "42"}]}]
    submit = await fake.send_modal_submit(GUILD, GENERAL, ALICE, "quiz:answer:4", rows)
    [reply] = await fake.wait_for(lambda: fake.interaction_responses.get(submit["id"]), TIMEOUT)
    assert reply["data"]["content"] == "Recorded: 42" and reply["data"]["flags"] & 64


async def test_direct_and_thread_messages_reach_on_message(fake: FakeDiscord, client: CohortClient) -> None:
    arrived = client.wait_for("message", timeout=TIMEOUT)
    await fake.send_dm(ALICE, "can I switch mentors?")
    dm = await arrived
    assert isinstance(dm.channel, discord.DMChannel) and dm.author.id == ALICE and dm.guild is None

    arrived = client.wait_for("message", timeout=TIMEOUT)
    await fake.send_message(GUILD, 900, ALICE, "in the thread", thread_of=GENERAL)
    threaded = await arrived
    assert isinstance(threaded.channel, discord.Thread) and threaded.channel.parent_id == GENERAL


@pytest.mark.parametrize("close_code", [4000, 1000], ids=["error-close", "plain-close"])
async def test_dropped_gateway_resumes_and_replays_missed_events(
    fake: FakeDiscord, client: CohortClient, close_code: int
) -> None:
    await fake.drop_gateway(close_code)
    arrived = client.wait_for("message", timeout=TIMEOUT)
    await fake.send_message(GUILD, GENERAL, ALICE, "sent while the bot was away")
    message = await arrived
    assert message.content == "sent while the bot was away"
    assert (fake.resume_count, fake.identify_count) == (1, 1)

    arrived = client.wait_for("message", timeout=TIMEOUT)
    await fake.send_message(GUILD, GENERAL, ALICE, "after the resume")
    assert (await arrived).content == "after the resume"


async def test_invalidated_session_makes_the_client_identify_again(fake: FakeDiscord, client: CohortClient) -> None:
    await fake.drop_gateway(invalidate=True)
    await fake.wait_for(lambda: fake.ready_count == 2, TIMEOUT)
    arrived = client.wait_for("message", timeout=TIMEOUT)
    await fake.send_message(GUILD, GENERAL, ALICE, "hello again")
    assert (await arrived).content == "hello again"


async def test_rate_limited_post_is_retried_and_lands_once(fake: FakeDiscord, client: CohortClient) -> None:
    fake.rate_limit_next(rf"^/channels/{GENERAL}/messages$", retry_after=0.05, method="POST")
    await client.get_channel(GENERAL).send("Reminder: quiz on Friday")  # type: ignore[union-attr]

    attempts = fake.requests_to("POST", rf"^/channels/{GENERAL}/messages$")
    assert [r.status for r in attempts] == [429, 200]
    assert [m["content"] for m in fake.messages[GENERAL]] == ["Reminder: quiz on Friday"]


async def test_injected_failure_surfaces_as_http_error(fake: FakeDiscord, client: CohortClient) -> None:
    fake.fail_next(r"/messages$", status=403, code=50013, message="Missing Permissions")
    with pytest.raises(discord.Forbidden) as raised:
        await client.get_channel(GENERAL).send("nope")  # type: ignore[union-attr]
    assert raised.value.code == 50013
    assert GENERAL not in fake.messages


async def test_dm_to_user_with_closed_dms_is_forbidden(fake: FakeDiscord, client: CohortClient) -> None:
    fake.close_dms(ALICE)
    alice = client.get_guild(GUILD).get_member(ALICE)  # type: ignore[union-attr]
    with pytest.raises(discord.Forbidden) as raised:
        await alice.send("Your mentor match is ready")  # type: ignore[union-attr]
    assert raised.value.code == 50007

    owner = client.get_guild(GUILD).get_member(OWNER)  # type: ignore[union-attr]
    dm = await owner.send("Weekly report")  # type: ignore[union-attr]
    assert [m["content"] for m in fake.messages[dm.channel.id]] == ["Weekly report"]


async def test_threads_are_created_and_members_added(fake: FakeDiscord, client: CohortClient) -> None:
    channel = client.get_channel(GENERAL)
    prompt = await channel.send("What surprised you this week?")  # type: ignore[union-attr]
    public = await prompt.create_thread(name="Discussion")
    private = await channel.create_thread(name="mentoring: alice", type=discord.ChannelType.private_thread)  # type: ignore[union-attr]
    await private.add_user(discord.Object(ALICE))

    assert public.id == prompt.id and public.parent_id == GENERAL
    assert private.is_private()
    assert str(ALICE) in fake.state.thread_members[str(private.id)]


async def test_reactions_and_member_events_reach_the_client(fake: FakeDiscord, client: CohortClient) -> None:
    sent = await client.get_channel(GENERAL).send("React if you are here")  # type: ignore[union-attr]
    reacted = client.wait_for("raw_reaction_add", timeout=TIMEOUT)
    await fake.send_reaction(GUILD, GENERAL, sent.id, ALICE, "✅")
    event = await reacted
    assert (event.message_id, event.user_id, str(event.emoji)) == (sent.id, ALICE, "✅")

    joined = client.wait_for("member_join", timeout=TIMEOUT)
    await fake.send_member_join(GUILD, 602, "bruno")
    assert (await joined).name == "bruno"
    removed = client.wait_for("raw_member_remove", timeout=TIMEOUT)
    await fake.send_member_remove(GUILD, 602)
    assert (await removed).user.id == 602


async def test_role_change_reaches_the_client_cache(fake: FakeDiscord, client: CohortClient) -> None:
    updated = client.wait_for("member_update", timeout=TIMEOUT)
    await fake.send_member_update(GUILD, ALICE, roles=[])
    before, after = await updated
    assert [r.name for r in before.roles] == ["@everyone", "Instructor"]
    assert [r.name for r in after.roles] == ["@everyone"]


async def test_unknown_endpoint_answers_404_and_is_recorded(fake: FakeDiscord, client: CohortClient) -> None:
    with pytest.raises(discord.NotFound):
        await client.http.request(discord.http.Route("GET", "/guilds/{guild_id}/audit-logs", guild_id=GUILD))
    assert [r.path for r in fake.unknown_requests] == [f"/guilds/{GUILD}/audit-logs"]
