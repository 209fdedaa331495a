"""Scheduled rounds from schedules.yaml, and the mentoring section's validation."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.config import parse_config
from bot.errors import ConfigError
from bot.testing.harness import Harness

from .support import COGS, community_yaml, groups_of, intros, join

# The fake clock starts on Monday 2026-01-12 08:00 UTC = 09:00 in Berlin.
MONDAY_10_BERLIN = datetime(2026, 1, 12, 9, 0, tzinfo=timezone.utc)


async def start(make_bot, mentoring: str) -> Harness:
    return await make_bot(yaml=community_yaml(mentoring), cogs=COGS)


async def test_a_scheduled_round_previews_in_the_staff_channel_at_local_time(make_bot) -> None:
    bot = await start(make_bot, '{when: "mon 10:00", check_in_after: 5d}')
    for who in ("ann", "ben"):
        await join(bot, who)
    await bot.advance(MONDAY_10_BERLIN - timedelta(minutes=1))
    assert bot.messages("instructors") == []
    await bot.advance(MONDAY_10_BERLIN)
    preview = bot.last("instructors")  # channels: {staff: instructors}
    assert "Mentoring round #1" in preview.text and "**ann**" in preview.text
    assert [b.label for b in preview.buttons] == ["Confirm", "Cancel"]
    assert intros(bot) == []

    refused = await bot.click(preview, "Confirm", as_="ann", role="member")
    assert refused.error and "only instructors" in refused.text
    assert intros(bot) == []
    await bot.click(preview, "Confirm", as_="ivy", role="instructor")
    edited = bot.adapter.messages[preview.ref.message_id]
    assert "Confirmed by ivy: 1 group posted." in edited.text and edited.buttons == []
    assert groups_of(intros(bot), bot) == [frozenset({"ann", "ben"})]

    await bot.advance(MONDAY_10_BERLIN + timedelta(days=7))  # next Monday: a new preview
    assert len(bot.messages("instructors")) == 2


async def test_a_new_scheduled_preview_marks_the_open_one_replaced(make_bot) -> None:
    bot = await start(make_bot, '{when: "mon 10:00"}')
    for who in ("ann", "ben"):
        await join(bot, who)
    await bot.advance(MONDAY_10_BERLIN)
    first = bot.last("instructors")
    await bot.advance(MONDAY_10_BERLIN + timedelta(days=7))
    assert "Replaced by round #2" in bot.adapter.messages[first.ref.message_id].text
    assert bot.adapter.messages[first.ref.message_id].buttons == []
    r = await bot.click("mentor:confirm:1", as_="ivy", role="instructor")  # a click that was already in flight
    assert r.error and "replaced" in r.text


async def test_auto_confirm_posts_the_round_without_a_click(make_bot) -> None:
    bot = await start(make_bot, '{when: "every 2 weeks on mon 10:00", auto_confirm: true}')
    for who in ("ann", "ben", "cat"):
        await join(bot, who)
    await bot.advance(MONDAY_10_BERLIN + timedelta(days=27))  # four Mondays
    summaries = bot.messages("instructors")
    assert len(summaries) == 2  # every other Monday
    assert "Confirmed automatically: 1 group." in summaries[0].text
    assert [len(g) for g in groups_of(intros(bot), bot)] == [3]  # round 2: all three met too recently
    assert "Confirmed automatically: 0 groups." in summaries[1].text


async def test_no_preview_when_nobody_has_joined(make_bot) -> None:
    bot = await start(make_bot, '{when: "mon 10:00"}')
    await bot.advance(MONDAY_10_BERLIN)
    assert bot.messages("instructors") == []


async def test_a_firing_missed_while_down_is_caught_up_once(make_bot) -> None:
    bot = await start(make_bot, '{when: "mon 10:00"}')
    for who in ("ann", "ben"):
        await join(bot, who)
    await bot.stop()
    bot.clock.set(MONDAY_10_BERLIN + timedelta(minutes=30))  # inside the default 2h grace
    await bot.start()
    assert len(bot.messages("instructors")) == 1
    await bot.restart()
    assert len(bot.messages("instructors")) == 1


def test_mentoring_section_is_checked_strictly() -> None:
    parse_config(community_yaml('{when: "every 2 weeks on mon 10:00", check_in_after: 5d, no_repeat_within: 8w, '
                                "mode: peers, auto_confirm: true}"))
    for bad, message in (
        ("{chanel: mentoring}", 'unknown key "chanel"'),
        ("{check_in_after: soon}", "check_in_after"),
        ('{when: "someday 10:00"}', "when"),
        ("{mode: solo}", "mode"),
    ):
        with pytest.raises(ConfigError) as error:
            parse_config(community_yaml(bad))
        assert message in str(error.value)


async def test_a_wildcard_schedule_runs_for_each_server_once_seen(make_bot) -> None:
    yaml = ('communities:\n  - id: "*"\n    timezone: Europe/Berlin\n    channels: {staff: instructors}\n'
            '    mentoring: {when: "mon 10:00"}\n')
    bot = await make_bot(yaml=yaml, cogs=COGS)
    for who in ("ann", "ben"):  # joining from the console server makes it known
        await join(bot, who)
    await bot.advance(MONDAY_10_BERLIN)
    assert "Mentoring round #1" in bot.last("instructors").text
