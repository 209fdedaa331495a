"""Content -> what discord.py sends: text, an embed, a view of buttons, files. Pure (no I/O).

Buttons become one ``ActionButton`` each: the custom_id is the cog's action id, which carries
everything a click needs, so a click on a message posted before a restart still works. Clicks
never reach discord.py's view store (the adapter routes every interaction itself: client.py);
a ``DynamicItem`` is used so that sending a view stores nothing per message in that store.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import discord

from ...content import Attachment, Button, Content, Form

MAX_CONTENT = 2000  # Discord's limits
MAX_EMBED_DESCRIPTION = 4096
MAX_EMBED_TITLE = 256
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FIELDS = 25
MAX_FOOTER = 2048
MAX_EMBED_TOTAL = 6000  # title + description + field names and values + footer, all together
OMITTED_NOTE_ROOM = 80
MAX_LABEL = 80
DEFAULT_EMBED_COLOR = 0x5865F2

# Mentions of members only: never @everyone, @here or role pings from bot text.
ALLOWED_MENTIONS = discord.AllowedMentions(everyone=False, roles=False, users=True, replied_user=False)

_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}
ACTION_ID_TEMPLATE = r"(?P<id>[a-z0-9_-]+:.+)"


class ActionButton(discord.ui.DynamicItem[discord.ui.Button], template=ACTION_ID_TEMPLATE):  # type: ignore[call-arg]
    """A button whose custom_id is a cog action id (``<cog>:<action>:<args>``)."""

    def __init__(self, action_id: str, *, label: str | None = None,
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary, disabled: bool = False,
                 row: int | None = None) -> None:
        super().__init__(discord.ui.Button(label=label, custom_id=action_id, style=style, disabled=disabled),
                         row=row)
        self.action_id = action_id


@dataclass
class Rendered:
    """Keyword arguments for discord.py's send/edit calls, built from one Content."""

    content: str | None
    embed: discord.Embed | None
    view: discord.ui.View | None
    files: list[discord.File] = field(default_factory=list)

    def send_kwargs(self) -> dict[str, Any]:
        """For ``send``/``send_message``/``followup.send``: only what is present."""
        kwargs: dict[str, Any] = {"allowed_mentions": ALLOWED_MENTIONS}
        if self.content:
            kwargs["content"] = self.content
        if self.embed is not None:
            kwargs["embed"] = self.embed
        if self.view is not None:
            kwargs["view"] = self.view
        if self.files:
            kwargs["files"] = self.files
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """For edits: a full replacement (absent parts are cleared; files only replaced when given)."""
        kwargs: dict[str, Any] = {"content": self.content, "embed": self.embed, "view": self.view,
                                  "allowed_mentions": ALLOWED_MENTIONS}
        if self.files:
            kwargs["attachments"] = self.files
        return kwargs


def truncate(text: str, limit: int) -> str:
    if limit <= 0:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wants_embed(content: Content) -> bool:
    return bool(content.title or content.fields or content.color is not None)


def body_text(content: Content, title_limit: int) -> str:
    """The text, led by the whole title when the title is too long to show whole."""
    if content.title and len(content.title) > title_limit:
        return f"**{content.title}**\n{content.text}" if content.text else f"**{content.title}**"
    return content.text


class EmbedBudget:
    """Discord refuses an embed whose title, description, field names and values and footer
    add up to more than 6,000 characters; each part takes what is left, in reading order."""

    def __init__(self, total: int = MAX_EMBED_TOTAL) -> None:
        self.left = total

    def take(self, text: str, limit: int) -> str:
        cut = truncate(text, min(limit, self.left))
        self.left -= len(cut)
        return cut


def build_embed(content: Content) -> discord.Embed:
    budget = EmbedBudget(MAX_EMBED_TOTAL - OMITTED_NOTE_ROOM)  # room kept to say what did not fit
    title = budget.take(content.title, MAX_EMBED_TITLE) if content.title else None
    footer = budget.take(content.footer, MAX_FOOTER - OMITTED_NOTE_ROOM) if content.footer else ""
    embed = discord.Embed(title=title, description=budget.take(body_text(content, MAX_EMBED_TITLE),
                                                               MAX_EMBED_DESCRIPTION) or None,
                          color=content.color if content.color is not None else DEFAULT_EMBED_COLOR)
    fields = content.fields[:MAX_FIELDS]
    for shown, item in enumerate(fields):
        name, value = truncate(item.name or "\u200b", MAX_FIELD_NAME), truncate(item.value or "\u200b", MAX_FIELD_VALUE)
        if len(name) + len(value) > budget.left:
            footer = omitted_note(len(content.fields) - shown, footer)
            break
        embed.add_field(name=budget.take(name, MAX_FIELD_NAME), value=budget.take(value, MAX_FIELD_VALUE),
                        inline=item.inline)
    else:
        if len(content.fields) > MAX_FIELDS:
            footer = omitted_note(len(content.fields) - MAX_FIELDS, footer)
    if footer:
        embed.set_footer(text=footer)
    return embed


def omitted_note(count: int, footer: str) -> str:
    note = f"{count} more not shown (too long for one Discord message)"
    return f"{footer} · {note}" if footer else note


def build_view(rows: list[list[Button]]) -> discord.ui.View | None:
    if not rows:
        return None
    view = discord.ui.View(timeout=None)
    for index, row in enumerate(rows):
        for button in row:
            view.add_item(ActionButton(button.action_id, label=truncate(button.label, MAX_LABEL),
                                       style=_STYLES.get(button.style, discord.ButtonStyle.secondary),
                                       disabled=button.disabled, row=index))
    return view


def build_file(attachment: Attachment) -> discord.File:
    return discord.File(io.BytesIO(attachment.data), filename=attachment.filename,
                        description=attachment.description or None)


def plain_text(content: Content) -> str:
    """The message text when there is no embed (a footer becomes a small last line)."""
    parts = [content.text] if content.text else []
    if content.footer:
        parts.append(f"-# {content.footer}")
    return truncate("\n".join(parts), MAX_CONTENT)


def render(content: Content) -> Rendered:
    embed = build_embed(content) if wants_embed(content) else None
    text = None if embed is not None else (plain_text(content) or None)
    files = [build_file(a) for a in content.files]
    if text is None and embed is None and not files:
        text = "\u200b"  # Discord refuses an empty message
    return Rendered(content=text, embed=embed, view=build_view(content.rows), files=files)


MAX_MODAL_TITLE, MAX_INPUT_LABEL = 45, 45


def build_modal(form: Form) -> discord.ui.Modal:
    modal = discord.ui.Modal(title=form.title[:MAX_MODAL_TITLE] or "Form", custom_id=form.submit_action,
                             timeout=None)
    for item in form.fields:
        hint = item.placeholder
        if not hint and item.choices:
            hint = " / ".join(item.choices)
        if not hint and item.kind == "scale":
            hint = "1 (low) to 5 (high)"
        long = item.kind == "text" and item.max_length > 100
        modal.add_item(discord.ui.TextInput(
            label=item.label[:MAX_INPUT_LABEL], custom_id=item.name, required=item.required,
            style=discord.TextStyle.paragraph if long else discord.TextStyle.short,
            max_length=max(1, min(item.max_length, 4000)), placeholder=hint[:100] or None))
    return modal
