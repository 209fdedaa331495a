"""The outgoing message model. Cogs build these; each adapter renders them natively.

Text uses a small markdown subset every platform understands after light conversion:
**bold**, _italic_, `code`, and mentions written as ``<@member_external_id>`` (the same
syntax Discord and Slack use; the console prints ``@name``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Sequence

ButtonStyle = Literal["primary", "secondary", "success", "danger"]

# Platform limits that every adapter must respect (see PERFORMANCE-NOTES.md).
MAX_CUSTOM_ID = 100
MAX_BUTTONS_PER_ROW = 5
MAX_ROWS = 5
# Title, text, field names and values and footer together that one message holds on every
# platform (Discord refuses an embed over 6,000; a little is kept for the adapters' notes).
MESSAGE_BUDGET = 5600


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str  # "<cog>:<action>:<arg>..." — everything a click needs, so no state in memory
    style: ButtonStyle = "secondary"
    disabled: bool = False

    def __post_init__(self) -> None:
        if len(self.action_id) > MAX_CUSTOM_ID:
            raise ValueError(f"button id longer than {MAX_CUSTOM_ID} characters: {self.action_id[:40]}...")


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    content_type: str = "application/octet-stream"
    description: str = ""

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: Literal["text", "choice", "scale"] = "text"
    choices: tuple[str, ...] = ()
    required: bool = True
    max_length: int = 300
    placeholder: str = ""


@dataclass(frozen=True)
class Form:
    """A small form (Discord/Slack modal; sequential prompts on the console).

    On submit the core calls the action named by ``submit_action`` with the values as
    ``ctx.values`` (field name -> text).
    """

    title: str
    submit_action: str
    fields: tuple[FormField, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.fields) <= 5:
            raise ValueError("a form has 1 to 5 fields")


@dataclass
class Content:
    text: str = ""
    title: str | None = None
    fields: list[Field] = field(default_factory=list)
    rows: list[list[Button]] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)
    footer: str | None = None
    color: int | None = None

    @classmethod
    def of(cls, value: "Content | str") -> "Content":
        return value if isinstance(value, Content) else cls(text=value)

    def add_buttons(self, buttons: Sequence[Button], per_row: int = MAX_BUTTONS_PER_ROW) -> "Content":
        """Lay buttons out in rows, respecting the platforms' 5×5 limit."""
        for i in range(0, len(buttons), per_row):
            self.rows.append(list(buttons[i : i + per_row]))
        if len(self.rows) > MAX_ROWS:
            raise ValueError(f"at most {MAX_ROWS * MAX_BUTTONS_PER_ROW} buttons per message")
        return self

    @property
    def buttons(self) -> list[Button]:
        return [b for row in self.rows for b in row]

    def plain_text(self) -> str:
        """Everything a reader sees, as plain text (used by the console and by tests)."""
        parts = []
        if self.title:
            parts.append(self.title)
        if self.text:
            parts.append(self.text)
        for f in self.fields:
            parts.extend(field_lines(f))
        if self.footer:
            parts.append(self.footer)
        return "\n".join(parts)


def pack_lines(blocks: list[list[str]], limit: int) -> list[str]:
    """Join blocks of lines into as few texts of at most ``limit`` characters as keep every
    block whole (a block longer than the limit is split between its lines): the pages of a
    list too long for one message (Discord shows 4,096 characters of embed text)."""
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for block in blocks:
        for piece in _fit(block, limit):
            added = len(piece) + (1 if current else 0)
            if current and size + added > limit:
                pages.append("\n".join(current))
                current, size = [], 0
                added = len(piece)
            current.append(piece)
            size += added
    if current:
        pages.append("\n".join(current))
    return pages or [""]


def _fit(block: list[str], limit: int) -> list[str]:
    """A block as one piece when it fits a page, else its lines (each cut to the limit)."""
    whole = "\n".join(block)
    return [whole] if len(whole) <= limit else [line[:limit] for line in block]


PAGE_CHARS = 3800  # one page of a long list: under Discord's 4,096-character embed text


def field_lines(item: Field, indent: str = "    ") -> list[str]:
    """A field as plain text lines: "name: value", or the name on its own line above a value of
    several lines (so a survey's answers do not run onto its question's line)."""
    lines = item.value.splitlines()
    if len(lines) <= 1:
        return [f"{item.name}: {item.value}"]
    return [item.name, *(indent + line for line in lines)]


def escape_mentions(text: str) -> str:
    """Neutralise mass mentions in user-supplied text (@everyone, @here, <!channel>, role pings)."""
    return (
        text.replace("@everyone", "@\u200beveryone")
        .replace("@here", "@\u200bhere")
        .replace("<!", "<\u200b!")
        .replace("<@&", "<@\u200b&")
    )
