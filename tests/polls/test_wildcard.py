"""Recurring polls configured under the "*" entry run for every server the bot serves."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

YAML = """\
communities:
  - id: "*"
    timezone: UTC
    polls:
      - {id: confidence, channel: general, when: "daily 15:00", question: "How confident do you feel?", scale: 5, closes_in: 2h}
"""


async def test_a_wildcard_poll_runs_for_a_server_once_it_is_seen(make_bot) -> None:
    bot = await make_bot(yaml=YAML, cogs=["cogs.polls"], start=datetime(2026, 1, 12, 8, 0, tzinfo=timezone.utc))
    await bot.advance(timedelta(hours=8))
    assert bot.messages("general", server="course-a") == []  # not seen yet: nothing to post to
    await bot.message("ana", server="course-a")
    await bot.advance(timedelta(days=1))
    posted = [m for m in bot.messages("general", server="course-a") if "How confident" in m.text]
    assert len(posted) == 1
    assert bot.messages("general", server="console") == []  # never seen: no poll there
