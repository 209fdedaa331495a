"""Pure logic: rotation, term/skip dates, upcoming runs, mentions, settings fingerprints."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import TermConfig
from bot.when import parse_when
from cogs.prompts.logic import (Calendar, EmptyBank, ScheduleSettings, check_schedule, pick_question, render_mention,
                                split_list, upcoming_runs)

from .helpers import BERLIN


def run_rotation(questions: list[str], rotation: str, count: int, seed: int = 7) -> list[str]:
    """Simulate a schedule posting ``count`` times, with the state the database would hold."""
    posted: list[tuple[str, int]] = []
    for _ in range(count):
        cycle = max((c for _, c in posted), default=0)
        used = {q for q, c in posted if c == cycle}
        last = posted[-1][0] if posted else None
        question, cycle = pick_question(questions, used, cycle, rotation, seed, last)
        posted.append((question, cycle))
    return [q for q, _ in posted]


def test_in_order_rotation_walks_the_bank_and_starts_again() -> None:
    assert run_rotation(["a", "b", "c"], "in-order", 7) == ["a", "b", "c", "a", "b", "c", "a"]


@given(st.lists(st.text(min_size=1, max_size=5).filter(str.strip), min_size=1, max_size=12, unique_by=str.strip),
       st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=4))
def test_shuffle_uses_every_question_once_per_cycle(questions: list[str], seed: int, cycles: int) -> None:
    pool = sorted({q.strip() for q in questions})
    order = run_rotation(questions, "shuffle", len(pool) * cycles, seed)
    for i in range(cycles):
        assert sorted(order[i * len(pool):(i + 1) * len(pool)]) == pool
    if len(pool) > 1:  # a new cycle never repeats the question that closed the last one
        assert all(a != b for a, b in zip(order, order[1:]))


def test_shuffle_is_the_same_in_every_process_and_differs_between_cycles() -> None:
    questions = [f"q{i}" for i in range(8)]
    first = run_rotation(questions, "shuffle", 16, seed=3)
    assert first == run_rotation(questions, "shuffle", 16, seed=3)  # deterministic: processes agree
    assert first[:8] != first[8:]  # each cycle has its own order
    assert first[:8] != questions  # and it is not simply the bank order


def test_adding_a_question_mid_cycle_keeps_the_unused_ones_coming() -> None:
    question, cycle = pick_question(["a", "b", "c", "d"], {"a", "b"}, 0, "shuffle", 1)
    assert question in {"c", "d"} and cycle == 0


def test_an_empty_bank_is_an_error() -> None:
    with pytest.raises(EmptyBank):
        pick_question(["  ", ""], set(), 0, "in-order", 1)


def test_calendar_honours_own_dates_over_the_term_and_both_skip_lists() -> None:
    term = TermConfig(start=date(2026, 1, 12), end=date(2026, 3, 20), breaks=["2026-02-16..2026-02-20"])
    calendar = Calendar.build(None, date(2026, 3, 1), ["2026-01-20"], term)
    assert "before the term" in (calendar.reason_to_skip(date(2026, 1, 11)) or "")
    assert calendar.is_posting_day(date(2026, 1, 12))
    assert "skip date" in (calendar.reason_to_skip(date(2026, 1, 20)) or "")
    assert "skip date" in (calendar.reason_to_skip(date(2026, 2, 18)) or "")
    assert "after the term" in (calendar.reason_to_skip(date(2026, 3, 2)) or "")  # own end beats the term's


def test_upcoming_runs_skip_days_off_and_stop_at_the_end() -> None:
    trigger = parse_when("mon 09:00", BERLIN)
    calendar = Calendar.build(date(2026, 1, 1), date(2026, 2, 2), ["2026-01-19"], None)
    after = datetime(2026, 1, 10, tzinfo=timezone.utc)
    runs = upcoming_runs(trigger, after, BERLIN, 3, calendar.is_posting_day)
    assert [r.strftime("%Y-%m-%d %H:%M") for r in runs] == ["2026-01-12 09:00", "2026-01-26 09:00", "2026-02-02 09:00"]
    assert upcoming_runs(trigger, datetime(2026, 2, 3, tzinfo=timezone.utc), BERLIN, 3, calendar.is_posting_day) == []


def test_mentions_render_as_text() -> None:
    assert render_mention("Cohort 7") == "@Cohort 7"
    assert render_mention("123456") == "<@&123456>"
    assert render_mention("<!subteam^S1>") == "<!subteam^S1>"
    assert render_mention(None) == ""


def test_split_list() -> None:
    assert split_list("A?; B? ;;\nC?") == ["A?", "B?", "C?"]
    assert split_list(None) == []


def test_fingerprint_changes_with_any_setting_and_only_then() -> None:
    a = ScheduleSettings(key="x", channel="general", when="mon 09:00", questions=("q",))
    assert a.fingerprint() == ScheduleSettings(key="x", channel="general", when="mon 09:00", questions=("q",)).fingerprint()
    assert a.fingerprint() != ScheduleSettings(key="x", channel="general", when="mon 10:00", questions=("q",)).fingerprint()
    assert a.fingerprint() != ScheduleSettings(key="x", channel="general", when="mon 09:00", questions=("q",),
                                               thread=True).fingerprint()


@pytest.mark.parametrize("settings, message", [
    (ScheduleSettings(key="x", channel="g", when="61 * * * *", questions=("q",)), "when:"),
    (ScheduleSettings(key="x", channel="g", when="someday", questions=("q",)), "is not a schedule"),
    (ScheduleSettings(key="x", channel="g", when="mon 09:00"), "give the questions"),
    (ScheduleSettings(key="x", channel="g", when="mon 09:00", questions=("q",), bank="b"), "not both"),
    (ScheduleSettings(key="has space", channel="g", when="mon 09:00", questions=("q",)), 'id "has space"'),
    (ScheduleSettings(key="x", channel="g", when="mon 09:00", questions=("q",), skip=("2026-02-30",)), "skip:"),
    (ScheduleSettings(key="x", channel="g", when="mon 09:00", questions=("q",), start=date(2026, 2, 1),
                      end=date(2026, 1, 1)), "before start"),
])
def test_check_schedule_explains_what_is_wrong(settings: ScheduleSettings, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_schedule(settings, BERLIN)
