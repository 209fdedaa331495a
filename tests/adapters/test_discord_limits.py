"""The built-in cogs on the fake Discord, at the sizes where Discord starts refusing messages.

Every request is checked against Discord's own rules (tests/platform_rules); these tests make
the bot produce the biggest answers it can and check that the user still gets all of it.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from bot.testing.fake_discord import FakeDiscord

from .discord_support import GENERAL, GUILD, IVY, fake, responses, running, sub  # noqa: F401

YAML = f"""
communities:
  - id: "{GUILD}"
    platform: discord
    instructors: {{roles: [Instructor]}}
"""


@pytest.fixture
async def cohort(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[Any]:
    async with running(fake, tmp_path / "bot.db", yaml=YAML, cogs=None) as (app, _):
        yield app


def all_text(entries: list[dict[str, Any]]) -> str:
    parts = []
    for entry in entries:
        data = entry["data"]
        parts.append(data.get("content") or "")
        for embed in data.get("embeds") or []:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            parts += [f"{f['name']} {f['value']}" for f in embed.get("fields") or []]
    return "\n".join(parts)


async def test_instructor_help_comes_whole_in_several_messages(fake: FakeDiscord, cohort: Any) -> None:
    interaction = await fake.send_interaction_command(GUILD, GENERAL, IVY, "help")
    expected = sorted(f"/{spec.full_name}" for _, spec in cohort.tree.specs())
    pages = await responses(fake, interaction, count=2)
    shown = all_text(pages)
    missing = [name for name in expected if f"`{name}" not in shown]
    assert missing == [] and len(pages) >= 2
    assert all(len(p["data"]["embeds"][0]["description"]) <= 4096 for p in pages)
    # split between commands: every usage line is whole (its closing backtick and help are there)
    assert all(re.fullmatch(r"(\*\*/[\w-]+\*\* — .*|  `/[^`]+` — .+)", line)
               for p in pages for line in p["data"]["embeds"][0]["description"].splitlines())


async def test_results_of_a_big_poll_keep_every_name_in_an_attached_csv(fake: FakeDiscord, cohort: Any) -> None:
    options = "; ".join(f"Option {n:02d}: " + "a rather long description " * 2 + "x" * 14 for n in range(1, 26))
    created = await fake.send_interaction_command(GUILD, GENERAL, IVY, "poll",
                                                  sub("create", question="Which one? " * 27, options=options))
    await responses(fake, created, count=2)  # deferred, then "Poll #1 is up"
    poll_message = next(m for m in fake.messages[str(GENERAL)] if m.get("components"))
    poll_id = int(poll_message["components"][0]["components"][0]["custom_id"].split(":")[2])
    voters = [(800 + n, f"member-with-a-long-name-{n:03d}") for n in range(60)]
    for n, (user_id, name) in enumerate(voters):
        fake.add_member(GUILD, user_id, name)
        click = await fake.send_interaction_component(GUILD, GENERAL, user_id, poll_message["id"],
                                                      f"poll:vote:{poll_id}:{n % 25 + 1}")
        await responses(fake, click)

    asked = await fake.send_interaction_command(GUILD, GENERAL, IVY, "poll", sub("results", poll=poll_id))
    [answer] = await responses(fake, asked)
    message = fake.message(answer["message_id"])
    assert [a["filename"] for a in message["attachments"]] == [f"poll-{poll_id}.csv"]
    [embed] = message["embeds"]
    assert "full list is in" in embed["description"] and len(embed["fields"]) == 25  # every option, some names
    request = next(r for r in fake.requests if r.files and r.files[0].filename == f"poll-{poll_id}.csv")
    rows = list(csv.DictReader(io.StringIO(request.files[0].data.decode("utf-8-sig"))))
    assert sorted(r["voter"] for r in rows) == sorted(name for _, name in voters)
