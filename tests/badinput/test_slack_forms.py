"""Every form the bot opens (welcome's introduction, mentoring's join, a survey), opened by a
real click on the Slack fake (views.open) and submitted (view_submission, signed) with bad values:
empty, blank, past each field's declared max_length and past 4,000, control characters, markup,
a field missing or unknown, and someone else's form. No traceback, no raw library text, a private
clear answer (or response_action errors naming the field), payloads within Block Kit's rules,
nothing stored from a refused submission."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from bot.testing import payload_checks
from bot.testing.fake_slack import FakeSlack, team_join_event
from bot.testing.slack import SlackBot

from .corpus import answer_problems, tracebacks
from .forms import FormField, Submission, refused, stored_rows, submissions
from .test_slack import GENERAL, STAFF, USERS, texts_of
from .world import COGS, community

WELCOME = '    welcome: {message: "Welcome {member}!", buttons: [introduce, mentoring]}\n'


def as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def open_form(bot: SlackBot, fake: FakeSlack, user: str, channel: str, message: dict[str, Any],
                    button: dict[str, Any]) -> tuple[str, str, list[FormField]]:
    opened = len(fake.calls_to("views.open"))
    await bot.click(button["action_id"], value=button.get("value"), user=user, channel=channel,
                    message_ts=message["ts"])
    await bot.idle()
    [call] = fake.calls_to("views.open")[opened:]
    view = as_json(call.params["view"])
    fields = [FormField(b["block_id"], b["element"].get("max_length") or 150, not b.get("optional"))
              for b in view["blocks"] if b["type"] == "input"]
    return view["callback_id"], view["private_metadata"], fields


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in as_json(message.get("blocks")) or [] if b.get("type") == "actions" for e in b["elements"]]


async def test_every_form_with_bad_values_on_slack(tmp_path: Path, caplog: Any) -> None:
    caplog.set_level(logging.WARNING)
    problems: list[str] = []
    async with FakeSlack() as fake:
        for user_id, name in USERS.items():
            fake.add_user(user_id, name)
        fake.add_channel(GENERAL, "general", members=list(USERS))
        fake.add_channel(STAFF, "instructors", is_private=True, members=["U0IVY"])
        fake.add_channel("C0INTRO", "introductions")
        yaml = community("*", "slack", instructors="{users: [U0IVY]}").replace("    platform: slack\n", "") + WELCOME
        bot = await SlackBot(fake, tmpdir=tmp_path, cogs=COGS, yaml=yaml).start()
        try:
            fake.add_user("U0NINA", "nina")
            await bot.event(team_join_event("U0NINA", team=fake.team_id, name="nina"))
            await bot.idle()
            [welcome] = [c for c in fake.calls_to("chat.postMessage") if "Welcome" in str(c.params.get("text"))]
            dm = welcome.params["channel"]
            await bot.command("/poll", "survey template:feedback", user="U0IVY", channel=GENERAL)
            await bot.idle()
            forms = [("U0NINA", *await open_form(bot, fake, "U0NINA", dm, fake.messages[dm][-1], b))
                     for b in buttons(fake.messages[dm][-1])]
            post = [m for m in fake.messages[GENERAL] if buttons(m)][-1]
            forms.append(("U0ANA", *await open_form(bot, fake, "U0ANA", GENERAL, post, buttons(post)[0])))
            assert {callback.split(":")[0] for _, callback, _, _ in forms} == {"welcome", "mentor", "poll"}
            cases = [(user, meta, sub) for user, callback, meta, fields in forms for sub in submissions(callback, fields)]
            intro = next((callback, meta) for _, callback, meta, _ in forms if callback.startswith("welcome"))
            cases.insert(0, ("U0ZOE", intro[1], Submission(intro[0], "someone else's form", {"name": "Zoe", "learn": "SQL"})))
            for user, meta, sub in cases:
                caplog.clear()
                seen, before = len(payload_checks.seen), stored_rows(bot.app.db)
                ephemeral, calls = len(fake.ephemeral), len(fake.calls)
                status, body = await bot.submit(sub.form, {k: {k: v} for k, v in sub.values.items()}, user=user,
                                                private_metadata=meta)
                await bot.idle()
                answers = [(texts_of(e), True) for e in fake.ephemeral[ephemeral:]]
                answers += [(texts_of(c.params), True) for c in fake.calls[calls:]
                            if c.method == "chat.postMessage" and str(c.params.get("channel")).startswith("D")]
                errors = (as_json(body or "{}") or {}).get("errors") or {} if body.strip().startswith("{") else {}
                problems += answer_problems(f"{sub} (Slack)", [(t.split("\n")[0], e) for t, e in answers])
                texts = [t for t, _ in answers] + [f"⚠️ {v}" for v in errors.values()]
                if status != 200:
                    problems.append(f"{sub} (Slack): HTTP {status} {body[:200]!r}")
                if not any(t.strip() for t in texts):
                    problems.append(f"{sub} (Slack): no answer")
                if not sub.valid and not refused(texts):
                    problems.append(f"{sub} (Slack): accepted: {texts[-1][:200] if texts else ''!r}")
                if refused(texts) and stored_rows(bot.app.db) != before:
                    problems.append(f"{sub} (Slack): refused, yet stored {stored_rows(bot.app.db)} (was {before})")
                problems += [f"{sub} (Slack): {v}" for v in payload_checks.seen[seen:]]
                if logged := tracebacks(caplog.records):
                    problems.append(f"{sub} (Slack): logged {logged}")
            payload_checks.seen.clear()  # each is named above, with its submission
        finally:
            await bot.stop()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
