"""Durations, time zones, dates and times of day (bot.timeparse, re-exported by bot.when)."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.when import format_duration, parse_date, parse_date_range, parse_duration, parse_time_of_day, parse_timezone

# --- durations ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30s", timedelta(seconds=30)), ("30m", timedelta(minutes=30)), ("2h", timedelta(hours=2)),
     ("1d", timedelta(days=1)), ("2w", timedelta(weeks=2)), ("1h30m", timedelta(hours=1, minutes=30)),
     ("1d 12h", timedelta(days=1, hours=12)), ("  2H ", timedelta(hours=2)), ("90 minutes", timedelta(minutes=90)),
     ("2 hours", timedelta(hours=2)), ("3 days", timedelta(days=3)), ("0m", timedelta(0)),
     ("1 week, 2 days and 3 hours", timedelta(days=9, hours=3))],
)
def test_parse_duration_accepts_units_combinations_and_words(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["2x", "-5m", "5", "", "   ", "h", "1.5h", "1h 2x", "soon", "1h -30m", "99999999999999w"])
def test_parse_duration_rejects_garbage_quoting_the_input(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f'"{text}"')):
        parse_duration(text)


def test_parse_duration_error_shows_examples() -> None:
    with pytest.raises(ValueError) as error:
        parse_duration("2x")
    assert str(error.value) == '"2x" is not a duration — use a number and a unit, like 30m, 2h, 1d or 2w'


@pytest.mark.parametrize(
    ("td", "text"),
    [(timedelta(days=1, hours=2), "1d 2h"), (timedelta(minutes=30), "30m"), (timedelta(seconds=45), "45s"),
     (timedelta(weeks=2), "2w"), (timedelta(days=10), "10d"), (timedelta(0), "0s"),
     (timedelta(hours=1, minutes=30, seconds=5), "1h 30m 5s")],
)
def test_format_duration_is_compact(td: timedelta, text: str) -> None:
    assert format_duration(td) == text


def test_format_duration_rejects_negative() -> None:
    with pytest.raises(ValueError):
        format_duration(timedelta(minutes=-5))


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=999_999)).map(
    lambda td: timedelta(days=td.days, seconds=td.seconds)))
def test_format_then_parse_duration_round_trips(td: timedelta) -> None:
    assert parse_duration(format_duration(td)) == td


@given(st.text())
def test_parse_duration_on_any_text_raises_only_value_error(text: str) -> None:
    try:
        assert parse_duration(text) >= timedelta(0)
    except ValueError:
        pass


# --- time zones --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [("Europe/Berlin", "Europe/Berlin"), ("europe/berlin", "Europe/Berlin"), ("UTC", "UTC"),
     (" utc ", "UTC"), ("America/New_York", "America/New_York"), ("america/new york", "America/New_York")],
)
def test_parse_timezone_accepts_iana_names_in_any_case(name: str, key: str) -> None:
    assert parse_timezone(name).key == key


def test_parse_timezone_suggests_the_closest_name() -> None:
    with pytest.raises(ValueError) as error:
        parse_timezone("Europe/Berln")
    assert str(error.value) == 'unknown time zone "Europe/Berln" — did you mean "Europe/Berlin"?'


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "../../etc/passwd", "Berlin"])
def test_parse_timezone_rejects_unknown_names(name: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f'unknown time zone "{name}"')):
        parse_timezone(name)


@given(st.text(max_size=80))
def test_parse_timezone_on_any_text_raises_only_value_error(text: str) -> None:
    try:
        parse_timezone(text)
    except ValueError:
        pass


# --- dates and times of day ---------------------------------------------------


def test_parse_date_reads_iso_dates() -> None:
    assert parse_date(" 2026-02-16 ") == date(2026, 2, 16)


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "16.02.2026", "2026-2-16", "20260216", "", "tomorrow"])
def test_parse_date_rejects_other_forms(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f'"{text}" is not a valid date — use YYYY-MM-DD')):
        parse_date(text)


def test_parse_date_range_reads_both_ends_and_single_days() -> None:
    assert parse_date_range("2026-02-16..2026-02-20") == (date(2026, 2, 16), date(2026, 2, 20))
    assert parse_date_range("2026-02-16 .. 2026-02-20") == (date(2026, 2, 16), date(2026, 2, 20))
    assert parse_date_range("2026-02-16") == (date(2026, 2, 16), date(2026, 2, 16))


@pytest.mark.parametrize(
    ("text", "reason"),
    [("2026-02-20..2026-02-16", "ends before it starts"), ("2026-02-16..", "not a valid date"),
     ("2026-02-16..2026-02-17..2026-02-18", "not a date range"), ("monday..friday", "not a valid date")],
)
def test_parse_date_range_rejects_bad_ranges(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f'"{text}"') + ".*" + reason):
        parse_date_range(text)


@given(st.text(max_size=40))
def test_parse_date_range_on_any_text_raises_only_value_error(text: str) -> None:
    try:
        start, end = parse_date_range(text)
        assert start <= end
    except ValueError:
        pass


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09:00", time(9)), ("9:00", time(9)), ("23:59", time(23, 59)), ("9am", time(9)), ("9 AM", time(9)),
     ("5:30pm", time(17, 30)), ("12am", time(0)), ("12pm", time(12)), ("0:05", time(0, 5))],
)
def test_parse_time_of_day(text: str, expected: time) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize("text", ["24:00", "9:60", "13pm", "0am", "9", "nine", "", "9:5"])
def test_parse_time_of_day_rejects_invalid_times(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f'"{text}" is not a time of day')):
        parse_time_of_day(text)
