"""Every command with bad input through the real slack-bolt app (signed requests) on the fake
Slack: the console corpus as Slack delivers it (mentions as <@U…|name>, & < > escaped). No
traceback, no raw library text, every error private, every payload within Block Kit's rules."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from bot.testing import payload_checks
from bot.testing.fake_slack import FakeSlack
from bot.testing.slack import SlackBot

from .corpus import answer_problems, lines_for, raw_text_in, tracebacks
from .world import COGS, community

GENERAL, STAFF = "C0GENERAL", "C0STAFF"
USERS = {"U0IVY": "ivy", "U0ANA": "ana", "U0ZOE": "zoe"}


def as_slack_sends(text: str) -> str:
    """What Slack puts in a slash command's text for what was typed."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for user_id, name in USERS.items():
        text = text.replace(f"@{name}", f"<@{user_id}|{name}>")
    return text.replace("#general", f"<#{GENERAL}|general>").replace("#instructors", f"<#{STAFF}|instructors>")


def texts_of(post: dict[str, Any]) -> str:
    blocks = post.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks or []
    return "\n".join([str(post.get("text") or ""), json.dumps(blocks, ensure_ascii=False)])


async def sweep(bot: SlackBot, fake: FakeSlack, user: str, specs: list[Any], caplog: Any) -> list[str]:
    problems: list[str] = []
    for spec in specs:
        for line in lines_for(spec):
            caplog.clear()
            seen, responses, ephemeral, calls = len(payload_checks.seen), len(fake.responses), len(fake.ephemeral), len(fake.calls)
            top, _, rest = line.text[1:].partition(" ")
            await bot.command(f"/{top}", as_slack_sends(rest), user=user, channel=GENERAL)
            await bot.idle()
            answers = [(texts_of(r), r.get("response_type") != "in_channel") for r in fake.responses[responses:]]
            answers += [(texts_of(e), True) for e in fake.ephemeral[ephemeral:] if e.get("source") != "response_url"]
            problems += answer_problems(f"{line} (Slack)", [(t.split("\n")[0], e) for t, e in answers])
            for text, _ in answers:
                if found := raw_text_in(text):
                    problems.append(f"{line} (Slack): raw text {found} in {text[:300]!r}")
                for bare in [f'"{u}"' for u in USERS] + [f"(?<!<)#{c}" for c in (GENERAL, STAFF)]:
                    if re.search(bare, text):  # a member or channel by its bare id (<#C…> shows the name)
                        problems.append(f"{line} (Slack): names {bare} by its id: {text[:200]!r}")
            for call in fake.calls[calls:]:
                if call.method == "chat.postMessage" and (found := raw_text_in(texts_of(call.params))):
                    problems.append(f"{line} (Slack): posted {found}")
            if not answers and not any(c.method in ("chat.postMessage", "views.open") for c in fake.calls[calls:]):
                problems.append(f"{line} (Slack): no answer at all")
            problems += [f"{line} (Slack): {v}" for v in payload_checks.seen[seen:]]
            if logged := tracebacks(caplog.records):
                problems.append(f"{line} (Slack): logged {logged}")
    return problems


async def test_every_command_with_bad_input_on_slack(tmp_path: Path, caplog: Any) -> None:
    caplog.set_level(logging.WARNING)
    async with FakeSlack() as fake:
        for user_id, name in USERS.items():
            fake.add_user(user_id, name)
        fake.add_channel(GENERAL, "general", members=list(USERS))
        fake.add_channel(STAFF, "instructors", is_private=True, members=["U0IVY"])
        yaml = community("*", "slack", instructors="{users: [U0IVY]}").replace("    platform: slack\n", "")
        bot = await SlackBot(fake, tmpdir=tmp_path, cogs=COGS, yaml=yaml).start()
        try:
            assert not bot.app.load_errors, bot.app.load_errors
            specs = [spec for _, spec in bot.app.tree.specs()]
            members = [spec for spec in specs if spec.access.name == "MEMBER"]
            problems = await sweep(bot, fake, "U0IVY", specs, caplog) + await sweep(bot, fake, "U0ANA", members, caplog)
            payload_checks.seen.clear()  # each is named above, with its line
        finally:
            await bot.stop()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
