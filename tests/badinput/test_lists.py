"""Lists over the platforms' limits: 60 members with 90-character names in the office-hours queue,
on the kudos board and the leaderboard, then every command that lists things, as an instructor
on the Discord fake. Each answer must pass Discord's rules (embed 6,000, 25 fields, 4,096 per
description; tests/platform_rules) and keep every name, in pages or an attachment."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.testing import payload_checks
from bot.testing.discord import GENERAL, GUILD, IVY, add_cohort_guild, responses, running, sub, text_of
from bot.testing.fake_discord import FakeDiscord

from .world import COGS, community

PEOPLE = [(900 + n, f"member-{n:02d}-" + "with-a-very-long-display-name-" * 2 + "x" * 20) for n in range(60)]
LISTS = [("queue", "list"), ("stats", "leaderboard"), ("kudos-board", None), ("stats", "inactive"),
         ("event", "list"), ("prompt", "list"), ("welcome", "report"), ("queue", "stats")]


async def ask(fake: FakeDiscord, user: int, name: str, subcommand: str | None, **values: Any) -> list[dict[str, Any]]:
    options = sub(subcommand, **values) if subcommand else []
    interaction = await fake.send_interaction_command(GUILD, GENERAL, user, name, options)
    await responses(fake, interaction)
    await asyncio.sleep(0.05)  # the later pages of a long answer
    return [r for r in fake.interaction_responses[interaction["id"]] if r["kind"] != "callback" or r["type"] == 4]


async def test_long_lists_come_whole_within_discords_limits(tmp_path: Path) -> None:
    seen = len(payload_checks.seen)
    async with FakeDiscord() as fake:
        add_cohort_guild(fake)
        for user, name in PEOPLE:
            fake.add_member(GUILD, user, name)
        yaml = community(str(GUILD), "discord", instructors="{roles: [Instructor]}") + \
            "    participation: {leaderboard: true}\n"
        async with running(fake, tmp_path / "bot.db", yaml=yaml, cogs=COGS):
            await ask(fake, IVY, "queue", "open", topic="Office hours")
            for user, _ in PEOPLE:
                await ask(fake, user, "queue", "join", topic="a question about " + "joins and indexes " * 9)
                await ask(fake, user, "kudos-board", None, choice="join")
            shown: dict[str, str] = {}
            for name, subcommand in LISTS:
                answer = await ask(fake, IVY, name, subcommand)
                shown[f"{name} {subcommand or ''}".strip()] = "\n".join(text_of(r) for r in answer)
    assert payload_checks.seen[seen:] == []
    queue = shown["queue list"]
    missing = [name for _, name in PEOPLE if name not in queue]
    assert missing == [], f"{len(missing)} members left out of /queue list"
