"""Schedule expressions, durations, time zones and dates (bot.when / bot.timeparse)."""

from __future__ import annotations

import pickle
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.when import (
    LocalSchedule, describe_when, fire_times_between, latest_fire_time, next_fire_times, parse_when,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def local(*args: int, tz: ZoneInfo = BERLIN) -> datetime:
    return datetime(*args, tzinfo=tz)


def fires(expr: str, after: datetime, count: int = 3, tz: ZoneInfo = BERLIN, **kwargs) -> list[datetime]:
    """Next firings as naive local datetimes, which read like a calendar."""
    trigger = parse_when(expr, tz, **kwargs)
    return [t.replace(tzinfo=None) for t in next_fire_times(trigger, after, count)]


# --- parse_when: the forms, with real dates ------------------------------------

# 2026-03-06 is a Friday.
FRIDAY_NOON = local(2026, 3, 6, 12)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("0 18 * * 1-5", [(2026, 3, 6, 18), (2026, 3, 9, 18), (2026, 3, 10, 18)]),
        ("0 9 * * 0", [(2026, 3, 8, 9), (2026, 3, 15, 9), (2026, 3, 22, 9)]),
        ("0 9 * * 7", [(2026, 3, 8, 9), (2026, 3, 15, 9), (2026, 3, 22, 9)]),
        ("0 9 * * 1", [(2026, 3, 9, 9), (2026, 3, 16, 9), (2026, 3, 23, 9)]),
        ("0 9 * * 6", [(2026, 3, 7, 9), (2026, 3, 14, 9), (2026, 3, 21, 9)]),
        ("0 9 * * 5-7", [(2026, 3, 7, 9), (2026, 3, 8, 9), (2026, 3, 13, 9)]),
        ("0 9 * * 0,3", [(2026, 3, 8, 9), (2026, 3, 11, 9), (2026, 3, 15, 9)]),
        ("0 9 * * */3", [(2026, 3, 7, 9), (2026, 3, 8, 9), (2026, 3, 11, 9)]),  # sun,wed,sat
        ("0 9 * * SUN", [(2026, 3, 8, 9), (2026, 3, 15, 9), (2026, 3, 22, 9)]),
        ("0 9 * * fri-sun", [(2026, 3, 7, 9), (2026, 3, 8, 9), (2026, 3, 13, 9)]),
        ("*/20 13 * * *", [(2026, 3, 6, 13, 0), (2026, 3, 6, 13, 20), (2026, 3, 6, 13, 40)]),
        ("30 8 1 jan,jul *", [(2026, 7, 1, 8, 30), (2027, 1, 1, 8, 30), (2027, 7, 1, 8, 30)]),
        # Cron rule: both day fields restricted -> either matches (the 10th, or any Monday).
        ("0 9 10 * 1", [(2026, 3, 9, 9), (2026, 3, 10, 9), (2026, 3, 16, 9)]),
        ("mon 09:00", [(2026, 3, 9, 9), (2026, 3, 16, 9), (2026, 3, 23, 9)]),
        ("Monday 9am", [(2026, 3, 9, 9), (2026, 3, 16, 9), (2026, 3, 23, 9)]),
        ("mon,wed,fri 09:00", [(2026, 3, 9, 9), (2026, 3, 11, 9), (2026, 3, 13, 9)]),
        ("mon, wed and fri at 5:30pm", [(2026, 3, 6, 17, 30), (2026, 3, 9, 17, 30), (2026, 3, 11, 17, 30)]),
        ("mon-fri 9:00", [(2026, 3, 9, 9), (2026, 3, 10, 9), (2026, 3, 11, 9)]),
        ("weekdays 09:00", [(2026, 3, 9, 9), (2026, 3, 10, 9), (2026, 3, 11, 9)]),
        ("weekends 10:00", [(2026, 3, 7, 10), (2026, 3, 8, 10), (2026, 3, 14, 10)]),
        ("daily 18:30", [(2026, 3, 6, 18, 30), (2026, 3, 7, 18, 30), (2026, 3, 8, 18, 30)]),
        ("weekly on tue 10:00", [(2026, 3, 10, 10), (2026, 3, 17, 10), (2026, 3, 24, 10)]),
        ("every week on tue 10:00", [(2026, 3, 10, 10), (2026, 3, 17, 10), (2026, 3, 24, 10)]),
        ("monthly on 15 10:00", [(2026, 3, 15, 10), (2026, 4, 15, 10), (2026, 5, 15, 10)]),
        ("monthly on 31 10:00", [(2026, 3, 31, 10), (2026, 5, 31, 10), (2026, 7, 31, 10)]),
        ("monthly on first mon 10:00", [(2026, 4, 6, 10), (2026, 5, 4, 10), (2026, 6, 1, 10)]),
        ("monthly on third wed 10:00", [(2026, 3, 18, 10), (2026, 4, 15, 10), (2026, 5, 20, 10)]),
        ("monthly on last fri 10:00", [(2026, 3, 27, 10), (2026, 4, 24, 10), (2026, 5, 29, 10)]),
    ],
)
def test_parse_when_forms_fire_on_the_right_days(expr: str, expected: list[tuple[int, ...]]) -> None:
    assert fires(expr, FRIDAY_NOON) == [datetime(*parts) for parts in expected]


