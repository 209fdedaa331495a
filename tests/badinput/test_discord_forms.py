"""Every form the bot opens (welcome's introduction, mentoring's join, a survey), opened by a
real click on the Discord fake and submitted (MODAL_SUBMIT) with bad values: empty, blank, past
each field's max length and past the 4,000 any client allows, control characters, markup, a field
missing or unknown, and someone else's form. No traceback, no raw library text, a private clear
answer, payloads within Discord's rules, nothing stored from a refused submission."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from bot.testing import payload_checks
from bot.testing.discord import ALICE, GENERAL, GUILD, IVY, eventually, responses, running, text_of
from bot.testing.fake_discord import FakeDiscord

from .corpus import answer_problems, tracebacks
from .forms import FormField, Submission, refused, stored_rows, submissions
from .test_discord import ZOE, cohort
from .world import COGS, community

NINA, INTRODUCTIONS = 605, 503
WELCOME = '    welcome: {message: "Welcome {member}!", buttons: [introduce, mentoring]}\n'


def is_private(record: dict[str, Any]) -> bool:
    return bool(((record.get("data") or {}).get("flags") or 0) & 64)


async def open_form(fake: FakeDiscord, channel: int, user: int, message: dict[str, Any], custom_id: str
                    ) -> tuple[str, list[FormField]]:
    click = await fake.send_interaction_component(GUILD if channel == GENERAL else None, channel, user,
                                                  message["id"], custom_id)
    [modal] = await responses(fake, click)
    assert modal["type"] == 9, text_of(modal)
    inputs = [c for row in modal["data"]["components"] for c in row["components"]]
    return modal["data"]["custom_id"], [FormField(i["custom_id"], i.get("max_length") or 4000,
                                                  i.get("required", True)) for i in inputs]


def buttons(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message.get("components") or [] for c in row["components"]]


async def submit(fake: FakeDiscord, channel: int, user: int, custom_id: str, values: dict[str, str]
                 ) -> list[dict[str, Any]]:
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in values.items()]
    interaction = await fake.send_modal_submit(GUILD if channel == GENERAL else None, channel, user, custom_id, rows)
    await responses(fake, interaction)
    await asyncio.sleep(0.02)  # a follow-up may come after a defer
    return fake.interaction_responses.get(interaction["id"], [])


async def test_every_form_with_bad_values_on_discord(tmp_path: Path, caplog: Any) -> None:
    caplog.set_level(logging.WARNING)
    problems: list[str] = []
    async with FakeDiscord() as fake:
        cohort(fake)
        fake.add_channel(GUILD, INTRODUCTIONS, "introductions")
        yaml = community(str(GUILD), "discord", instructors="{roles: [Instructor]}", staff="staff-room") + WELCOME
        async with running(fake, tmp_path / "bot.db", yaml=yaml, cogs=COGS) as (app, _):
            await fake.send_member_join(GUILD, NINA, "nina")
            [dm] = await eventually(lambda: fake.messages.get(fake.state.dm_channels_by_user.get(str(NINA), ""), []))
            dm_channel = int(dm["channel_id"])
            survey = await fake.send_interaction_command(GUILD, GENERAL, IVY, "poll", [
                {"type": 1, "name": "survey", "options": [{"type": 3, "name": "template", "value": "feedback"}]}])
            await responses(fake, survey)
            post = await eventually(lambda: [m for m in fake.messages.get(str(GENERAL), []) if buttons(m)])
            forms = [(dm_channel, NINA, *await open_form(fake, dm_channel, NINA, dm, custom_id))
                     for custom_id in buttons(dm)]
            forms.append((GENERAL, ALICE, *await open_form(fake, GENERAL, ALICE, post[-1], buttons(post[-1])[0])))
            opened = {custom_id.split(":")[0] for _, _, custom_id, _ in forms}
            assert opened == {"welcome", "mentor", "poll"}  # every cog that calls ctx.open_form
            cases = [(channel, user, sub) for channel, user, custom_id, fields in forms
                     for sub in submissions(custom_id, fields)]
            intro = next(custom_id for _, _, custom_id, _ in forms if custom_id.startswith("welcome"))
            good = {"name": "Zoe", "learn": "SQL"}
            cases.insert(0, (GENERAL, ZOE, Submission(intro, "someone else's form", good)))
            for channel, user, sub in cases:
                caplog.clear()
                seen, before, sent = len(payload_checks.seen), stored_rows(app.db), len(fake.requests)
                records = await submit(fake, channel, user, sub.form, sub.values)
                private = bool(records) and is_private(records[0])
                answers = [(text_of(r), private or is_private(r)) for r in records]
                problems += answer_problems(sub, answers)
                texts = [t for t, _ in answers]
                if not any(t.strip() for t in texts):
                    problems.append(f"{sub}: no answer")
                if sub.valid is False and not refused(texts):
                    problems.append(f"{sub}: accepted: {texts[-1][:200]!r}")
                if refused(texts) and stored_rows(app.db) != before:
                    problems.append(f"{sub}: refused, yet stored {stored_rows(app.db)} (was {before})")
                if any(not p for _, p in answers):
                    problems.append(f"{sub}: answered in public: {texts}")
                for request in fake.requests[sent:]:  # markup reaches the channel, a ping never does
                    if request.method == "POST" and "/messages" in request.path and "everyone" in str(
                            ((request.json or {}).get("allowed_mentions") or {"parse": ["everyone"]}).get("parse")):
                        problems.append(f"{sub}: posted with pings allowed: {request.json}")
                problems += [f"{sub}: {v}" for v in payload_checks.seen[seen:]]
                if logged := tracebacks(caplog.records):
                    problems.append(f"{sub}: logged {logged}")
            payload_checks.seen.clear()  # each is named above, with its submission
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
