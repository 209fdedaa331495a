"""From profiles and history to a round's plan: who meets whom and who waits, and why.

Pure: no database, no bot. The matching itself is ``cogs.mentors.matching``; this module
turns stored facts into its inputs (candidates, rules) and its result into plan rows.

- Only available profiles take part (active, not paused on ``today``).
- Pairs who met in a confirmed round inside ``no_repeat_within`` are never matched again;
  older meetings only cost novelty. Avoid-list pairs are never matched.
- Members the last confirmed round could not place are first in line (``priority``).
- Mentor rounds require a shared topic: a mentor who knows none of your topics is not a match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the solvers (numpy, scipy) load on the first round, not at start-up
    from .matching import Group, MatchResult
    from .scoring import Candidate, MatchRules


class ProfileLike(Protocol):
    member_id: int
    role: str
    timezone: str
    capacity: int

    @property
    def topic_set(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class PlannedGroup:
    kind: str  # mentor | peer
    members: tuple[int, ...]  # for a mentor group: (mentor, mentee)
    roles: tuple[str, ...]
    score: float
    shared_topics: tuple[str, ...]
    overlap_hours: float


@dataclass(frozen=True)
class PlannedUnmatched:
    member_id: int
    role: str
    reason: str


@dataclass
class Plan:
    groups: list[PlannedGroup] = field(default_factory=list)
    unmatched: list[PlannedUnmatched] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.unmatched


@dataclass(frozen=True)
class History:
    """What confirmed rounds say: when each pair last met, and who waited last round."""

    last_met: Mapping[frozenset[int], date] = field(default_factory=dict)
    first_in_line: Set[int] = frozenset()


def history_from_rounds(rounds: Iterable[tuple[date, Sequence[Sequence[int]]]],
                        last_unmatched: Iterable[int] = ()) -> History:
    """``rounds``: (date confirmed, [member ids of each group]) — groups of 3 count as 3 pairs."""
    last_met: dict[frozenset[int], date] = {}
    for when, groups in rounds:
        for members in groups:
            for i, a in enumerate(members):
                for b in members[i + 1:]:
                    pair = frozenset((a, b))
                    if pair not in last_met or last_met[pair] < when:
                        last_met[pair] = when
    return History(last_met, frozenset(last_unmatched))


def _candidate(profile: ProfileLike) -> Candidate:
    from .scoring import Candidate

    capacity = profile.capacity if profile.role == "mentor" else 1
    return Candidate(profile.member_id, profile.topic_set, profile.timezone, capacity)


def _rules(history: History, avoid: Set[frozenset[int]], today: date, no_repeat_within: timedelta, *,
           shared_topic: bool) -> MatchRules:
    from .scoring import MatchRules

    return MatchRules(past_pairs=dict(history.last_met), avoid=frozenset(avoid), no_repeat_within=no_repeat_within,
                      on=today, priority=frozenset(history.first_in_line), require_shared_topic=shared_topic)


def plan_round(profiles: Sequence[ProfileLike], *, mode: str, history: History, avoid: Set[frozenset[int]],
               today: date, no_repeat_within: timedelta, seed: int = 0) -> Plan:
    """Match the given (available) profiles. ``mode``: both | mentors | peers."""
    from .matching import match_mentors, match_peers

    by_role: dict[str, list[ProfileLike]] = {"mentor": [], "mentee": [], "peer": []}
    for p in profiles:
        by_role.setdefault(p.role, []).append(p)
    plan = Plan()
    if mode in ("both", "mentors") and by_role["mentee"]:
        rules = _rules(history, avoid, today, no_repeat_within, shared_topic=True)
        result = match_mentors([_candidate(p) for p in by_role["mentor"]],
                               [_candidate(p) for p in by_role["mentee"]], rules, seed=seed)
        _add(plan, result, "mentor", lambda g: ("mentor", "mentee"), "mentee")
    if mode in ("both", "peers") and by_role["peer"]:
        rules = _rules(history, avoid, today, no_repeat_within, shared_topic=False)
        result = match_peers([_candidate(p) for p in by_role["peer"]], rules, seed=seed)
        _add(plan, result, "peer", lambda g: ("peer",) * len(g.members), "peer")
    return plan


def _add(plan: Plan, result: MatchResult, kind: str, roles: Callable[[Group], tuple[str, ...]],
         unmatched_role: str) -> None:
    for g in result.groups:
        plan.groups.append(PlannedGroup(kind, tuple(g.members), roles(g), round(float(g.score), 4),
                                        tuple(sorted(g.shared_topics)), round(float(g.overlap_hours), 2)))
    plan.unmatched.extend(PlannedUnmatched(u.member_id, unmatched_role, u.reason) for u in result.unmatched)


FIRST_QUESTIONS = (
    "What got you into {topic}, and what are you working on with it right now?",
    "What's one thing about {topic} you'd like to be better at by the end of the month?",
    "What's the most useful {topic} resource you've found so far?",
    "What's a {topic} problem you got stuck on recently, and how did you get unstuck?",
)
NO_TOPIC_QUESTION = "What are you learning at the moment, and what would make this week a good one for you?"


def first_question(shared_topics: Sequence[str], seed: int) -> str:
    """A conversation starter about something the group shares (varies with ``seed``)."""
    if not shared_topics:
        return NO_TOPIC_QUESTION
    topic = sorted(shared_topics)[seed % len(shared_topics)]
    return FIRST_QUESTIONS[seed % len(FIRST_QUESTIONS)].format(topic=topic)
