"""Property tests: the parsers that read what people type never fail with an unhandled exception.

Whatever a member types after a command, whatever an instructor writes in a ``when:`` or in
schedules.yaml, the answer is a clear error of the documented kind (``UserError`` for command
text, ``ValueError`` for time expressions, ``ConfigError`` for the YAML file) — never a crash.
Example counts are bounded so the suite stays fast in CI.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Any, Literal

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.config import ConfigError, parse_config
from bot.errors import UserError
from bot.options import (ChannelRef, Duration, FileUpload, Help, Max, MaxLen, MemberRef, Min, MinLen,
                         Timezone, bind_text, options_from_signature, split_words)
from bot.timeparse import parse_cron_fields, parse_weekday, parse_weekdays
from bot.when import (describe_when, next_fire_times, parse_date, parse_date_range, parse_duration,
                      parse_time_of_day, parse_timezone, parse_when)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Validating with every built-in cog assembles the community model per document (~0.1 s each).
SLOWEST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- command text ------------------------------------------------------------------------
async def _rich(self: Any, ctx: Any,
                question: Annotated[str, Help("What to ask"), MaxLen(300), MinLen(2)],
                count: Annotated[int, Min(1), Max(25)],
                ratio: float = 0.5, anonymous: bool = False, closes_in: Duration | None = None,
                kind: Literal["single", "multi"] = "single", on: date | None = None, at: time | None = None,
                tz: Timezone | None = None, where: ChannelRef | None = None, who: MemberRef | None = None,
                upload: FileUpload | None = None) -> None:
    """A signature with one option of every kind the core supports."""


RICH = options_from_signature(_rich)
OPTION_NAMES = [o.name for o in RICH]

# Words that look like what people type: option:value pairs with plausible and hostile values.
_values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["1", "-1", "0", "25", "26", "1e400", "nan", "inf", "true", "maybe", "30m", "2h", "99999999w",
                     "2026-02-30", "9999-12-31", "25:61", "Europe/Berlin", "Mars/Olympus", "#general", "<#C1|x>",
                     "<@U1>", "<@!123>", "@", "#", "\x00", "“quoted”", "'", '"', "\\"]),
)
_named = st.builds(lambda k, sep, v: f"{k}{sep}{v}", st.sampled_from(OPTION_NAMES + ["qestion", "zz", "Count"]),
                   st.sampled_from([":", "=", " : "]), _values)
_word = st.one_of(_named, st.text(max_size=20), _values)


def _quote(word: str) -> str:
    return '"' + word.replace('"', '\\"') + '"' if any(c.isspace() for c in word) else word


@FAST
@given(st.text(max_size=200))
def test_arbitrary_command_text_is_bound_or_refused_with_a_user_error(text: str) -> None:
    try:
        values = bind_text(RICH, split_words(text))
    except UserError as error:
        assert str(error)  # a message the user can read
        return
    assert set(values) == set(OPTION_NAMES)


@FAST
@given(st.lists(_word, max_size=8))
def test_option_like_words_are_bound_or_refused_with_a_user_error(words: list[str]) -> None:
    line = " ".join(_quote(w) for w in words)
    try:
        values = bind_text(RICH, split_words(line))
    except UserError as error:
        assert str(error)
        return
    assert 1 <= values["count"] <= 25 and 2 <= len(values["question"]) <= 300


# --- time expressions --------------------------------------------------------------------
_when_words = st.sampled_from(["mon", "tue,wed", "weekdays", "daily", "every", "2", "weeks", "on", "monthly", "first",
                               "last", "15", "31", "09:00", "9am", "12pm", "24:00", "*", "*/5", "0", "7", "1-5",
                               "5-1", "L", "?", "weekly", "fortnightly", "and", ","])
_when_text = st.one_of(st.text(max_size=40), st.lists(_when_words, min_size=1, max_size=7).map(" ".join))
_tz_text = st.one_of(st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Etc/GMT+12",
                                      "europe/berlin", "Berlin", "", "../etc/passwd", "Mars/Olympus"]),
                     st.text(max_size=20))
START = datetime(2026, 3, 1, tzinfo=timezone.utc)


@FAST
@given(_when_text, _tz_text)
def test_schedule_expressions_parse_or_raise_value_error(text: str, tz: str) -> None:
    try:
        trigger = parse_when(text, tz)
        description = describe_when(text, tz)
    except ValueError as error:
        assert str(error)
        return
    assert description
    times = next_fire_times(trigger, START, 3)
    assert times == sorted(times) and all(t > START for t in times)


PARSERS = [parse_duration, parse_date, parse_date_range, parse_time_of_day, parse_timezone, parse_weekday,
           parse_weekdays, parse_cron_fields]
_small_text = st.one_of(st.text(max_size=30), _when_text,
                        st.sampled_from(["30m", "1h30m", "2 hours and 5 minutes", "0s", "99999999999999999999w",
                                         "2026-01-12", "2026-02-16..2026-02-20", "2026-02-20..2026-02-16",
                                         "13:60", "7pm", "12am", "sun", "mon-fri", "0 18 * * 1-5"]))


@FAST
@given(st.sampled_from(PARSERS), _small_text)
def test_small_parsers_parse_or_raise_value_error(parser: Any, text: str) -> None:
    try:
        parser(text)
    except ValueError as error:
        assert str(error)


@FAST
@given(st.integers(min_value=0, max_value=10**30), st.sampled_from(["s", "m", "h", "d", "w", "weeks"]))
def test_huge_durations_are_refused_not_overflowed(amount: int, unit: str) -> None:
    try:
        value = parse_duration(f"{amount}{unit}")
    except ValueError:
        return
    assert isinstance(value, timedelta) and value >= timedelta(0)


# --- schedules.yaml ----------------------------------------------------------------------
REAL_KEYS = ["defaults", "communities", "cogs", "id", "name", "platform", "timezone", "grace", "instructors",
             "roles", "users", "term", "start", "end", "breaks", "channels", "banks", "prompts", "polls",
             "surveys", "mentoring", "participation", "digest", "when", "channel", "question", "questions",
             "bank", "order", "thread", "scale", "closes_in", "anonymous", "points", "cooldown", "retention",
             "leaderboard", "check_in_after", "no_repeat_within"]
_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=15),
    st.sampled_from(["*", "console", "discord", "slack", "teams", "Europe/Berlin", "Nowhere/City", "mon 09:00",
                     "0 18 * * 1-5", "every 2 weeks on tue 10:00", "2h", "-1d", "2026-01-12",
                     "2026-02-16..2026-02-20", "shuffle", "general", "cogs.polls", "cogs.nope"]),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
)
_keys = st.one_of(st.sampled_from(REAL_KEYS), st.text(max_size=8), st.integers(min_value=0, max_value=3))
_documents = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(_keys, inner, max_size=5)),
                          max_leaves=25)


def _community(body: dict[Any, Any]) -> dict[Any, Any]:
    return {"id": "console", **body}


# A cog section as instructors write it: a list of small mappings (prompts:, polls:, surveys:),
# or one mapping (mentoring:, participation:, digest:), with real keys and odd values.
_section = st.one_of(st.lists(st.dictionaries(st.sampled_from(REAL_KEYS), _scalars, max_size=7), max_size=3),
                     st.dictionaries(st.sampled_from(REAL_KEYS), _scalars, max_size=7),
                     st.dictionaries(st.text(max_size=8), st.lists(_scalars, max_size=3), max_size=3))
_with_sections = st.dictionaries(st.sampled_from(["prompts", "polls", "surveys", "banks", "mentoring",
                                                  "participation", "digest", "timezone", "term", "channels"]),
                                 _section, min_size=1, max_size=4).map(_community)
_config_shaped = st.one_of(
    st.lists(_with_sections, min_size=1, max_size=2).map(lambda cs: {"communities": cs}),
    st.dictionaries(st.sampled_from(["defaults", "communities"]), _documents, max_size=2),
    st.builds(lambda cs, d: {"communities": cs, "defaults": d},
              st.lists(st.dictionaries(st.sampled_from(REAL_KEYS), _documents, max_size=6).map(_community),
                       max_size=3),
              st.dictionaries(st.sampled_from(REAL_KEYS), _documents, max_size=4)),
)


def _dump(document: Any) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def _parse_or_config_error(text: str, cogs: list[str] | None) -> None:
    try:
        config = parse_config(text, "schedules.yaml", cogs=cogs)
    except ConfigError as error:
        assert error.problems and all(p.startswith("schedules.yaml") for p in error.problems), error.problems
        return
    for community in config.communities:  # what the bot asks of a valid config must work
        assert community.tz and community.grace_period >= timedelta(0)
        community.term.is_active(date(2026, 1, 12))


CORE_ONLY = ["tests.fixtures.sample_cog"]


@SLOW
@given(st.text(max_size=300))
@example("\x1f")  # found by this test: PyYAML's reader refused it before any mark existed
@example("communities: []\n  x: \x07")
def test_arbitrary_text_as_schedules_yaml_is_loaded_or_refused_with_config_error(text: str) -> None:
    _parse_or_config_error(text, CORE_ONLY)


@SLOW
@given(st.one_of(_documents, _config_shaped))
@example({"defaults": {"[": None}})  # found by this test: a key that looks like a pydantic tag crashed the report
@example({"communities": [{"id": "x", "str": 1}]})
def test_yaml_shaped_documents_are_loaded_or_refused_with_config_error(document: Any) -> None:
    _parse_or_config_error(_dump(document), CORE_ONLY)


@SLOWEST
@given(_config_shaped)
def test_yaml_with_the_built_in_cogs_sections_is_loaded_or_refused_with_config_error(document: Any) -> None:
    # cogs=None: the built-in cogs that exist validate their own sections (prompts:, polls:, ...).
    _parse_or_config_error(_dump(document), None)


@FAST
@given(st.sampled_from(["!!python/object/apply:os.system ['echo pwned']", "!!python/name:os.system",
                        "a: &x [*x]", "a: !!binary AAAA", "? [a]\n: b", "a: 1\na: 2", "%YAML 9.9\n---\na: 1",
                        "\ufeffcommunities: []", "communities: !!set {a, b}"]))
def test_yaml_tags_never_execute_and_odd_documents_are_refused(text: str) -> None:
    _parse_or_config_error(text, CORE_ONLY)


# Written as text, not dumped: safe_dump quotes whatever would not load back, so the documents
# above never hold an unquoted date that is not on the calendar, or an explicit tag on a bad value.
_unquoted = st.one_of(
    st.builds(lambda y, m, d: f"{y}-{m:02d}-{d:02d}", st.integers(1, 9999), st.integers(0, 19), st.integers(0, 39)),
    st.builds(lambda tag, text: f"!!{tag} {text}", st.sampled_from(["timestamp", "int", "float", "bool", "str"]),
              st.from_regex(r"[0-9a-z:. -]{1,12}", fullmatch=True)),
    st.from_regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2})?", fullmatch=True),
)
_placements = ["defaults:\n  term: {{start: {v}, end: 2027-03-26}}\n",
               "defaults:\n  term:\n    breaks: [{v}]\n",
               "communities:\n  - id: {v}\n    platform: console\n",
               "defaults:\n  prompts:\n    - {{id: a, channel: general, when: 'mon 09:00', questions: [Q], start: {v}, skip: [{v}]}}\n",
               "defaults:\n  polls:\n    - {{id: p, channel: general, when: 'fri 15:00', question: Q, scale: {v}}}\n",
               "defaults:\n  grace: {v}\n  timezone: UTC\n"]


@SLOW
@given(_unquoted, st.sampled_from(_placements))
@example("2027-02-30", _placements[0])  # found by hand (issue 15): PyYAML's date() raised ValueError
@example("!!timestamp 2027-02-30", _placements[0])
@example("!!int abc", _placements[4])
@example("!!bool 0", _placements[0])  # found by this test: PyYAML raised KeyError
def test_unquoted_dates_and_tagged_values_are_loaded_or_refused_with_config_error(value: str, placement: str) -> None:
    _parse_or_config_error(placement.format(v=value) + "cogs: [cogs.prompts, cogs.polls]\n", None)
