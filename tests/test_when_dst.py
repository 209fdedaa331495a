"""Schedules through the bot on DST days: each firing once, at the right local time.

America/New_York springs forward on Sunday 2027-03-14 (02:00 EST -> 03:00 EDT) and falls
back on Sunday 2027-11-07 (02:00 EDT -> 01:00 EST, so 01:00-01:59 happens twice). These
are the bugs found by trying the bot (issue 14), kept as tests.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.config import parse_config
from bot.when import fire_times_between, latest_fire_time, next_fire_times, parse_when
from tests.prompts.helpers import PROMPTS, community_yaml, posts

NEW_YORK = ZoneInfo("America/New_York")
UTC = timezone.utc


def at(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK, fold=fold)


def one_prompt(when: str) -> str:
    return community_yaml(tz="America/New_York",
                          prompts=f'- {{id: p, channel: discussion, when: "{when}", questions: ["Q?"]}}')


def posted(bot) -> list[str]:  # type: ignore[no-untyped-def]
    """When each prompt was posted, as New York wall time with its abbreviation."""
    return [p.posted_at.astimezone(NEW_YORK).strftime("%m-%d %H:%M %Z") for p in posts(bot)]


async def instructor(bot, text: str):  # type: ignore[no-untyped-def]
    return await bot.command(text, as_="ivy", role="instructor")


@pytest.mark.parametrize("when", ["daily 00:30", "30 0 * * *"])
async def test_the_day_after_spring_forward_is_not_skipped_when_time_jumps(make_bot, when: str) -> None:
    bot = await make_bot(yaml=one_prompt(when), cogs=PROMPTS, start=at(2027, 3, 12, 12))
    await bot.advance(at(2027, 3, 17, 12))
    assert posted(bot) == ["03-13 00:30 EST", "03-14 00:30 EST", "03-15 00:30 EDT", "03-16 00:30 EDT",
                           "03-17 00:30 EDT"]


async def test_a_monthly_midnight_after_spring_forward_is_not_skipped(make_bot) -> None:
    bot = await make_bot(yaml=one_prompt("0 0 1 * *"), cogs=PROMPTS, start=at(2027, 3, 2, 12))
    await bot.advance(at(2027, 6, 2, 12))
    assert posted(bot) == ["04-01 00:00 EDT", "05-01 00:00 EDT", "06-01 00:00 EDT"]


async def test_a_time_in_the_spring_forward_gap_posts_once_right_after_it_and_is_listed_so(make_bot) -> None:
    bot = await make_bot(yaml=one_prompt("daily 02:30"), cogs=PROMPTS, start=at(2027, 3, 12, 12))
    listing = (await instructor(bot, "/prompt list")).text
    # 02:30 does not exist on 03-14: it is posted (and listed) at the first instant after the gap.
    assert "next: Sat 2027-03-13 02:30 EST; Sun 2027-03-14 03:00 EDT; Mon 2027-03-15 02:30 EDT" in listing
    while bot.clock.now() < at(2027, 3, 17, 12):
        await bot.advance(timedelta(hours=1))
    assert posted(bot) == ["03-13 02:30 EST", "03-14 03:00 EDT", "03-15 02:30 EDT", "03-16 02:30 EDT",
                           "03-17 02:30 EDT"]


async def test_wildcard_jobs_keep_their_rhythm_through_the_repeated_hour(make_bot) -> None:
    bot = await make_bot(yaml=one_prompt("*/30 1-3 * * *"), cogs=PROMPTS, start=at(2027, 11, 6, 12))
    await bot.advance(at(2027, 11, 7, 12))
    assert posted(bot) == ["11-07 01:00 EDT", "11-07 01:30 EDT", "11-07 01:00 EST", "11-07 01:30 EST",
                           "11-07 02:00 EST", "11-07 02:30 EST", "11-07 03:00 EST", "11-07 03:30 EST"]


async def test_an_hourly_job_posts_every_real_hour_on_the_long_day(make_bot) -> None:
    bot = await make_bot(yaml=one_prompt("0 * * * *"), cogs=PROMPTS, start=at(2027, 11, 6, 23, 30))
    await bot.advance(at(2027, 11, 7, 3, 30))
    assert posted(bot) == ["11-07 00:00 EDT", "11-07 01:00 EDT", "11-07 01:00 EST", "11-07 02:00 EST",
                           "11-07 03:00 EST"]


@pytest.mark.parametrize("when", ["daily 01:30", "30 1 * * *", "0,30 1 * * *"])
async def test_a_fixed_time_in_the_repeated_hour_posts_once(make_bot, when: str) -> None:
    bot = await make_bot(yaml=one_prompt(when), cogs=PROMPTS, start=at(2027, 11, 6, 12))
    await bot.advance(at(2027, 11, 8, 12))
    assert [t for t in posted(bot) if "01:30" in t] == ["11-07 01:30 EDT", "11-08 01:30 EST"]


async def test_catch_up_after_a_restart_finds_the_gap_firing(make_bot) -> None:
    yaml = community_yaml(tz="America/New_York", extra="grace: 2h",
                          prompts='- {id: p, channel: discussion, when: "daily 02:30", questions: ["Q?"]}')
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=at(2027, 3, 14, 1))
    bot.clock.set(at(2027, 3, 14, 4))  # down across the gap, back within the grace period
    await bot.restart()
    assert [p.due_at.astimezone(NEW_YORK).strftime("%H:%M %Z") for p in posts(bot)] == ["03:00 EDT"]


@pytest.mark.parametrize(("when", "expected"), [
    # Both day fields restricted: either matches (cron's rule) — here every Monday in February.
    ("0 9 30 2 mon", ["02-01 09:00 EST", "02-08 09:00 EST"]),
    # A day range that wraps around the week.
    ("0 9 * * sat-tue", ["02-01 09:00 EST", "02-02 09:00 EST", "02-06 09:00 EST", "02-07 09:00 EST",
                         "02-08 09:00 EST", "02-09 09:00 EST"]),
])
async def test_cron_forms_that_cron_accepts_are_accepted(make_bot, when: str, expected: list[str]) -> None:
    bot = await make_bot(yaml=community_yaml(tz="America/New_York"), cogs=PROMPTS, start=at(2027, 1, 31, 12))
    reply = await instructor(bot, f'/prompt schedule id:feb when:"{when}" channel:#general questions:"Q?"')
    assert not reply.error, reply.text
    await bot.advance(at(2027, 2, 10, 12))
    assert posted(bot) == expected


# --- the same days, asked every other way (issue 14: "every API that answers 'when' agrees") --

ISSUE_CASES = [  # (when, from, to): the issue's schedules over the change they tripped on
    ("daily 00:30", at(2027, 3, 12, 12), at(2027, 3, 17, 12)),
    ("30 0 * * *", at(2027, 3, 12, 12), at(2027, 3, 17, 12)),
    ("0 0 1 * *", at(2027, 3, 2, 12), at(2027, 6, 2, 12)),
    ("daily 02:30", at(2027, 3, 12, 12), at(2027, 3, 17, 12)),
    ("* * * * *", at(2027, 11, 7, 0, 50), at(2027, 11, 7, 2, 10)),
    ("*/30 1-3 * * *", at(2027, 11, 6, 12), at(2027, 11, 7, 12)),
    ("daily 01:30", at(2027, 11, 6, 12), at(2027, 11, 8, 12)),
]


@pytest.mark.parametrize(("when", "start", "end"), ISSUE_CASES)
def test_every_when_api_gives_the_same_firings(when: str, start: datetime, end: datetime) -> None:
    # compared as UTC instants: two aware datetimes in one zone compare by wall reading (fold ignored)
    def utc(times: list[datetime]) -> list[datetime]:
        return [t.astimezone(UTC) for t in times]

    trigger = parse_when(when, NEW_YORK)
    between = utc(fire_times_between(trigger, start, end))
    assert between == sorted(set(between)) and utc(next_fire_times(trigger, start, len(between))) == between
    chained, previous = [], trigger.get_next_fire_time(None, start + timedelta(microseconds=1))  # APScheduler's timer
    while previous is not None and previous.astimezone(UTC) <= end.astimezone(UTC):
        chained.append(previous.astimezone(UTC))
        previous = trigger.get_next_fire_time(previous, previous)
    assert chained == between
    for earlier, firing in zip([None, *between], between):  # the catch-up's question, at each firing
        assert utc([latest_fire_time(trigger, not_after=firing, not_before=start)]) == [firing]
        latest = latest_fire_time(trigger, not_after=firing - timedelta(seconds=1), not_before=start)
        assert (latest and latest.astimezone(UTC)) == earlier


@pytest.mark.parametrize("when", ["daily 00:30", "30 0 * * *", "daily 02:30", "30 2 * * *"])
async def test_the_bot_posts_the_same_whether_time_jumps_or_crawls(make_bot, when: str) -> None:
    start, end = at(2027, 3, 12, 12), at(2027, 3, 17, 12)
    jumped = await make_bot(yaml=one_prompt(when), cogs=PROMPTS, start=start)
    await jumped.advance(end)
    crawled = await make_bot(yaml=one_prompt(when), cogs=PROMPTS, start=start)
    while crawled.clock.now() < end:
        await crawled.advance(timedelta(minutes=20))
    expected = [t.astimezone(NEW_YORK).strftime("%m-%d %H:%M %Z") for t in
                fire_times_between(parse_when(when, NEW_YORK), start, end)]
    assert posted(jumped) == posted(crawled) == expected and len(expected) == 5


def restarted_yaml(when: str) -> str:
    return community_yaml(tz="America/New_York", extra="grace: 2h",
                          prompts=f'- {{id: p, channel: discussion, when: "{when}", questions: ["Q?"]}}')


async def test_catch_up_after_a_restart_finds_the_firing_after_spring_forward(make_bot) -> None:
    bot = await make_bot(yaml=restarted_yaml("daily 00:30"), cogs=PROMPTS, start=at(2027, 3, 14, 23))
    bot.clock.set(at(2027, 3, 15, 1))  # down across midnight after the short day
    await bot.restart()
    assert posted(bot) == ["03-15 01:00 EDT"] and posts(bot)[0].due_at == at(2027, 3, 15, 0, 30)


async def test_a_restart_inside_the_repeated_hour_does_not_post_its_fixed_time_again(make_bot) -> None:
    bot = await make_bot(yaml=restarted_yaml("daily 01:30"), cogs=PROMPTS, start=at(2027, 11, 7, 1))
    await bot.advance(at(2027, 11, 7, 1, 40))  # 01:40 EDT: posted
    bot.clock.set(at(2027, 11, 7, 1, 40, fold=1))  # 01:40 EST, an hour later, reads the same
    await bot.restart()
    await bot.advance(at(2027, 11, 7, 12))
    assert posted(bot) == ["11-07 01:30 EDT"]


@pytest.mark.parametrize(("when", "expected"), [
    ("0 0 30 2 mon", ["2027-02-01", "2027-02-08", "2027-02-15", "2027-02-22", "2028-02-07"]),
    ("0 0 * * sat-tue", ["2027-01-31", "2027-02-01", "2027-02-02", "2027-02-06", "2027-02-07"]),
])
def test_the_issues_cron_forms_are_read_as_cron_reads_them(when: str, expected: list[str]) -> None:
    config = parse_config(one_prompt(when), cogs=PROMPTS)  # schedules.yaml accepts them too
    assert config.communities[0].section("prompts")[0].when == when
    firings = next_fire_times(parse_when(when, NEW_YORK), at(2027, 1, 30, 12), 5)
    assert [f"{t:%Y-%m-%d %H:%M}" for t in firings] == [f"{day} 00:00" for day in expected]


@pytest.mark.parametrize(("nickname", "same_as"), [
    ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"), ("@weekly", "0 0 * * 0"),
    ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"), ("@hourly", "0 * * * *"), ("@Daily", "0 0 * * *")])
def test_crons_nicknames_are_accepted_as_crontab5_defines_them(nickname: str, same_as: str) -> None:
    start, end = at(2027, 11, 6), at(2028, 11, 8)  # @hourly runs twice in the repeated hour, as "0 * * * *"
    assert fire_times_between(parse_when(nickname, NEW_YORK), start, end, limit=100_000) == \
           fire_times_between(parse_when(same_as, NEW_YORK), start, end, limit=100_000)
    parse_config(one_prompt(nickname), cogs=PROMPTS)  # and schedules.yaml takes it


def test_reboot_is_refused_in_one_line_that_says_why() -> None:
    with pytest.raises(ValueError, match='"@reboot" is not a schedule here — schedules run by the clock'):
        parse_when("@reboot", NEW_YORK)