def test_cron_day_numbers_follow_standard_cron_not_apscheduler() -> None:
    (sunday,) = fires("0 9 * * 0", FRIDAY_NOON, 1)
    (monday,) = fires("0 9 * * 1", FRIDAY_NOON, 1)
    assert sunday.strftime("%A") == "Sunday"
    assert monday.strftime("%A") == "Monday"


def test_times_are_local_to_the_given_zone() -> None:
    (first,) = next_fire_times(parse_when("daily 09:00", NEW_YORK), FRIDAY_NOON, 1)
    assert (first.hour, first.tzinfo) == (9, NEW_YORK)
    assert first.astimezone(BERLIN).hour == 15  # Berlin is 6h ahead on 2026-03-07


def test_parse_when_accepts_a_zone_name() -> None:
    assert fires("daily 09:00", FRIDAY_NOON, 1, tz="Europe/Berlin") == [datetime(2026, 3, 7, 9)]


def test_describe_when_reads_like_a_sentence() -> None:
    assert describe_when("mon 09:00", BERLIN) == "every Monday at 09:00 (Europe/Berlin)"
    assert describe_when("0 18 * * 1-5", BERLIN) == "every weekday at 18:00 (Europe/Berlin)"
    assert describe_when("every 2 weeks on tue 10:00", BERLIN) == "every 2 weeks on Tuesday at 10:00 (Europe/Berlin)"
    assert describe_when("monthly on first mon 10:00", BERLIN) == "on the first Monday of every month at 10:00 (Europe/Berlin)"


# --- DST: 09:00 stays 09:00 local ---------------------------------------------

# Berlin springs forward on Sunday 2026-03-29 and falls back on Sunday 2026-10-25.


@pytest.mark.parametrize(
    ("expr", "start", "count"),
    [("daily 09:00", local(2026, 3, 27), 4), ("daily 09:00", local(2026, 10, 23), 4),
     ("sun 09:00", local(2026, 3, 20), 3), ("sun 09:00", local(2026, 10, 16), 3), ("0 9 * * *", local(2026, 3, 27), 4)],
)
def test_local_time_is_kept_across_dst_changes(expr: str, start: datetime, count: int) -> None:
    times = next_fire_times(parse_when(expr, BERLIN), start, count)
    assert [t.hour for t in times] == [9] * count
    assert {t.utcoffset() for t in times} == {timedelta(hours=1), timedelta(hours=2)}
    assert len({t.astimezone(ZoneInfo("UTC")).hour for t in times}) == 2


def test_a_fixed_time_in_the_repeated_hour_fires_once_and_a_wildcard_one_at_both(tz: ZoneInfo = BERLIN) -> None:
    # 02:00-03:00 happens twice in Berlin on 2026-10-25 (CEST, then CET).
    fixed = fire_times_between(parse_when("0,30 2 * * *", BERLIN), local(2026, 10, 25), local(2026, 10, 25, 12))
    assert [(t.hour, t.minute, t.utcoffset()) for t in fixed] == [(2, 0, timedelta(hours=2)), (2, 30, timedelta(hours=2))]
    daily = fire_times_between(parse_when("daily 02:30", BERLIN), local(2026, 10, 24, 12), local(2026, 10, 26, 12))
    assert [t.day for t in daily] == [25, 26]
    # A minute field starting with "*" follows the clock (Vixie cron): both occurrences.
    wild = fire_times_between(parse_when("*/30 2 * * *", BERLIN), local(2026, 10, 25), local(2026, 10, 25, 12))
    assert [(t.hour, t.minute, t.utcoffset()) for t in wild] == [
        (2, 0, timedelta(hours=2)), (2, 30, timedelta(hours=2)), (2, 0, timedelta(hours=1)), (2, 30, timedelta(hours=1))]


