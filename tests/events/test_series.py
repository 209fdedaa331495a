"""Recurring sessions from schedules.yaml: each occurrence its own card, posted ahead, within
the term and not on breaks, at the same local time across DST, once across restarts."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from bot.config import parse_config

from .helpers import events, stored_events

YAML = """
communities:
  - id: console
    platform: console
    timezone: Europe/Berlin
    term: {start: 2026-01-12, end: 2026-04-03, breaks: ["2026-02-16..2026-02-20"]}
    channels: {discussion: general}
    events:
      - {id: office-hours, title: "Office hours", when: "tue 16:00", duration: 1h, where: "https://meet.example/oh",
         channel: discussion, capacity: 2}
"""


async def test_each_occurrence_gets_its_own_card_two_days_ahead(make_bot: Any) -> None:
    bot = await make_bot(yaml=YAML, cogs=["cogs.events"])
    events(bot).live.delay = 0
    [first] = stored_events(bot)  # Tue 13 Jan is within two days of the start: posted at once
    assert first.starts_at == datetime(2026, 1, 13, 15, 0, tzinfo=timezone.utc)
    assert first.series_key == "office-hours" and first.capacity == 2
    assert bot.last("general").content.title == "📅 Office hours"
    await bot.advance(datetime(2026, 1, 18, 14, 0, tzinfo=timezone.utc))
    assert len(stored_events(bot)) == 1  # the next one appears on Sunday afternoon, 48 h ahead
    await bot.advance(datetime(2026, 1, 18, 15, 0, tzinfo=timezone.utc))
    assert len(stored_events(bot)) == 2
    cards = bot.messages("general")
    assert cards[0].buttons == [] and "ended" in (cards[0].content.footer or "")  # last week's is over
    await bot.click(cards[1], "Going", as_="ana")
    await bot.click(cards[1], "Maybe", as_="ben")
    await events(bot).flush_updates()
    assert "Going: 1 / 2" in cards[1].text and "Maybe: 1" in cards[1].text


async def test_the_term_breaks_and_dst_shape_the_series(make_bot: Any) -> None:
    bot = await make_bot(yaml=YAML, cogs=["cogs.events"])
    await bot.advance(datetime(2026, 3, 3, 0, 0, tzinfo=timezone.utc))
    await bot.restart()  # a restart in the middle makes no duplicates
    await bot.advance(datetime(2026, 4, 20, 0, 0, tzinfo=timezone.utc))
    starts = [e.starts_at for e in stored_events(bot)]
    local = [s.astimezone(parse_config(YAML).communities[0].tz) for s in starts]
    assert {(t.weekday(), t.hour, t.minute) for t in local} == {(1, 16, 0)}  # always Tuesday 16:00 in Berlin
    days = [t.date().isoformat() for t in local]
    assert "2026-02-17" not in days  # the break
    assert days[0] == "2026-01-13" and days[-1] == "2026-03-31"  # term ends Fri 3 April
    assert len(days) == 11 == len(set(days))
    assert starts[-2].hour == 15 and starts[-1].hour == 14  # UTC hour moves with summer time
    assert len(bot.messages("general")) == 11


async def test_a_series_added_later_posts_nothing_from_before(make_bot: Any) -> None:
    bot = await make_bot(yaml=YAML.split("    events:")[0], cogs=["cogs.events"])
    await bot.advance(datetime(2026, 2, 1, 12, 0, tzinfo=timezone.utc))
    await bot.restart(yaml=YAML)
    assert stored_events(bot) == []  # Sun 1 Feb 13:00 (Berlin): Tue 3 Feb 16:00 is more than 48 h away
    await bot.advance(datetime(2026, 2, 1, 15, 0, tzinfo=timezone.utc))
    starts = [e.starts_at for e in stored_events(bot)]
    assert starts == [datetime(2026, 2, 3, 15, 0, tzinfo=timezone.utc)]


def test_bad_series_entries_are_reported_with_their_place() -> None:
    import pytest

    from bot.errors import ConfigError

    bad = YAML.replace("duration: 1h", "duration: 0m")
    with pytest.raises(ConfigError) as caught:
        parse_config(bad, "schedules.yaml", cogs=["cogs.events"])
    assert any("duration must be more than 0 and at most 24h" in p for p in caught.value.problems)
    twice = YAML + '      - {id: office-hours, title: "Again", when: "wed 10:00"}\n'
    with pytest.raises(ConfigError) as caught:
        parse_config(twice, "schedules.yaml", cogs=["cogs.events"])
    assert any('duplicate id "office-hours"' in p for p in caught.value.problems)
