"""What the Slack adapter sends: threads, files, DMs, group DMs, channel lookup and forms."""

from __future__ import annotations

import json
from typing import Any, AsyncIterator

import pytest

from bot import ActionContext, Cog, CommandContext, action, command
from bot.content import Attachment, Content, Form, FormField
from bot.testing.fake_slack import FakeSlack
from bot.testing.slack import SlackBot

GENERAL = "C0GENERAL"


class Survey(Cog, name="survey"):
    """Opens a form and reports what was submitted."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.answers: list[dict[str, str]] = []

    @command("ask")
    async def ask(self, ctx: CommandContext) -> None:
        await ctx.open_form(Form("Weekly check-in", self.action_id("answer", 7), (
            FormField("mood", "How was your week?", kind="scale"),
            FormField("track", "Track", kind="choice", choices=("ml", "web")),
            FormField("note", "Anything else?", required=False, max_length=500))))

    @action("answer")
    async def answer(self, ctx: ActionContext, survey: int) -> None:
        self.answers.append(dict(ctx.values, survey=str(survey)))
        await ctx.reply("Thanks!", ephemeral=True)

    @command("export")
    async def export(self, ctx: CommandContext) -> None:
        await ctx.reply(Content(text="Here you go", files=[Attachment("data.csv", b"a,b\n1,2\n", "text/csv")]),
                        ephemeral=True)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_channel(GENERAL, "general")
        fake.add_channel("G0STAFF", "staff", is_private=True)
        fake.add_user("U1", "ana")
        fake.add_user("U2", "ben")
        yield fake


@pytest.fixture
async def bot(fake: FakeSlack, tmp_path: Any) -> AsyncIterator[SlackBot]:
    bot = await SlackBot(fake, tmpdir=tmp_path, cogs=["tests.fixtures.sample_cog"]).start()
    bot.app.add_cog(Survey(bot.app))
    yield bot
    await bot.stop()


async def test_thread_replies_and_edits(bot: SlackBot, fake: FakeSlack) -> None:
    parent = await bot.adapter.send(fake.team_id, GENERAL,
                                    Content(title="Monday warm-up", text="What **surprised** you?"))
    thread = await bot.adapter.start_thread(parent, "Warm-up")
    assert thread == parent.message_id
    reply = await bot.adapter.send(fake.team_id, GENERAL, Content(text="first!"), thread_id=thread)
    assert fake.messages[GENERAL][-1]["thread_ts"] == parent.message_id and reply.thread_id == thread
    header, section = fake.messages[GENERAL][0]["blocks"][:2]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "Monday warm-up", "emoji": True}}
    assert section["text"]["text"] == "What *surprised* you?"

    await bot.adapter.edit(parent, Content(text="closed"))
    assert fake.messages[GENERAL][0]["text"] == "closed" and fake.messages[GENERAL][0]["edit_count"] == 1


async def test_files_are_uploaded_beside_the_message(bot: SlackBot, fake: FakeSlack) -> None:
    png = b"\x89PNG fake image"
    ref = await bot.adapter.send(fake.team_id, GENERAL, Content(
        text="Chart", files=[Attachment("chart.png", png, "image/png", "Weekly chart")]))
    assert fake.messages[GENERAL][-1]["ts"] == ref.message_id
    upload = fake.uploads[-1]
    assert (upload["filename"], upload["channel"], upload["bytes"]) == ("chart.png", GENERAL, png)


async def test_an_ephemeral_file_goes_to_the_members_dm(bot: SlackBot, fake: FakeSlack) -> None:
    await bot.command("/survey", "export", user="U1")
    await bot.idle()
    upload = fake.uploads[-1]
    assert upload["bytes"] == b"a,b\n1,2\n" and upload["channel"].startswith("D")
    answer = await fake.wait_for_response()
    assert "Here you go" in answer["text"] and "direct messages" in answer["text"]


async def test_dm_and_group_dm(bot: SlackBot, fake: FakeSlack) -> None:
    ref = await bot.adapter.dm(fake.team_id, "U1", Content(text="hello ana"))
    assert ref is not None and ref.channel_id.startswith("D")
    assert fake.messages[ref.channel_id][-1]["text"] == "hello ana"
    group = await bot.adapter.open_group(fake.team_id, ["U1", "U2"], "Pair", Content(text="meet your pair"))
    assert group.channel_id.startswith("G") and fake.messages[group.channel_id][-1]["text"] == "meet your pair"


async def test_dm_to_someone_who_cannot_be_messaged_is_none(bot: SlackBot, fake: FakeSlack) -> None:
    assert await bot.adapter.dm(fake.team_id, "UNOBODY", Content(text="hi")) is None


async def test_resolve_channel_by_id_mention_and_name(bot: SlackBot, fake: FakeSlack) -> None:
    resolve = bot.adapter.resolve_channel
    assert (await resolve(fake.team_id, "C0GENERAL")).id == GENERAL
    assert (await resolve(fake.team_id, "<#C0GENERAL|general>")).name == "general"
    assert (await resolve(fake.team_id, "#staff")).id == "G0STAFF"
    assert (await resolve(fake.team_id, "general")).id == GENERAL
    assert await resolve(fake.team_id, "#nowhere") is None
    fake.add_channel("C0NEW", "new-channel")  # created after the first listing
    assert (await resolve(fake.team_id, "new-channel")).id == "C0NEW"


async def test_forms_open_as_modals_and_submissions_reach_the_action(bot: SlackBot, fake: FakeSlack) -> None:
    await bot.command("/survey", "ask", user="U1")
    await bot.idle()
    view = (await fake.wait_for_call("views.open")).params["view"]
    assert view["callback_id"] == "survey:answer:7"
    assert [b["element"]["type"] for b in view["blocks"]] == ["radio_buttons", "static_select", "plain_text_input"]
    assert view["blocks"][2]["optional"] is True

    values = {"mood": {"mood": {"type": "radio_buttons", "selected_option": {"value": "4"}}},
              "track": {"track": {"type": "static_select", "selected_option": {"value": "web"}}},
              "note": {"note": "all good"}}
    status, _ = await bot.submit(view["callback_id"], values, user="U1", private_metadata=view["private_metadata"])
    assert status == 200
    await bot.idle()
    assert bot.app.get_cog("survey").answers == [{"mood": "4", "track": "web", "note": "all good", "survey": "7"}]
    thanks = await fake.wait_for_call("chat.postEphemeral")
    assert thanks.params["user"] == "U1" and thanks.params["channel"] == json.loads(view["private_metadata"])["channel"]
