"""The weekly digest shows each live session's turnout and each office-hours queue's figures
(the events and officehours cogs' own digest lines, posted by the participation cog)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from .helpers import create, settled, start

COGS = ["cogs.participation", "cogs.events", "cogs.officehours"]
YAML = """
communities:
  - id: console
    platform: console
    name: Data Science Cohort 7
    timezone: Europe/Berlin
    channels: {staff: staff}
    digest: {channel: staff, when: "fri 17:00"}
"""
# The harness clock starts Mon 2026-01-12 08:00 UTC (09:00 in Berlin); the digest is Fri 16 Jan 17:00.


def digest_fields(bot: Any) -> dict[str, str]:
    return {f.name: f.value for f in bot.last("staff").content.fields}


async def a_week_of_sessions(bot: Any) -> None:
    jam = await create(bot, '"Study jam" "wed 18:00" duration:90m')
    await create(bot, '"Q&A" "thu 12:00"')  # nobody RSVPs or comes
    later = await create(bot, '"Next week" "2026-01-19 18:00"')  # not this week's: not in the digest
    assert later is not None
    for who in ("ana", "ben", "cat"):
        await bot.click(jam, "Going", as_=who)
    await bot.advance(datetime(2026, 1, 14, 16, 55, tzinfo=timezone.utc))  # 17:55 Berlin
    for who in ("ana", "dee"):  # dee comes without an RSVP
        await bot.click(jam, "I'm here", as_=who)
    await settled(bot)

    await bot.advance(datetime(2026, 1, 15, 14, 0, tzinfo=timezone.utc))  # Thu 15:00 Berlin
    await bot.command('/queue open topic:"Week 2"', as_="ivy", role="instructor")
    await bot.command("/queue join", as_="ana")
    await bot.command("/queue join", as_="ben")
    await bot.advance(timedelta(minutes=4))
    await bot.command("/queue next", as_="ivy", role="instructor")
    await bot.advance(timedelta(minutes=10))
    await bot.click(bot.last("general"), "Done", as_="ivy", role="instructor")
    await bot.command("/queue next", as_="ivy", role="instructor")
    await bot.click(bot.last("general"), "No-show", as_="ivy", role="instructor")
    await bot.command("/queue close", as_="ivy", role="instructor")


async def test_the_digest_shows_turnout_per_session_and_the_queue_figures(make_bot: Any) -> None:
    bot = await start(make_bot, yaml=YAML, cogs=COGS)
    await a_week_of_sessions(bot)
    await bot.advance(datetime(2026, 1, 16, 16, 0, tzinfo=timezone.utc))  # Fri 17:00 Berlin
    fields = digest_fields(bot)
    assert fields["Live sessions"].splitlines() == [
        "Study jam (Wed 14 Jan 18:00): 2 attended — 1 of 3 going (33%), +1 without RSVP",
        "Q&A (Thu 15 Jan 12:00): 0 attended, nobody had RSVPed",
    ]
    assert fields["Office hours"] == ("Week 2 (Thu 15 Jan 15:00): 2 joined, 1 helped, typical wait 9m, "
                                      "typical time helped 10m, 1 no-show")
    assert fields["Sessions attended"].startswith("2 members")  # attendance is also an activity kind


async def test_a_quiet_week_has_no_session_lines(make_bot: Any) -> None:
    bot = await start(make_bot, yaml=YAML, cogs=COGS)
    await bot.advance(datetime(2026, 1, 16, 16, 0, tzinfo=timezone.utc))
    fields = digest_fields(bot)
    assert "Live sessions" not in fields and "Office hours" not in fields and "Active members" in fields


async def test_a_cog_whose_digest_lines_fail_costs_only_its_lines(make_bot: Any, monkeypatch: Any, caplog: Any) -> None:
    bot = await start(make_bot, yaml=YAML, cogs=COGS)
    await a_week_of_sessions(bot)

    def broken(*args: Any) -> list[Any]:
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.app.get_cog("event"), "digest_fields", broken)
    await bot.advance(datetime(2026, 1, 16, 16, 0, tzinfo=timezone.utc))
    fields = digest_fields(bot)
    assert "Live sessions" not in fields and "Office hours" in fields and "Active members" in fields
    assert "the event cog's digest lines failed" in caplog.text
