"""Pure rules of events, against independent implementations: dateutil's time zones and
relative dates for start times, and a plain list model for the waitlist."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil import tz as dtz
from dateutil.relativedelta import relativedelta, weekday
from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.events.logic import AtTrigger, check_in_open, parse_start
from bot.when import next_fire_times

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo", "UTC"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31))


def assert_first_instant_after_the_gap(got: datetime, wall: datetime, oracle: object) -> None:
    """A reading the clocks skip is the first instant after the gap (bot.local_instant's rule):
    the clock then reads later than ``wall``, and a second earlier it read earlier."""
    def reads(moment: datetime) -> datetime:
        return moment.astimezone(oracle).replace(tzinfo=None)  # type: ignore[arg-type]
    assert reads(got) > wall > reads(got - timedelta(seconds=1)), (got, wall)
    assert got.tzinfo == timezone.utc


@settings(max_examples=500, deadline=None)
@given(zone=st.sampled_from(ZONES), local=moments, now=moments)
def test_an_explicit_date_time_is_read_as_wall_time_in_the_zone(zone: str, local: datetime, now: datetime) -> None:
    local = local.replace(second=0, microsecond=0)
    oracle = dtz.gettz(zone)
    text = f"{local:%Y-%m-%d %H:%M}"
    got = parse_start(text, now.replace(tzinfo=timezone.utc), ZoneInfo(zone))
    if not dtz.datetime_exists(local, tz=oracle):
        assert_first_instant_after_the_gap(got, local, oracle)
        return
    expected = local.replace(tzinfo=oracle)
    if dtz.datetime_ambiguous(local, tz=oracle):
        expected = dtz.enfold(expected, fold=0)  # a repeated hour: the first of the two
    assert got == expected.astimezone(timezone.utc)
    assert got.tzinfo == timezone.utc


@settings(max_examples=500, deadline=None)
@given(zone=st.sampled_from(ZONES), now=moments, day=st.integers(0, 6), hour=st.integers(0, 23),
       minute=st.sampled_from([0, 15, 30, 45]))
def test_a_weekday_means_the_next_such_day_after_now(zone: str, now: datetime, day: int, hour: int,
                                                     minute: int) -> None:
    oracle = dtz.gettz(zone)
    now_utc = now.replace(tzinfo=timezone.utc)
    local_now = now_utc.astimezone(oracle).replace(tzinfo=None)
    candidate = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0) + relativedelta(weekday=weekday(day))
    while candidate.replace(tzinfo=oracle).astimezone(timezone.utc) <= now_utc:
        candidate += relativedelta(days=1, weekday=weekday(day))
    text = f"{DAYS[day]} {hour:02d}:{minute:02d}"
    got = parse_start(text, now_utc, ZoneInfo(zone))
    if not dtz.datetime_exists(candidate, tz=oracle):
        assert_first_instant_after_the_gap(got, candidate, oracle)
        return
    assert got.astimezone(oracle).replace(tzinfo=None) == candidate
    assert got > now_utc


def test_tomorrow_and_today() -> None:
    now = datetime(2026, 3, 28, 22, 30, tzinfo=timezone.utc)  # Sat 23:30 in Berlin
    berlin = ZoneInfo("Europe/Berlin")
    assert parse_start("tomorrow 10:00", now, berlin) == datetime(2026, 3, 29, 8, 0, tzinfo=timezone.utc)  # CEST
    assert parse_start("today 23:45", now, berlin) == datetime(2026, 3, 28, 22, 45, tzinfo=timezone.utc)
    assert parse_start("2026-04-01T9am", now, berlin) == datetime(2026, 4, 1, 7, 0, tzinfo=timezone.utc)


def test_the_one_shot_trigger_fires_once_and_only_ahead() -> None:
    moment = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
    trigger = AtTrigger(moment)
    assert next_fire_times(trigger, moment - timedelta(days=1), 5) == [moment]
    assert next_fire_times(trigger, moment, 5) == []


@given(st.integers(-30, 200))
def test_check_in_window_is_10_minutes_before_until_the_end(offset: int) -> None:
    start = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
    end = start + timedelta(minutes=90)
    now = start + timedelta(minutes=offset)
    assert check_in_open(start, end, now) == (-10 <= offset < 90)
