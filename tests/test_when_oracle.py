"""Schedules against independent oracles, on thousands of generated cases near DST changes.

- Cron expressions: the minute-by-minute reference in tests/when_reference.py, written from
  crontab(5) / cron(8) — not from bot.firings.
- Friendly forms: dateutil.rrule says which local readings they name; the same minute-by-minute
  walk says when cron(8) would run a job at those readings.
- croniter: a second opinion on the calendar, in a zone without DST and only on expressions it
  reads as the manual does (it reads "N-N" as "*" and ORs the day fields when one is "*/n").

Every "when" API is checked on each case: firings in a window, next firings, the latest
firing and APScheduler's calling pattern must all give the reference's answer.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from croniter import croniter
from dateutil import rrule
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.when import fire_times_between, latest_fire_time, next_fire_times, parse_when
from tests.when_reference import DAY_NAMES, MONTH_NAMES, CronJob, clock_readings, runs, transitions

ZONES = [ZoneInfo(name) for name in ("America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Sao_Paulo")]
# Every DST change of those zones, 2017-2029 (Sao Paulo's end in 2019; they were at local midnight).
CHANGES = [(zone, moment) for zone in ZONES for moment in transitions(zone, date(2017, 1, 1), date(2029, 12, 31))]
WINDOW = timedelta(hours=36)
PER_WINDOW = 3  # expressions checked against one walk of the clock
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]


def oracle(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=_QUIET)
UTC = timezone.utc


# --- cases: a zone, a window around one of its DST changes, an expression aimed at it -------

@st.composite
def windows(draw: st.DrawFn) -> tuple[ZoneInfo, datetime, datetime, datetime]:
    zone, change = draw(st.sampled_from(CHANGES))
    start = change + timedelta(minutes=draw(st.integers(-30 * 60, 6 * 60)), seconds=draw(st.sampled_from([0, 0, 1, 59])))
    return zone, change, start, start + WINDOW


def _around(change: datetime, zone: ZoneInfo) -> datetime:
    """The local reading just before the change: what expressions aim at."""
    return (change - timedelta(minutes=1)).astimezone(zone).replace(tzinfo=None)


@st.composite
def numeric_field(draw: st.DrawFn, low: int, high: int, near: list[int], wraps: bool, ranges: bool = True) -> str:
    value = st.one_of(st.sampled_from(near), st.integers(low, high))
    kind = draw(st.sampled_from(["*", "*/n", "v", "list", "range", "range/n"] if ranges else ["*", "*/n", "v", "list"]))
    if kind == "*":
        return "*"
    if kind == "*/n":
        return f"*/{draw(st.integers(1, min(high, 30)))}"
    if kind == "v":
        return str(draw(value))
    if kind == "list":
        return ",".join(str(v) for v in draw(st.lists(value, min_size=2, max_size=4)))
    first, last = draw(value), draw(value)
    if first > last and not wraps:
        first, last = last, first
    text = f"{first}-{last}"
    return text + (f"/{draw(st.integers(1, 5))}" if kind == "range/n" else "")


@st.composite
def cron_expressions(draw: st.DrawFn, zone: ZoneInfo, change: datetime) -> str:
    before = _around(change, zone)
    after = change.astimezone(zone).replace(tzinfo=None)
    hours = sorted({before.hour, after.hour, (before.hour + 23) % 24, (after.hour + 1) % 24, 0, 23})
    minutes = [0, 15, 30, 45, 59, before.minute]
    minute = draw(numeric_field(0, 59, minutes, wraps=True))
    hour = draw(numeric_field(0, 23, hours, wraps=True))
    day = draw(numeric_field(1, 31, [before.day, after.day, (before.day % 28) + 1, 29, 30, 31], wraps=False))
    month = draw(st.one_of(numeric_field(1, 12, [before.month, after.month], wraps=True),
                           st.sampled_from([MONTH_NAMES[before.month - 1], f"{MONTH_NAMES[before.month - 2]}-"
                                            f"{MONTH_NAMES[after.month % 12]}", "nov-feb"])))
    cron_weekday = before.isoweekday() % 7
    weekday = draw(st.one_of(numeric_field(0, 7, [cron_weekday, 7, 0], wraps=True),
                             st.sampled_from([DAY_NAMES[cron_weekday], "sat-tue", "fri-sun", "mon-fri", "sun"])))
    return f"{minute} {hour} {day} {month} {weekday}"


@st.composite
def cron_cases(draw: st.DrawFn, count: int = PER_WINDOW) -> tuple[list[str], ZoneInfo, datetime, datetime]:
    zone, change, start, end = draw(windows())
    return draw(st.lists(cron_expressions(zone, change), min_size=count, max_size=count)), zone, start, end


# --- the "when" APIs against a reference answer --------------------------------------------

def assert_every_api_agrees(trigger, start: datetime, end: datetime, expected: list[datetime]) -> None:  # type: ignore[no-untyped-def]
    got = [t.astimezone(UTC) for t in fire_times_between(trigger, start, end)]
    assert got == expected
    upcoming = [t.astimezone(UTC) for t in next_fire_times(trigger, start, 3)]
    assert upcoming[:len(expected)] == expected[:3]
    assert all(t > end for t in upcoming[len(expected):])
    latest = latest_fire_time(trigger, not_after=end, not_before=start)
    assert (latest.astimezone(UTC) if latest else None) == (expected[-1] if expected else None)
    chained, previous = [], trigger.get_next_fire_time(None, start + timedelta(microseconds=1))
    while previous is not None and previous <= end and len(chained) < 40:  # APScheduler's calling pattern
        chained.append(previous.astimezone(UTC))
        previous = trigger.get_next_fire_time(previous, previous)
    assert chained == expected[:40]


@oracle(400)
@given(cron_cases())
def test_cron_matches_the_manual_minute_by_minute_around_dst(case: tuple[list[str], ZoneInfo, datetime, datetime]) -> None:
    expressions, zone, start, end = case
    readings = clock_readings(zone, start, end)
    for expression in expressions:
        job = CronJob.parse(expression)
        try:
            trigger = parse_when(expression, zone)
        except ValueError as error:
            # Refused only when the day of month alone decides and it never falls in those months.
            assert "never happens" in str(error)
            assert not job.either_day and all(d > max(calendar.monthrange(2024, m)[1] for m in job.months)
                                              for d in job.days)
            continue
        assert_every_api_agrees(trigger, start, end, runs(job.matches, job.wildcard, readings, start))


# --- friendly forms: rrule names the readings ----------------------------------------------

_ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
_RRULE_DAYS = [rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU]
_FULL_NAMES = [name.lower() for name in calendar.day_name]


@st.composite
def friendly_forms(draw: st.DrawFn, zone: ZoneInfo, change: datetime, end: datetime):  # type: ignore[no-untyped-def]
    """A friendly form, the anchor it needs, and the local readings rrule says it names."""
    before = _around(change, zone)
    hour = draw(st.sampled_from([before.hour, (before.hour + 1) % 24, 0, 23]) | st.integers(0, 23))
    minute = draw(st.sampled_from([0, 30, before.minute, 59]) | st.integers(0, 59))
    clock = draw(st.sampled_from([f"{hour:02d}:{minute:02d}", f"{hour}:{minute:02d}",
                                  f"{hour % 12 or 12}:{minute:02d}{'pm' if hour >= 12 else 'am'}"]))
    form = draw(st.sampled_from(["days", "weeks", "monthday", "nth"]))
    weekday = before.weekday()
    low = datetime.combine(before.date() - timedelta(days=2), datetime.min.time())
    kwargs = {"byhour": hour, "byminute": minute, "bysecond": 0}
    anchor = None
    if form in ("days", "weeks"):
        days = draw(st.sets(st.sampled_from(range(7)) | st.just(weekday), min_size=1, max_size=4))
        text = ",".join(draw(st.sampled_from([_FULL_NAMES[d][:3], _FULL_NAMES[d]])) for d in sorted(days))
        if days == set(range(7)):
            text = "daily"
        elif days == set(range(5)):
            text = "weekdays"
        if form == "days":
            rule = rrule.rrule(rrule.DAILY, byweekday=[_RRULE_DAYS[d] for d in days], dtstart=low, **kwargs)
            text = f"{text} {clock}"
        else:
            weeks = draw(st.integers(1, 4))
            anchor = before.date() + timedelta(days=draw(st.integers(-40, 40)))
            monday = datetime.combine(anchor - timedelta(days=anchor.weekday()), datetime.min.time())
            rule = rrule.rrule(rrule.WEEKLY, interval=weeks, wkst=rrule.MO, byweekday=[_RRULE_DAYS[d] for d in days],
                               dtstart=monday - timedelta(weeks=weeks * 100), **kwargs)
            text = f"every {weeks} weeks on {text} at {clock}"
    elif form == "monthday":
        day = draw(st.sampled_from([before.day, 1, 29, 30, 31, -1]) | st.integers(1, 31))
        rule = rrule.rrule(rrule.MONTHLY, bymonthday=day, dtstart=low, **kwargs)
        text = f"monthly on {'last day' if day == -1 else day} {clock}"
    else:
        nth = draw(st.sampled_from([1, 2, 3, 4, 5, -1, (before.day - 1) // 7 + 1]))
        rule = rrule.rrule(rrule.MONTHLY, byweekday=_RRULE_DAYS[weekday](nth), dtstart=low, **kwargs)
        text = f"monthly on {_ORDINAL[nth]} {_FULL_NAMES[weekday][:3]} {clock}"
    return text, anchor, set(rule.between(low, (end + timedelta(days=2)).replace(tzinfo=None), inc=True))


@st.composite
def friendly_cases(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    zone, change, start, end = draw(windows())
    forms = draw(st.lists(friendly_forms(zone, change, end), min_size=PER_WINDOW, max_size=PER_WINDOW))
    return forms, zone, start, end


@oracle(300)
@given(friendly_cases())
def test_friendly_forms_match_rrule_and_the_manual_around_dst(case) -> None:  # type: ignore[no-untyped-def]
    forms, zone, start, end = case
    clock = clock_readings(zone, start, end)
    for text, anchor, readings in forms:
        trigger = parse_when(text, zone, anchor=anchor)
        assert_every_api_agrees(trigger, start, end, runs(readings.__contains__, False, clock, start))


# --- croniter, where it reads cron as the manual does ---------------------------------------

def _croniter_reads_it_like_the_manual(expression: str) -> bool:
    """Not for croniter: "N-N" ranges (it reads them as "*"), wrapped ranges (it steps them
    differently), and "*/n" day fields (it ORs them with the other day field)."""
    fields = expression.split()
    names = {name: str(n) for n, name in enumerate(DAY_NAMES)} | {name: str(n + 1) for n, name in enumerate(MONTH_NAMES)}
    for field in fields:
        for item in field.split(","):
            span = item.split("/")[0]
            if "-" in span:
                first, last = (int(names.get(part, part)) for part in span.split("-"))
                if first >= last:
                    return False
    day, weekday = fields[2], fields[4]
    # croniter ORs the day fields unless one is exactly "*"; cron ORs them unless one starts with "*".
    croniter_ors = "*" not in (day, weekday)
    cron_ors = not day.startswith("*") and not weekday.startswith("*")
    return croniter_ors == cron_ors


@oracle(300)
@given(cron_cases(count=1), st.datetimes(datetime(2024, 1, 1), datetime(2030, 1, 1)))
def test_cron_calendar_agrees_with_croniter_without_dst(case, start_naive: datetime) -> None:  # type: ignore[no-untyped-def]
    expression = case[0][0]
    if not _croniter_reads_it_like_the_manual(expression):
        return
    try:
        trigger = parse_when(expression, UTC)
    except ValueError:
        return
    start = start_naive.replace(tzinfo=UTC)
    theirs = croniter(expression, start)
    assert [t.astimezone(UTC) for t in next_fire_times(trigger, start, 12)] == \
           [theirs.get_next(datetime) for _ in range(12)]
