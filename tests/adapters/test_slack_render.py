"""Pure parts of the Slack adapter: Block Kit rendering, escaping, event conversion."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.slack.access import TtlCache, group_refs, user_from_api
from bot.adapters.slack.channels import parse_channel_text
from bot.adapters.slack.events import RecentIds, action_target, form_values, team_of, to_neutral
from bot.adapters.slack.render import render_blocks, render_modal, to_mrkdwn
from bot.content import Button, Content, Field, Form, FormField, escape_mentions
from bot.events import MessagePosted
from bot.testing.fake_slack import event_callback_payload, message_event


def test_mrkdwn_converts_bold_and_links_and_keeps_mentions() -> None:
    assert to_mrkdwn("**Poll** by <@U123> in <#C42|general>") == "*Poll* by <@U123> in <#C42|general>"
    assert to_mrkdwn("see [the docs](https://example.org/a)") == "see <https://example.org/a|the docs>"


def test_user_text_cannot_ping_or_forge_links() -> None:
    text = to_mrkdwn("a & b <!channel> <!here|here> <https://evil.example|bank> <@U1|x>")
    assert "<!" not in text and "<https://evil" not in text
    assert text.startswith("a &amp; b &lt;!channel&gt;")
    assert "<" not in to_mrkdwn(escape_mentions("<!everyone> hi"))


def test_blocks_respect_slack_limits() -> None:
    content = Content(title="T" * 200, text="line\n" * 1500,
                      fields=[Field(f"f{i}", str(i)) for i in range(13)], footer="by the bot")
    blocks = render_blocks(content)
    assert blocks[0]["type"] == "header" and len(blocks[0]["text"]["text"]) == 150
    sections = [b for b in blocks if b["type"] == "section" and "text" in b]
    assert len(sections) == 3 and all(len(b["text"]["text"]) <= 3000 for b in sections)
    assert [len(b["fields"]) for b in blocks if "fields" in b] == [10, 3]
    assert blocks[-1]["type"] == "context"
    assert len(render_blocks(Content(text="x\n" * 200_000))) == 50


def test_buttons_become_actions_with_our_ids() -> None:
    content = Content(text="vote").add_buttons([
        Button("Mon", "poll:vote:1:0", style="primary"), Button("Tue", "poll:vote:1:1"),
        Button("Same", "poll:vote:1:1"), Button("Gone", "poll:vote:1:2", disabled=True)])
    actions = render_blocks(content)[-1]
    assert actions["type"] == "actions"
    elements = actions["elements"]
    assert [e["text"]["text"] for e in elements] == ["Mon", "Tue", "Same"]
    assert elements[0]["style"] == "primary" and "style" not in elements[1]
    assert len({e["action_id"] for e in elements}) == 3  # Slack rejects duplicates within a message
    assert [action_target(e) for e in elements] == ["poll:vote:1:0", "poll:vote:1:1", "poll:vote:1:1"]


def test_modal_from_form() -> None:
    form = Form("A very long survey title indeed", "survey:answer:3",
                (FormField("q1", "Rate it", kind="scale", choices=("1", "2", "3")),))
    view = render_modal(form, {"channel": "C1"})
    assert view["callback_id"] == "survey:answer:3" and len(view["title"]["text"]) <= 24
    assert [o["value"] for o in view["blocks"][0]["element"]["options"]] == ["1", "2", "3"]


def _neutral(event: dict) -> tuple | None:  # type: ignore[type-arg]
    return to_neutral(event_callback_payload(event, team_id="T9"))


def test_message_conversion() -> None:
    origin, posted = _neutral(message_event("U1", "C1", "hello", ts="1.000100"))  # type: ignore[misc]
    assert isinstance(posted, MessagePosted) and posted.length == 5 and not posted.is_thread_reply
    assert (origin.server_id, origin.user_id, origin.channel_id) == ("T9", "U1", "C1")
    assert "hello" not in repr(posted)
    _, parent = _neutral(message_event("U1", "C1", "x", ts="2.0", thread_ts="2.0"))  # type: ignore[misc]
    assert parent.thread_id is None
    _, broadcast = _neutral(message_event("U1", "C1", "x", ts="3.0", thread_ts="2.0",  # type: ignore[misc]
                                          subtype="thread_broadcast"))
    assert broadcast.thread_id == "2.0"
    assert _neutral(message_event("U1", "D1", "private")) is None
    assert _neutral(message_event("U1", "C1", "", subtype="channel_join")) is None


def test_payload_helpers() -> None:
    assert team_of({"team": {"id": "T1"}}) == team_of({"team_id": "T1"}) == "T1"
    view = {"state": {"values": {"b": {"a": {"type": "plain_text_input", "value": None}},
                                 "c": {"c": {"selected_option": {"value": "x"}}}}}}
    assert form_values(view) == {"a": "", "c": "x"}
    assert parse_channel_text("<#C1|gen>") == ("C1", "gen")
    assert parse_channel_text("#General") == (None, "general")
    assert group_refs(["S0ABC", "@tas", "TA"]) == ({"S0ABC"}, {"tas", "ta"})
    assert user_from_api({"id": "U1", "is_owner": True, "profile": {"display_name": "Ana"}}).is_admin


def test_recent_ids_are_bounded() -> None:
    recent = RecentIds(size=2)
    assert recent.first_time("a") and not recent.first_time("a")
    assert recent.first_time("b") and recent.first_time("c")
    assert recent.first_time("a")  # forgotten: only the last two are kept


def test_ttl_cache_expires() -> None:
    now = [0.0]
    cache: TtlCache[int] = TtlCache(ttl=10, clock=lambda: now[0])
    cache.put("k", 1)
    assert cache.get("k") == 1
    now[0] = 11
    assert cache.get("k") is None


def _reference_mrkdwn(text: str) -> str:
    """to_mrkdwn as it was before its fast path and the str.replace escape: every text converted."""
    import re

    from bot.adapters.slack import render

    def escape(part: str) -> str:
        return "".join({"&": "&amp;", "<": "&lt;", ">": "&gt;"}.get(c, c) for c in part)

    def plain(part: str) -> str:
        links: list[str] = []

        def stash(match: re.Match[str]) -> str:
            links.append(f"<{match.group(2)}|{escape(match.group(1))}>")
            return f"\x00{len(links) - 1}\x00"

        part = render._LINK.sub(stash, part)
        part = render._BOLD.sub(r"*\1*", escape(part))
        return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m.group(1))], part)

    out, last = [], 0
    for match in render._KEEP.finditer(text):
        out += [plain(text[last:match.start()]), render._USER_LABEL.sub(r"<\1>", match.group(0))]
        last = match.end()
    return "".join(out + [plain(text[last:])])


MRKDWN_PIECES = ["a", " ", "**", "*", "&", "&amp;", "<", ">", "<@U1>", "<#C1|x>", "<!here>", "[", "]", "](", "[a](",
                 "](http", "(", ")", "[l](https://x.y)", "\n", "\x00", "0", "\x000\x00", "é", "_", "~", "`"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(MRKDWN_PIECES), max_size=12).map("".join))
def test_mrkdwn_is_what_the_full_conversion_gives(text: str) -> None:
    """The fast path for text without markup, and the escape, convert exactly as before (a NUL,
    which Slack does not show, is dropped)."""
    assert to_mrkdwn(text) == _reference_mrkdwn(text.replace("\x00", ""))


def test_text_shaped_like_the_link_stash_marker_is_shown_not_crashed_on() -> None:
    """An echoed "\\x000\\x00" used to name a stashed link that did not exist (IndexError)."""
    assert to_mrkdwn("\x000\x00 and **b**") == "0 and *b*"
    assert to_mrkdwn("[a](https://x.y) \x001\x00") == "<https://x.y|a> 1"
