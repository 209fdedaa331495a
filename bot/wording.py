"""Small helpers for the words the bot says to people."""

from __future__ import annotations

from .csvexport import format_number


def plural(count: float, word: str, many: str | None = None) -> str:
    """ "1 vote", "0 votes", "2.5 pts"; ``many`` for words that do not just take an s ("reply", "replies")."""
    return f"{format_number(count)} {word if count == 1 else (many or word + 's')}"
