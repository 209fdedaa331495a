"""Pure rules: cooldown, streaks, the at-risk rule, CSV escaping, the YAML section."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, strategies as st
from pydantic import ValidationError

from cogs.participation.config import DigestConfig, ParticipationConfig
from bot import ActivityKind
from cogs.participation.logic import (PLATFORM_KINDS, MemberSignals, Cooldown, signal_columns, weights_of, at_risk_windows, is_at_risk, safe_cell,
                                      streak, to_csv)

T0 = datetime(2026, 1, 12, 9, 0, tzinfo=timezone.utc)


def test_cooldown_scores_spammy_kinds_once_per_period_per_member() -> None:
    c = Cooldown()
    minute = timedelta(minutes=1)
    assert c.points(1, 1, "message", T0, 1, minute) == 1
    assert c.points(1, 1, "message", T0 + timedelta(seconds=59), 1, minute) == 0
    assert c.points(1, 1, "reaction", T0 + timedelta(seconds=59), 0.5, minute) == 0.5  # own kind
    assert c.points(1, 2, "message", T0, 1, minute) == 1  # another member
    assert c.points(2, 1, "message", T0, 1, minute) == 1  # another community
    assert c.points(1, 1, "message", T0 + minute, 1, minute) == 1
    # kinds declared without a cooldown (prompt responses, votes, meetings) are never rate-limited
    assert [c.points(1, 1, "prompt_response", T0, 5, minute, cooled=False) for _ in range(3)] == [5, 5, 5]


def test_streak_counts_consecutive_days_up_to_today_or_yesterday() -> None:
    today = date(2026, 1, 20)
    days = [date(2026, 1, d) for d in (20, 19, 18, 16)]
    assert streak(days, today) == 3
    assert streak(days[1:], today) == 2  # today not yet active: the streak is still alive
    assert streak([date(2026, 1, 17)], today) == 0
    assert streak([], today) == 0


def _activity(earlier: dict, recent: dict) -> MemberSignals:
    return MemberSignals(1, {"messages": 0, "prompt responses": 0, "votes": 0, "meetings": 0, **earlier},
                    {"messages": 0, "prompt responses": 0, "votes": 0, "meetings": 0, **recent})


def test_at_risk_when_every_signal_fell_to_half_or_less() -> None:
    # 4 earlier weeks, 2 recent weeks: earlier 10 messages/week, 2 votes/week
    declining = _activity({"messages": 40, "votes": 8}, {"messages": 8, "votes": 2})
    assert is_at_risk(declining, 4, 2)
    one_signal_holds = _activity({"messages": 40, "votes": 8}, {"messages": 8, "votes": 4})  # votes 2/week: held
    assert not is_at_risk(one_signal_holds, 4, 2)
    new_habit = _activity({"messages": 40}, {"messages": 0, "meetings": 1})  # a signal they never used before
    assert not is_at_risk(new_habit, 4, 2)
    never_active = _activity({"messages": 2}, {})  # under one event a week earlier: not "active earlier"
    assert not is_at_risk(never_active, 4, 2)
    exactly_half = _activity({"messages": 40}, {"messages": 10})
    assert is_at_risk(exactly_half, 4, 2)
    assert not is_at_risk(declining, 0, 2)


def test_at_risk_windows_are_whole_weeks_and_respect_the_term_start() -> None:
    sunday = date(2026, 3, 1)
    earlier, recent, end = at_risk_windows(sunday, None)
    assert (end - recent).days == 14 and (recent - earlier).days == 28
    assert recent.weekday() == 0 and earlier.weekday() == 0
    wednesday = date(2026, 3, 4)  # this week so far and last week; the four weeks before
    earlier, recent, end = at_risk_windows(wednesday, None)
    assert (recent, end, earlier) == (date(2026, 2, 23), date(2026, 3, 5), date(2026, 1, 26))
    earlier, _, _ = at_risk_windows(sunday, date(2026, 2, 2))  # a Monday: its week counts
    assert earlier == date(2026, 2, 2)
    earlier, _, _ = at_risk_windows(sunday, date(2026, 2, 1))  # a Sunday: from the first whole week
    assert earlier == date(2026, 2, 2)
    assert at_risk_windows(sunday, date(2026, 2, 14)) is None  # less than a week before the recent window


@pytest.mark.parametrize("text", ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x", "=HYPERLINK(\"http://x\")"])
def test_formula_like_cells_are_neutralised(text: str) -> None:
    assert safe_cell(text) == "'" + text


def test_plain_cells_and_numbers_are_untouched() -> None:
    assert safe_cell("Ana") == "Ana"
    assert safe_cell(3) == "3" and safe_cell(2.5) == "2.5" and safe_cell(True) == "yes"


@given(st.lists(st.text(max_size=12), min_size=1, max_size=5))
def test_no_exported_text_cell_can_start_a_formula(cells: list[str]) -> None:
    data = to_csv(["h"] * len(cells), [cells])
    [_, row] = list(csv.reader(io.StringIO(data)))
    assert len(row) == len(cells)
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_config_defaults_and_overrides() -> None:
    cfg = ParticipationConfig(points={"message": 2})
    kinds = {k.name: k for k in PLATFORM_KINDS}
    assert weights_of(kinds, cfg.points) == {"message": 2, "thread_reply": 2, "reaction": 0.5, "join": 0}
    assert cfg.leaderboard is False and cfg.cooldown_period == timedelta(seconds=60)
    assert cfg.retention_period == timedelta(days=365)


def test_config_rejects_unknown_kinds_listing_the_valid_ones() -> None:
    with pytest.raises(ValidationError) as info:
        ParticipationConfig.model_validate({"points": {"mesage": 1}},
                                           context={"activity_kinds": ["message", "thread_reply"]})
    assert "mesage" in str(info.value) and "message, thread_reply" in str(info.value)


def test_kinds_sharing_a_signal_are_summed_and_kinds_without_one_are_left_out() -> None:
    kinds = {k.name: k for k in PLATFORM_KINDS}
    kinds["kudos"] = ActivityKind("kudos", 2)  # a new cog's kind: its own signal, named by its label
    assert signal_columns(kinds) == {"messages": ("message", "thread_reply", "reaction"), "kudoss": ("kudos",)}
    kinds["kudos"] = ActivityKind("kudos", 2, "kudos given", signal=None)
    assert "kudos given" not in signal_columns(kinds)
    with pytest.raises(ValidationError):
        ParticipationConfig(points={"message": -1})
    with pytest.raises(ValidationError):
        ParticipationConfig(cooldown="soon")
    with pytest.raises(ValidationError):
        ParticipationConfig(leaderbord=True)
    with pytest.raises(ValidationError):
        DigestConfig(channel="staff", when="someday")