def test_a_time_skipped_by_spring_forward_fires_once_that_day() -> None:
    daily = fire_times_between(parse_when("daily 02:30", BERLIN), local(2026, 3, 28, 12), local(2026, 3, 30, 12))
    assert [t.day for t in daily] == [29, 30]


@pytest.mark.parametrize(
    ("start", "expected_days"),
    [
        (local(2026, 3, 10), [date(2026, 3, 15), date(2026, 3, 29), date(2026, 4, 12)]),
        (local(2026, 10, 6), [date(2026, 10, 11), date(2026, 10, 25), date(2026, 11, 8)]),
    ],
)
def test_every_two_weeks_keeps_local_time_across_dst(start: datetime, expected_days: list[date]) -> None:
    # Anchored so that the DST Sundays (2026-03-29 and, 30 weeks later, 2026-10-25) are "on".
    trigger = parse_when("every 2 weeks on sun 09:00", BERLIN, anchor=date(2026, 3, 29))
    times = next_fire_times(trigger, start, 3)
    assert [t.date() for t in times] == expected_days
    assert [t.hour for t in times] == [9, 9, 9]
    assert {t.utcoffset() for t in times} == {timedelta(hours=1), timedelta(hours=2)}


# --- every N weeks ----------------------------------------------------------------


def test_every_two_weeks_skips_alternate_weeks() -> None:
    times = fires("every 2 weeks on tue 10:00", FRIDAY_NOON, 5)
    assert all(t.strftime("%A %H:%M") == "Tuesday 10:00" for t in times)
    assert [(b - a).days for a, b in zip(times, times[1:])] == [14, 14, 14, 14]


def test_every_two_weeks_stays_in_phase_across_new_year() -> None:
    times = fires("every 2 weeks on tue 10:00", local(2026, 11, 20), 8)
    assert times[0].year == 2026 and times[-1].year == 2027
    assert [(b - a).days for a, b in zip(times, times[1:])] == [14] * 7


def test_every_n_weeks_is_the_same_whenever_it_is_computed() -> None:
    # A restart (a new trigger, a later "now") must land on the same weeks.
    early = set(fires("every 3 weeks on mon,thu 10:00", local(2026, 1, 1), 30))
    late = fires("every 3 weeks on mon,thu 10:00", local(2026, 6, 1), 4)
    assert set(late) <= early


def test_anchor_chooses_which_weeks_are_on() -> None:
    on_third = fires("every 2 weeks on tue 10:00", local(2026, 3, 1), 2, anchor=date(2026, 3, 5))
    on_tenth = fires("every 2 weeks on tue 10:00", local(2026, 3, 1), 2, anchor=date(2026, 3, 12))
    assert on_third == [datetime(2026, 3, 3, 10), datetime(2026, 3, 17, 10)]
    assert on_tenth == [datetime(2026, 3, 10, 10), datetime(2026, 3, 24, 10)]


@pytest.mark.parametrize("expr", ["every other week on tue 10:00", "every 2 weeks on tuesday at 10am"])
def test_every_two_weeks_spellings(expr: str) -> None:
    assert fires(expr, FRIDAY_NOON) == fires("every 2 weeks on tue 10:00", FRIDAY_NOON)


def test_every_n_weeks_follows_apschedulers_calling_pattern() -> None:
    trigger = parse_when("every 2 weeks on fri 16:00", BERLIN)
    expected = next_fire_times(trigger, FRIDAY_NOON, 4)
    got, previous = [], None
    for _ in range(4):
        previous = trigger.get_next_fire_time(previous, previous or FRIDAY_NOON)
        got.append(previous)
    assert got == expected


def test_every_n_weeks_survives_pickling_and_describes_itself() -> None:
    trigger = parse_when("every 2 weeks on tue 10:00", BERLIN, anchor=date(2026, 3, 10))
    assert isinstance(trigger, LocalSchedule)
    copy = pickle.loads(pickle.dumps(trigger))
    assert next_fire_times(copy, FRIDAY_NOON, 4) == next_fire_times(trigger, FRIDAY_NOON, 4)
    cron_or = parse_when("0 9 10 * 1", BERLIN)
    assert next_fire_times(pickle.loads(pickle.dumps(cron_or)), FRIDAY_NOON, 4) == next_fire_times(cron_or, FRIDAY_NOON, 4)
    assert "every 2 weeks" in str(trigger)
    assert "weeks=2" in repr(trigger) and "Europe/Berlin" in repr(trigger)


# --- fire-time helpers ------------------------------------------------------------


