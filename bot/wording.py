"""Small helpers for the words the bot says to people."""

from __future__ import annotations

import re

from .csvexport import format_number

QUOTED_LIMIT = 60  # the longest quoted input an answer repeats (bot.timeparse.quote cuts at the same)
_QUOTED = re.compile(r'"([^"\n]*)"')


def plural(count: float, word: str, many: str | None = None) -> str:
    """ "1 vote", "0 votes", "2.5 pts"; ``many`` for words that do not just take an s ("reply", "replies")."""
    return f"{format_number(count)} {word if count == 1 else (many or word + 's')}"


def shorten_quoted(text: str) -> str:
    """Every double-quoted run longer than QUOTED_LIMIT cut to it with "…": an error that repeats
    what was typed ("no question bank "<6,000 characters>"") stays one readable line."""
    def cut(match: re.Match[str]) -> str:
        inner = match.group(1)
        return match.group(0) if len(inner) <= QUOTED_LIMIT else f'"{inner[:QUOTED_LIMIT - 1].rstrip()}…"'

    return _QUOTED.sub(cut, text)  # quotes pair up left to right, as they were written
