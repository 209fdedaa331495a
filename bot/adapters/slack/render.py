"""Content -> Block Kit, and Form -> modal view. Pure functions: no network, no bolt.

Slack's limits (https://api.slack.com/reference/block-kit) are respected here so a long
poll or a big leaderboard degrades (truncated) instead of failing with ``invalid_blocks``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...content import Button, Content, Form, FormField

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER = 150
MAX_FIELDS_PER_SECTION = 10
MAX_FIELD_TEXT = 2000
MAX_CONTEXT_TEXT = 3000
MAX_ACTIONS_PER_BLOCK = 25
MAX_BUTTON_LABEL = 75
MAX_ACTION_ID = 255
MAX_FALLBACK = 3000
MAX_MODAL_TITLE = 24
MAX_OPTION_TEXT = 75
MAX_OPTIONS = 100

# Our own markup that Slack must see unescaped: user and channel mentions. Raw Slack links
# (<url|label>) are escaped like any user text; cogs write links as [label](url).
# A mention typed in Slack arrives as <@U0002|name>: it stays a mention, shown by id.
_KEEP = re.compile(r"<(?:@[UW][A-Z0-9]+|#[CG][A-Z0-9]+)(?:\|[^<>]*)?>")
_USER_LABEL = re.compile(r"^<(@[UW][A-Z0-9]+)\|[^<>]*>$")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
# what any conversion below starts from (an escape, a mention, bold, a link's "](", the links' stash
# marker): a text with none of them is its own mrkdwn — most replies, converted in ~0.5 µs, not ~10
_MARKUP = re.compile(r"[&<>*\x00]|\]\(")

BUTTON_STYLES = {"primary": "primary", "success": "primary", "danger": "danger"}  # others: Slack's default


def escape(text: str) -> str:
    """Slack's control-character escaping; neutralises <!channel>, <!here>, <!everyone> and @-group pings."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # "&" first: not escaped twice


def to_mrkdwn(text: str) -> str:
    """The content model's markdown subset in Slack mrkdwn: **bold** -> *bold*, [a](url) -> <url|a>.

    Everything except our own mentions and links is escaped, so user text that reached a
    message cannot ping the channel or forge a link.
    """
    if not _MARKUP.search(text):
        return text
    out: list[str] = []
    last = 0
    for match in _KEEP.finditer(text):
        out.append(_convert_plain(text[last:match.start()]))
        out.append(_USER_LABEL.sub(r"<\1>", match.group(0)))
        last = match.end()
    out.append(_convert_plain(text[last:]))
    return "".join(out)


