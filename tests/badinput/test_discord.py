"""Every command with bad input through the real discord.py client on the fake Discord: every
option of every command the bot registered, with each value the client would let a member send.
No traceback in the log, no raw library text, every error private, every payload within
Discord's rules (tests/platform_rules checks each request; a breach is named per line here)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from bot.testing import payload_checks
from bot.testing.discord import ALICE, GENERAL, GUILD, INSTRUCTOR_ROLE, IVY, running, text_of
from bot.testing.fake_discord import FakeDiscord

from .corpus import answer_problems, raw_text_in, tracebacks
from .discord_corpus import STAFF, STRANGER, discord_lines
from .world import COGS, community

ZOE = 604
VIEW_AND_SEND = (1 << 10) | (1 << 11)
WAIT = 10.0  # a line that gets no answer at all within this is reported (it would hang forever)


def cohort(fake: FakeDiscord) -> None:
    fake.add_guild(GUILD, "Cohort 7", owner_id=600, roles=[{"id": INSTRUCTOR_ROLE, "name": "Instructor"}],
                   channels=[{"id": GENERAL, "name": "general"}],
                   members=[{"id": ALICE, "username": "alice"}, {"id": ZOE, "username": "zoe"},
                            {"id": IVY, "username": "ivy", "roles": [INSTRUCTOR_ROLE]}])
    staff = fake.add_channel(GUILD, STAFF, "staff-room")
    staff["permission_overwrites"] = [{"id": str(GUILD), "type": 0, "allow": "0", "deny": str(VIEW_AND_SEND)}]


def settled(fake: FakeDiscord, interaction: dict[str, Any]) -> bool:
    """The interaction has its answer: a message or modal, or a defer and what followed it."""
    records = fake.interaction_responses.get(interaction["id"], [])
    callback = next((r for r in records if r["kind"] == "callback"), None)
    if callback is None:
        return False
    return callback["type"] in (4, 7, 9) or len(records) >= 2


async def sweep(fake: FakeDiscord, user: int, lines: list[Any], caplog: Any) -> list[str]:
    problems: list[str] = []
    for path, line in lines:
        caplog.clear()
        seen, sent_before = len(payload_checks.seen), len(fake.requests)
        interaction = await fake.send_interaction_command(GUILD, GENERAL, user, path[0],
                                                          _nest(path, line.options), resolved=line.resolved)
        try:
            await fake.wait_for(lambda: settled(fake, interaction), WAIT)
        except TimeoutError:
            problems.append(f"{line}: no answer within {WAIT:.0f} s")
            continue
        await asyncio.sleep(0.02)  # a second page or a post in the channel may follow the answer
        records = fake.interaction_responses.get(interaction["id"], [])
        private = bool(((records[0].get("data") or {}).get("flags") or 0) & 64)
        answers = [(text_of(r), private or bool(((r.get("data") or {}).get("flags") or 0) & 64)) for r in records]
        problems += answer_problems(line, answers) + discord_wording(line, [t for t, _ in answers])
        for request in fake.requests[sent_before:]:
            if request.method == "POST" and "/messages" in request.path and (found := raw_text_in(text_of(request.json))):
                problems.append(f"{line}: posted {found}")
        problems += [f"{line}: {v}" for v in payload_checks.seen[seen:]]
        if logged := tracebacks(caplog.records):
            problems.append(f"{line}: logged {logged}")
    return problems


def discord_wording(line: Any, texts: list[str]) -> list[str]:
    """Discord's client already keeps numbers within the registered bounds and offers only real
    members and channels: none is refused as out of range, or named by its bare id."""
    problems = []
    for text in texts:
        if "whole numbers here go from" in text:
            problems.append(f"{line}: a number the client allowed is refused: {text[:200]!r}")
        for bare in [f"#{c}" for c in (GENERAL, STAFF)] + [f'"{u}"' for u in (ALICE, IVY, ZOE, STRANGER)]:
            if bare in text:
                problems.append(f"{line}: names {bare} by its id: {text[:200]!r}")
    return problems


def _nest(path: list[str], options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from .discord_corpus import nest

    return nest(path, options)


async def test_every_command_with_bad_input_on_discord(tmp_path: Path, caplog: Any) -> None:
    caplog.set_level(logging.WARNING)
    async with FakeDiscord() as fake:
        cohort(fake)
        yaml = community(str(GUILD), "discord", instructors="{roles: [Instructor]}", staff="staff-room")
        async with running(fake, tmp_path / "bot.db", yaml=yaml, cogs=COGS) as (app, _):
            assert not app.load_errors, app.load_errors
            registered = max(fake.registered_commands.values(), key=len)
            ids = {"member": ZOE, "member_payload": fake.state.user(ZOE), "channel": GENERAL,
                   "channel_payload": fake.state.channels[str(GENERAL)]}
            instructor = list(discord_lines(registered, fake, GUILD, IVY, ids))
            assert len({" ".join(path) for path, _ in instructor}) == len(list(app.tree.specs()))
            members = {f"{cog.name} {spec.name}".strip() for cog, spec in app.tree.specs() if spec.access.name == "MEMBER"}
            member = [(p, l) for p, l in discord_lines(registered, fake, GUILD, ALICE, ids) if " ".join(p) in members]
            problems = await sweep(fake, IVY, instructor, caplog) + await sweep(fake, ALICE, member, caplog)
            payload_checks.seen.clear()  # each is named above, with its line
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
