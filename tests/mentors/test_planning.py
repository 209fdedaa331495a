"""From stored facts to the matcher's inputs: history, first in line, modes (no bot)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cogs.mentors import matching
from cogs.mentors.planning import History, first_question, history_from_rounds, plan_round

TODAY = date(2026, 3, 2)


@dataclass
class P:
    member_id: int
    role: str
    topics: str = "python"
    timezone: str = "Europe/Berlin"
    capacity: int = 1

    @property
    def topic_set(self) -> frozenset[str]:
        return frozenset(t.strip() for t in self.topics.split(","))


def plan(profiles: list[P], history: History = History(), avoid: set[frozenset[int]] = set(), mode: str = "both"):
    return plan_round(profiles, mode=mode, history=history, avoid=avoid, today=TODAY,
                      no_repeat_within=timedelta(weeks=8))


def test_history_counts_every_pair_in_a_group_of_three_and_keeps_the_latest_date() -> None:
    h = history_from_rounds([(date(2026, 1, 5), [[1, 2, 3]]), (date(2026, 2, 2), [[1, 2], [3, 4]])], [5])
    assert h.last_met == {frozenset({1, 2}): date(2026, 2, 2), frozenset({1, 3}): date(2026, 1, 5),
                          frozenset({2, 3}): date(2026, 1, 5), frozenset({3, 4}): date(2026, 2, 2)}
    assert h.first_in_line == {5}


def test_who_waited_last_round_is_first_in_line() -> None:
    mentor = P(1, "mentor", "python, sql")
    better_fit = P(2, "mentee", "python, sql")
    waited = P(3, "mentee", "python", timezone="America/New_York")  # less working-day overlap
    assert [g.members for g in plan([mentor, better_fit, waited]).groups] == [(1, 2)]
    result = plan([mentor, better_fit, waited], History(first_in_line=frozenset({3})))
    assert [g.members for g in result.groups] == [(1, 3)]
    assert [(u.member_id, u.role) for u in result.unmatched] == [(2, "mentee")]


def test_meetings_inside_the_window_block_and_older_ones_only_cost_novelty() -> None:
    a, b = P(1, "peer"), P(2, "peer")
    recent = History({frozenset({1, 2}): TODAY - timedelta(weeks=7)})
    assert plan([a, b], recent).groups == []
    assert {u.reason for u in plan([a, b], recent).unmatched} == {matching.PEERS_ALL_RECENT}
    old = History({frozenset({1, 2}): TODAY - timedelta(weeks=9)})
    (group,) = plan([a, b], old).groups
    (fresh,) = plan([a, b]).groups
    assert group.score < fresh.score


def test_mentors_need_a_shared_topic_and_peers_do_not() -> None:
    result = plan([P(1, "mentor", "rust"), P(2, "mentee", "python")])
    assert result.groups == [] and result.unmatched[0].reason == matching.MENTORS_NO_TOPIC
    (group,) = plan([P(1, "peer", "rust"), P(2, "peer", "python")]).groups
    assert group.shared_topics == () and group.roles == ("peer", "peer")


def test_mode_decides_which_rounds_run() -> None:
    people = [P(1, "mentor"), P(2, "mentee"), P(3, "peer"), P(4, "peer")]
    assert {g.kind for g in plan(people, mode="both").groups} == {"mentor", "peer"}
    assert {g.kind for g in plan(people, mode="mentors").groups} == {"mentor"}
    assert {g.kind for g in plan(people, mode="peers").groups} == {"peer"}


def test_avoid_pairs_are_passed_through() -> None:
    result = plan([P(1, "peer"), P(2, "peer")], avoid={frozenset({1, 2})})
    assert result.groups == [] and {u.reason for u in result.unmatched} == {matching.PEERS_BLOCKED}


def test_first_question_is_about_a_shared_topic() -> None:
    assert "sql" in first_question(["sql"], 7)
    assert first_question(["python", "sql"], 0) != first_question(["python", "sql"], 1)
    assert first_question([], 3).endswith("?")
