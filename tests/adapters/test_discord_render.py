"""Pure parts of the Discord adapter: rendering, the command payload and its hash, access, sharding."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated, Literal

import discord
import pytest

from bot import Access, Cog, CommandContext, Content, Help, command
from bot.adapters.discord.access import access_level
from bot.adapters.discord.adapter import DiscordAdapter, invite_url
from bot.adapters.discord.commands import build_commands, commands_hash, describe
from bot.adapters.discord.interactions import command_path, form_values, member_ref
from bot.adapters.discord.render import ActionButton, render
from bot.app import CommandTree
from bot.content import Attachment, Button, Field
from bot.settings import Settings


# -- rendering -----------------------------------------------------------------------------------
def test_plain_text_is_sent_as_content_without_an_embed() -> None:
    rendered = render(Content(text="Hello <@42>", footer="from the bot"))
    assert rendered.embed is None and rendered.view is None
    assert rendered.content == "Hello <@42>\n-# from the bot"
    kwargs = rendered.send_kwargs()
    assert set(kwargs) == {"content", "allowed_mentions"}
    assert kwargs["allowed_mentions"].to_dict()["parse"] == ["users"]


def test_titled_content_becomes_an_embed_with_fields_and_footer() -> None:
    rendered = render(Content(title="Digest", text="This week", fields=[Field("Posts", "12", inline=False)],
                              footer="Cohort 7", color=0x00FF00))
    assert rendered.content is None and rendered.embed is not None
    embed = rendered.embed.to_dict()
    assert (embed["title"], embed["description"], embed["color"]) == ("Digest", "This week", 0x00FF00)
    assert embed["fields"] == [{"name": "Posts", "value": "12", "inline": False}]
    assert embed["footer"]["text"] == "Cohort 7"


def test_buttons_become_persistent_action_buttons_row_by_row() -> None:
    content = Content(text="Vote").add_buttons([Button(str(i), f"poll:vote:9:{i}", style="success")
                                                for i in range(7)])
    view = render(content).view
    assert view is not None and view.timeout is None and view.is_persistent()
    rows = view.to_components()
    assert [len(r["components"]) for r in rows] == [5, 2]
    assert rows[1]["components"][1]["custom_id"] == "poll:vote:9:6"
    assert rows[0]["components"][0]["style"] == discord.ButtonStyle.success.value
    assert all(isinstance(item, ActionButton) for item in view.children)


def test_files_are_attached_and_long_text_is_cut_to_discords_limit() -> None:
    rendered = render(Content(text="x" * 2500, files=[Attachment("a.csv", b"1,2", "text/csv")]))
    assert len(rendered.content or "") == 2000 and rendered.content.endswith("…")  # type: ignore[union-attr]
    [file] = rendered.files
    assert file.filename == "a.csv" and file.fp.read() == b"1,2"


def test_an_edit_clears_what_the_new_content_does_not_have() -> None:
    kwargs = render(Content(text="closed")).edit_kwargs()
    assert (kwargs["content"], kwargs["embed"], kwargs["view"]) == ("closed", None, None)
    assert "attachments" not in kwargs


def test_action_button_template_matches_cog_action_ids_only() -> None:
    pattern = ActionButton.__discord_ui_compiled_template__  # type: ignore[attr-defined]
    assert pattern.fullmatch("poll:vote:12:3") and pattern.fullmatch("sample:pick:1")
    assert not pattern.fullmatch("novote") and not pattern.fullmatch("Poll:Vote:1")


# -- command payload -------------------------------------------------------------------------------
class Prompts(Cog, name="prompt"):
    """Discussion prompts."""

    @command("post", access=Access.INSTRUCTOR)
    async def post(self, ctx: CommandContext, text: Annotated[str, Help("x" * 150)],
                   channel: str = "general") -> None: ...

    @command("bank add", access=Access.INSTRUCTOR)
    async def bank_add(self, ctx: CommandContext, bank: str, when: Literal[tuple(f"c{i}" for i in range(30))]  # type: ignore[valid-type]
                       ) -> None: ...

    @command("bank list", access=Access.ADMIN)
    async def bank_list(self, ctx: CommandContext, limit: float = 1.0, page: int | None = None,
                        name: str | None = None, count: int = 5) -> None: ...


def tree_of(*cogs: type[Cog]) -> CommandTree:
    tree = CommandTree()
    for cls in cogs:
        tree.add(cls(SimpleNamespace(db=None)))  # type: ignore[arg-type]
    return tree


def test_instructor_only_cog_gets_manage_server_as_default_permission() -> None:
    [prompt] = build_commands(tree_of(Prompts).groups)
    assert prompt["name"] == "prompt" and prompt["description"] == "Discussion prompts."
    assert prompt["default_member_permissions"] == discord.Permissions(manage_guild=True).value
    assert prompt["contexts"] == [0]
    bank, post = prompt["options"]
    assert (bank["name"], bank["type"], [o["name"] for o in bank["options"]]) == ("bank", 2, ["add", "list"])
    assert len(post["options"][0]["description"]) == 100, "descriptions are cut to Discord's 100 characters"


def test_more_than_25_choices_become_free_text_and_optionals_keep_their_types() -> None:
    [prompt] = build_commands(tree_of(Prompts).groups)
    add, listing = prompt["options"][0]["options"]
    assert add["options"][1]["name"] == "when" and "choices" not in add["options"][1]
    assert [(o["name"], o["type"]) for o in listing["options"]] == [("limit", 10), ("page", 4), ("name", 3),
                                                                     ("count", 4)]


def test_payload_hash_is_stable_and_changes_with_the_commands_or_the_application() -> None:
    payload = build_commands(tree_of(Prompts).groups)
    assert commands_hash(1, payload) == commands_hash(1, build_commands(tree_of(Prompts).groups))
    assert commands_hash(1, payload) != commands_hash(2, payload)
    assert commands_hash(1, payload) != commands_hash(1, payload[:0])


def test_describe_never_returns_an_empty_description() -> None:
    assert describe("", "poll") == "poll" and describe("  a\n b ", "x") == "a b"


# -- interactions, access, sharding ----------------------------------------------------------------
def test_command_path_walks_groups_to_the_leaf_options() -> None:
    leaf = [{"type": 3, "name": "bank", "value": "r"}]
    options = [{"type": 2, "name": "bank", "options": [{"type": 1, "name": "add", "options": leaf}]}]
    assert command_path(options) == (["bank", "add"], leaf)
    assert command_path(leaf) == ([], leaf)


def test_form_values_read_action_rows_and_labels() -> None:
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": "q1", "value": "yes"}]},
            {"type": 18, "component": {"type": 4, "custom_id": "q2", "value": "4"}}]
    assert form_values(rows) == {"q1": "yes", "q2": "4"}


def test_member_ref_prefers_the_server_nickname() -> None:
    resolved = {"users": {"7": {"id": "7", "username": "ana", "global_name": "Ana B"}}, "members": {"7": {"nick": "Ana"}}}
    assert member_ref("7", resolved).name == "Ana"
    assert member_ref("7", {"users": resolved["users"]}).name == "Ana B"


@pytest.mark.parametrize("roles,names,perms,owner,configured,expected", [
    ([], [], discord.Permissions(administrator=True), False, [], Access.ADMIN),
    ([], [], discord.Permissions.none(), True, ["TA"], Access.ADMIN),
    ([], [], discord.Permissions(manage_guild=True), False, [], Access.INSTRUCTOR),
    ([], [], discord.Permissions(manage_guild=True), False, ["TA"], Access.MEMBER),
    ([5], ["ta"], discord.Permissions.none(), False, ["TA"], Access.INSTRUCTOR),
    ([5], ["helper"], discord.Permissions.none(), False, [5], Access.INSTRUCTOR),
    ([6], ["helper"], discord.Permissions.none(), False, ["TA", 5], Access.MEMBER),
])
def test_access_level(roles: list[int], names: list[str], perms: discord.Permissions, owner: bool,
                      configured: list[object], expected: Access) -> None:
    assert access_level(role_ids=roles, role_names=names, permissions=perms, is_owner=owner,
                        configured_roles=configured) == expected  # type: ignore[arg-type]


def test_a_sharded_process_serves_only_its_shards_guilds() -> None:
    settings = Settings(_env_file=None, discord_token="t", shard_count=2, shard_ids="1")  # type: ignore[call-arg]
    adapter = DiscordAdapter(None, settings=settings)
    assert adapter.serves(str(1 << 22)) and not adapter.serves(str(2 << 22))
    assert DiscordAdapter(None, settings=Settings(_env_file=None, discord_token="t")).serves(str(2 << 22))  # type: ignore[call-arg]


def test_invite_url_asks_for_exactly_the_needed_permissions() -> None:
    url = invite_url(123)
    assert url.startswith("https://discord.com/oauth2/authorize?client_id=123&scope=bot+applications.commands")
    granted = int(url.rsplit("=", 1)[1])
    assert granted == discord.Permissions(
        view_channel=True, send_messages=True, send_messages_in_threads=True, create_public_threads=True,
        create_private_threads=True, embed_links=True, attach_files=True, read_message_history=True,
        add_reactions=True, use_application_commands=True).value
    assert not discord.Permissions(granted).administrator and not discord.Permissions(granted).manage_messages