def _convert_plain(text: str) -> str:
    # NUL is the links' stash marker below: a NUL of the text's own ("\x000\x00") would name a
    # stashed link that does not exist (IndexError). Slack shows no NUL, so none is kept.
    text = text.replace("\x00", "")
    links: list[str] = []

    def stash(match: re.Match[str]) -> str:
        links.append(f"<{match.group(2)}|{escape(match.group(1))}>")
        return f"\x00{len(links) - 1}\x00"

    text = _LINK.sub(stash, text)
    text = _BOLD.sub(r"*\1*", escape(text))
    return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m.group(1))], text)


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text, limit) or " ", "emoji": True}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chunks(text: str, size: int) -> list[str]:
    """Split on line breaks where possible so a long text becomes several sections."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > size:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:size])
            line = line[size:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > size:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def button_element(button: Button, action_id: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(button.label, MAX_BUTTON_LABEL),
        "action_id": action_id[:MAX_ACTION_ID],
        "value": button.action_id,  # the id we route on, even when action_id had to be made unique
    }
    style = BUTTON_STYLES.get(button.style)
    if style:
        element["style"] = style
    return element


def _action_blocks(rows: list[list[Button]]) -> list[dict[str, Any]]:
    blocks = []
    used: dict[str, int] = {}
    for index, row in enumerate(rows):
        # Slack has no disabled buttons: a disabled one is left out (the text says why).
        elements = []
        for button in row:
            if button.disabled:
                continue
            count = used.get(button.action_id, 0)
            used[button.action_id] = count + 1
            unique = button.action_id if count == 0 else f"{button.action_id}#{count}"
            elements.append(button_element(button, unique))
        if elements:
            blocks.append({"type": "actions", "block_id": f"row{index}", "elements": elements[:MAX_ACTIONS_PER_BLOCK]})
    return blocks


def _field_blocks(content: Content) -> list[dict[str, Any]]:
    blocks = []
    fields = [{"type": "mrkdwn", "text": _cut(f"*{to_mrkdwn(f.name)}*\n{to_mrkdwn(f.value)}", MAX_FIELD_TEXT)}
              for f in content.fields]
    for i in range(0, len(fields), MAX_FIELDS_PER_SECTION):
        blocks.append({"type": "section", "fields": fields[i : i + MAX_FIELDS_PER_SECTION]})
    return blocks


def render_blocks(content: Content) -> list[dict[str, Any]]:
    """Header (title), sections (text), field sections, context (footer), actions (buttons)."""
    blocks: list[dict[str, Any]] = []
    if content.title:
        blocks.append({"type": "header", "text": plain(content.title, MAX_HEADER)})
    text = content.text
    if content.title and len(content.title) > MAX_HEADER:  # the header is cut: the body says it whole
        text = f"**{content.title}**\n{text}" if text else f"**{content.title}**"
    if text:
        for chunk in _chunks(to_mrkdwn(text), MAX_SECTION_TEXT):
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
    blocks.extend(_field_blocks(content))
    if content.footer:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": _cut(to_mrkdwn(content.footer), MAX_CONTEXT_TEXT)}]})
    actions = _action_blocks(content.rows)
    room = MAX_BLOCKS - len(actions)
    return blocks[:room] + actions


def fallback_text(content: Content) -> str:
    """The notification text (and what screen readers and old clients show)."""
    text = to_mrkdwn(content.plain_text())
    if not text and content.files:
        text = ", ".join(f.filename for f in content.files)
    return _cut(text, MAX_FALLBACK) or " "


def message_payload(content: Content) -> dict[str, Any]:
    """Keyword arguments for chat.postMessage / chat.update / response_url posts."""
    blocks = render_blocks(content)
    payload: dict[str, Any] = {"text": fallback_text(content)}
    if blocks:
        payload["blocks"] = blocks
    return payload


def has_message_part(content: Content) -> bool:
    return bool(content.title or content.text or content.fields or content.footer or content.buttons)


# -- forms ---------------------------------------------------------------------------------

def _option(text: str) -> dict[str, Any]:
    return {"text": plain(text, MAX_OPTION_TEXT), "value": text[:150]}


def form_element(field: FormField) -> dict[str, Any]:
    if field.kind == "choice":
        element: dict[str, Any] = {"type": "static_select", "action_id": field.name,
                                   "options": [_option(c) for c in field.choices[:MAX_OPTIONS]]}
        if field.placeholder:
            element["placeholder"] = plain(field.placeholder, 150)
        return element
    if field.kind == "scale":
        choices = field.choices or tuple(str(n) for n in range(1, 6))
        return {"type": "radio_buttons", "action_id": field.name, "options": [_option(c) for c in choices[:10]]}
    element = {"type": "plain_text_input", "action_id": field.name, "max_length": min(field.max_length, 3000),
               "multiline": field.max_length > 150}
    if field.placeholder:
        element["placeholder"] = plain(field.placeholder, 150)
    return element


def render_modal(form: Form, metadata: dict[str, str]) -> dict[str, Any]:
    """A modal whose callback_id is the form's submit action; metadata says where it came from."""
    return {
        "type": "modal",
        "callback_id": form.submit_action[:MAX_ACTION_ID],
        "private_metadata": json.dumps(metadata),
        "title": plain(form.title, MAX_MODAL_TITLE),
        "submit": plain("Submit", MAX_MODAL_TITLE),
        "close": plain("Cancel", MAX_MODAL_TITLE),
        "blocks": [
            {"type": "input", "block_id": f.name, "optional": not f.required, "label": plain(f.label, 2000),
             "element": form_element(f)}
            for f in form.fields
        ],
    }
