"""Pure helpers of the kudos cog: which reactions are kudos, and the board's order.

A configured emoji matches what each platform reports for it: Discord sends the character
("🙏", with any skin tone) or ``<:name:id>`` for a server's own emoji; Slack sends the short
name ("pray", "pray::skin-tone-3", or a workspace emoji's name). So ``emoji: ["🙏"]`` works on
both, and ``emoji: [thanks]`` matches a custom ``:thanks:`` emoji on Discord and on Slack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

# Slack's short names for the emoji people use to say thanks (both directions are checked).
SLACK_NAMES = {
    "🙏": ("pray",), "👏": ("clap",), "🙌": ("raised_hands",), "❤️": ("heart",), "❤": ("heart",),
    "⭐": ("star",), "🌟": ("star2",), "💯": ("100",), "🎉": ("tada",), "👍": ("+1", "thumbsup"),
    "🏆": ("trophy",), "🤝": ("handshake",), "💖": ("sparkling_heart",), "🥇": ("first_place_medal",),
}
_SKIN_TONES = re.compile("[\U0001F3FB-\U0001F3FF]")
_CUSTOM = re.compile(r"^<a?:([A-Za-z0-9_~\-]+):\d+>$")


@lru_cache(maxsize=512)
def emoji_keys(emoji: str) -> frozenset[str]:
    """Every spelling of one emoji that should compare equal (skin tones and colons dropped)."""
    text = emoji.strip()
    custom = _CUSTOM.match(text)
    if custom:
        text = custom.group(1)
    text = text.strip(":").split("::", 1)[0]  # Slack: "pray::skin-tone-2"
    text = _SKIN_TONES.sub("", text).replace("\ufe0f", "")
    keys = {text.lower()} if text else set()
    for char, names in SLACK_NAMES.items():
        if text == char.replace("\ufe0f", "") or text.lower() in names:
            keys.add(char.replace("\ufe0f", ""))
            keys.update(names)
    return frozenset(keys)


def is_kudos_emoji(emoji: str, configured: Iterable[str]) -> bool:
    """Whether a reaction (as the platform reported it) is one of the configured kudos emoji."""
    got = emoji_keys(emoji)
    return bool(got) and any(got & emoji_keys(c) for c in configured)


@dataclass(frozen=True)
class BoardRow:
    member_id: int
    name: str
    kudos: int  # /kudos received
    reactions: int  # reaction kudos received


def board_order(rows: Sequence[BoardRow], limit: int = 10) -> list[BoardRow]:
    """Most written kudos first, then reaction kudos, then by name (ties read alphabetically)."""
    ranked = sorted((r for r in rows if r.kudos or r.reactions),
                    key=lambda r: (-r.kudos, -r.reactions, r.name.lower(), r.member_id))
    return ranked[:limit]
