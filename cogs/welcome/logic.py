"""Pure pieces of the welcome cog: the message, the introduction post, the instructors' report."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable
from zoneinfo import ZoneInfo

from bot import Field, escape_mentions, plural

from .store import Joiner


def welcome_text(template: str, member_mention: str, community_name: str) -> str:
    """The configured message with its placeholders filled (checked at load: only these two)."""
    return template.format(member=member_mention, community=escape_mentions(community_name or "the community"))


def introduction_text(mention: str, name: str, learn: str, timezone: str) -> str:
    lines = [f"👋 Please welcome {mention} — {escape_mentions(name.strip())}!",
             f"Wants to learn: {escape_mentions(learn.strip())}"]
    if timezone.strip():
        lines.append(f"Time zone: {escape_mentions(timezone.strip())}")
    return "\n".join(lines)


def counts(joiners: Iterable[Joiner]) -> tuple[int, int, int]:
    """(joined, introduced themselves, did nothing since joining)."""
    items = list(joiners)
    return len(items), sum(j.introduced for j in items), sum(not j.active for j in items)


def report_lines(joiners: list[Joiner], tz: ZoneInfo) -> list[str]:
    lines = []
    for j in joiners:
        marks = [("introduced" if j.introduced else ""), ("rules read" if j.rules_read else ""),
                 ("active" if j.active else "nothing since joining")]
        lines.append(f"• {j.mention} — joined {local(j.joined_at, tz)}: {', '.join(m for m in marks if m)}")
    return lines


def summary(joined: int, introduced: int, idle: int) -> str:
    return (f"{plural(joined, 'new member')}: {introduced} introduced themselves, "
            f"{idle} did nothing since joining")


def digest_field(joiners: list[Joiner]) -> list[Field]:
    joined, introduced, idle = counts(joiners)
    if not joined:
        return []
    return [Field("Welcome", summary(joined, introduced, idle))]


def local(moment: datetime, tz: ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%a %d %b %H:%M}"