def test_next_fire_times_are_strictly_after() -> None:
    trigger = parse_when("daily 09:00", BERLIN)
    assert next_fire_times(trigger, local(2026, 3, 6, 9), 2) == [local(2026, 3, 7, 9), local(2026, 3, 8, 9)]


def test_fire_times_between_excludes_start_and_includes_end() -> None:
    trigger = parse_when("daily 09:00", BERLIN)
    times = fire_times_between(trigger, local(2026, 3, 6, 9), local(2026, 3, 9, 9))
    assert times == [local(2026, 3, 7, 9), local(2026, 3, 8, 9), local(2026, 3, 9, 9)]
    assert len(fire_times_between(trigger, local(2026, 1, 1), local(2027, 1, 1), limit=10)) == 10


def test_latest_fire_time_finds_a_firing_inside_the_window() -> None:
    trigger = parse_when("fri 15:00", BERLIN)
    restart = local(2026, 3, 6, 16, 30)
    assert latest_fire_time(trigger, restart, restart - timedelta(hours=2)) == local(2026, 3, 6, 15)
    assert latest_fire_time(trigger, local(2026, 3, 6, 15), local(2026, 3, 6, 14)) == local(2026, 3, 6, 15)


def test_latest_fire_time_is_none_outside_the_window() -> None:
    trigger = parse_when("fri 15:00", BERLIN)
    restart = local(2026, 3, 6, 18)
    assert latest_fire_time(trigger, restart, restart - timedelta(hours=2)) is None
    assert latest_fire_time(trigger, local(2026, 3, 6, 16), local(2026, 3, 6, 15)) is None


def test_latest_fire_time_returns_the_most_recent_of_many() -> None:
    trigger = parse_when("*/5 * * * *", BERLIN)
    assert latest_fire_time(trigger, local(2026, 3, 6, 12, 7), local(2026, 3, 1)) == local(2026, 3, 6, 12, 5)
    monthly = parse_when("monthly on 15 10:00", BERLIN)
    assert latest_fire_time(monthly, local(2026, 9, 1), local(2025, 1, 1)) == local(2026, 8, 15, 10)


def test_helpers_reject_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="time zone"):
        next_fire_times(parse_when("daily 09:00", BERLIN), datetime(2026, 3, 6), 1)


# --- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "field"),
    [("61 * * * *", "minute"), ("0 24 * * *", "hour"), ("0 9 0 * *", "day of month"), ("0 9 * 13 *", "month"),
     ("0 9 * * 8", "day of week"), ("0 9 * * mun", "day of week"), ("*/0 9 * * *", "minute"),
     ("0 9 5-1 * *", "day of month"), ("0 18 * *", "5 fields"), ("0 18 * * * *", "5 fields"),
     ("0 0 30 2 *", "never happens")],
)
def test_invalid_cron_names_the_bad_field(expr: str, field: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f'"{expr}"') + ".*" + field):
        parse_when(expr, BERLIN)


@pytest.mark.parametrize(
    "expr",
    ["", "tomorrow", "mon", "09:00", "mun 09:00", "mon 25:00", "daily", "every 9 weeks on tue 10:00",
     "every 0 weeks on tue 10:00", "every 2 weeks 10:00", "monthly on 32 10:00", "monthly on first 10:00",
     "monthly 10:00", "fortnightly tue 10:00", "9am daily"],
)
def test_bad_schedules_raise_value_error_quoting_the_input(expr: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f'"{expr}"')):
        parse_when(expr, BERLIN)


def test_unknown_form_lists_the_accepted_forms() -> None:
    with pytest.raises(ValueError, match=r'daily 18:30.*every 2 weeks on tue 10:00'):
        parse_when("whenever", BERLIN)


# --- property tests -------------------------------------------------------------------

_VOCABULARY = ["mon", "tue", "sun", "mon-fri", "mon,wed", "weekdays", "daily", "weekly", "monthly", "every",
               "week", "weeks", "other", "on", "at", "first", "last", "day", "15", "31", "2", "9", "09:00",
               "9am", "5:30pm", "25:00", "*", "*/5", "0", "7", "1-5", "jan", "-", ","]


@settings(max_examples=300)
@given(st.one_of(
    st.text(max_size=60),
    st.text(alphabet="0123456789*,/- ", max_size=30),
    st.lists(st.sampled_from(_VOCABULARY), max_size=7).map(" ".join),
))
def test_parse_when_on_any_text_raises_only_value_error(text: str) -> None:
    try:
        trigger = parse_when(text, BERLIN)
    except ValueError:
        return
    # Anything accepted must actually fire.
    assert len(next_fire_times(trigger, FRIDAY_NOON, 1)) == 1
