"""Study groups: split members into groups of a chosen size (pure; no database, no bot).

Sizes (`group_sizes`): as many groups of ``size`` as fit; the remainder, if any, is one smaller
group — except a remainder of one (nobody studies alone), who joins a group instead, so one
group has ``size + 1``. 10 people in fours: 4, 4, 2; 9 in fours: 5, 4; 8 in fours: 4, 4.

Who goes with whom uses the rounds' scoring (`scoring.PairScorer`: shared topics, working-hours
overlap, novelty): a group's value is the sum of its pairs' scores. Two people who were in a
group together inside the no-repeat window cost far more than any score gain (and add nothing
to it), so repeats are avoided first whenever the sizes allow it, and only then is the score
maximised; an avoid-list
pair costs more still, and a group that ends up with one anyway (no split could avoid it) loses
the member with the most conflicts, who is reported as not placed.

The search: a greedy start (each group grows by the member who fits it best) plus random
starts, each improved by the best swap of two members between groups until no swap helps.
Every start is kept only if better, so the greedy answer is a floor. A best plan that still puts
an avoid-list pair together (someone would be left out) is untangled by moves and pairs of swaps
that single swaps cannot reach (`_untangle`). Past 300 members the
set is cut into blocks of whole groups by time zone and topics (as peer rounds do), each solved
on its own: 2,000 members take seconds, not minutes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy and scipy load on first use (see cogs/mentors/planning.py)
    from .scoring import Candidate, MatchRules, PairScorer

NOT_PLACED = "no group could take you without a clash this time — an instructor can add you to one"
MAX_SWAPS_PER_MEMBER = 20
BLOCK = 300  # more members than this are split by time zone and topics into blocks solved one by one


def group_sizes(count: int, size: int) -> list[int]:
    """The sizes of the groups ``count`` members make in groups of ``size`` (largest first)."""
    if size < 2 or count < size:
        raise ValueError(f"cannot make groups of {size} from {count} members")
    full, rest = divmod(count, size)
    sizes = [size] * full
    if rest == 1:
        sizes[0] += 1  # nobody alone: one group of size + 1
    elif rest:
        sizes.append(rest)
    return sizes


def common_topics(topic_sets: Sequence[frozenset[str]]) -> tuple[str, ...]:
    """Topics at least half the group (and at least two people) list, most shared first."""
    counts = Counter(t for topics in topic_sets for t in topics)
    need = max(2, -(-len(topic_sets) // 2))
    return tuple(t for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n >= need)


@dataclass(frozen=True)
class StudyGroupPlan:
    members: tuple[int, ...]
    score: float  # mean pair score (0-1)
    topics: tuple[str, ...]  # common_topics, most shared first
    overlap_hours: float  # the least working-hours overlap of any two members


@dataclass
class GroupsPlan:
    groups: list[StudyGroupPlan] = field(default_factory=list)
    unplaced: list[int] = field(default_factory=list)  # member ids (reason: NOT_PLACED)
    repeats: int = 0  # pairs in the same group again inside the no-repeat window (unavoidable)


def form_groups(members: Sequence["Candidate"], size: int, rules: "MatchRules | None" = None, *,
                seed: int = 0, restarts: int | None = None) -> GroupsPlan:
    """Groups of ``size`` (see `group_sizes`) from ``members``, best first by the rules above."""
    import numpy as np

    from .scoring import MatchRules, PairScorer, check_unique_members

    rules = rules or MatchRules()
    check_unique_members(members)
    n = len(members)
    sizes = group_sizes(n, size)
    if n > BLOCK:
        return _by_blocks(members, size, rules, seed)
    scorer = PairScorer(members, members, rules)
    block = scorer.block(0, n)
    score = np.where(np.isfinite(block.score), block.score, 0.0)
    recent_cost = float(n * size + 1)  # more than the whole score range: repeats first
    avoid_cost = recent_cost * (n * size + 1)
    avoided = block.avoided | block.avoided.T
    recent = (block.recent | block.recent.T) & ~avoided
    weight = score - recent_cost * recent - avoid_cost * avoided
    np.fill_diagonal(weight, 0.0)
    rng = np.random.default_rng(seed)
    if restarts is None:
        restarts = 8 if n <= 60 else 3 if n <= 300 else 1
    best = _improve(_greedy(weight, sizes), weight, n)
    best_value = _total(best, weight)
    for _ in range(restarts):
        start = np.repeat(np.arange(len(sizes)), sizes)[rng.permutation(n)]
        tried = _improve(start, weight, n)
        value = _total(tried, weight)
        if value > best_value + 1e-9:
            best, best_value = tried, value
    best = _untangle(best, weight, avoided, n)
    return _plan(best, members, score, recent, avoided, scorer)


def _by_blocks(members: Sequence["Candidate"], size: int, rules: "MatchRules", seed: int) -> GroupsPlan:
    """Large sets: blocks of whole groups (the last takes the remainder), neighbours in time zone
    and topics together, so each block is solved as above; nobody is grouped across blocks."""
    from .scoring import utc_offset_seconds

    on = rules.reference_date()
    ordered = sorted(members, key=lambda m: (utc_offset_seconds(m.tz, on), sorted(m.topics), m.member_id))
    blocks = -(-len(ordered) // BLOCK)
    base = size * ((len(ordered) // blocks) // size)
    plan = GroupsPlan()
    for b in range(blocks):
        part = ordered[b * base:(b + 1) * base if b < blocks - 1 else None]
        found = form_groups(part, size, rules, seed=seed + b, restarts=1)
        plan.groups += found.groups
        plan.unplaced += found.unplaced
        plan.repeats += found.repeats
    plan.groups.sort(key=lambda grp: (-len(grp.members), grp.members))
    plan.unplaced.sort()
    return plan


def _greedy(weight: Any, sizes: list[int]) -> Any:
    import numpy as np

    n = len(weight)
    label = np.full(n, -1, np.int64)
    free = np.ones(n, bool)
    badness = (weight < 0).sum(axis=1)  # the hardest to place start a group
    for g, want in enumerate(sizes):
        first = int(np.flatnonzero(free)[np.argmax(badness[free])])
        label[first], free[first] = g, False
        fit = weight[first].copy()
        for _ in range(want - 1):
            pick = int(np.flatnonzero(free)[np.argmax(fit[free])])
            label[pick], free[pick] = g, False
            fit += weight[pick]
    return label


def _improve(label: Any, weight: Any, n: int) -> Any:
    """Best single swap of two members of different groups, repeated while it gains."""
    import numpy as np

    label = label.copy()
    gain_to = _gain_to(label, weight, n)
    for _ in range(MAX_SWAPS_PER_MEMBER * n):
        delta = _swap_gains(label, weight, n, gain_to)
        x, y = np.unravel_index(int(np.argmax(delta)), delta.shape)
        if not delta[x, y] > 1e-9:
            break
        a, b = label[x], label[y]
        gain_to[:, a] += weight[:, y] - weight[:, x]
        gain_to[:, b] += weight[:, x] - weight[:, y]
        label[x], label[y] = b, a
    return label


def _untangle(label: Any, weight: Any, avoided: Any, n: int) -> Any:
    """Placement first: a group still holding an avoid-list pair costs someone their place, and
    single swaps can be stuck there while a split without one exists (7 people in fours with
    seven avoided pairs). Try moving one member to a group one smaller (the two groups trade
    sizes), then each swap of a member of such a pair followed by the best other swap; keep the
    first that gains. At most 4n tries, so an unavoidable clash stays cheap."""
    import numpy as np

    tries = 4 * n
    while tries > 0:
        clashing = np.flatnonzero((avoided & (label[:, None] == label[None, :])).any(axis=1))
        if clashing.size == 0:
            return label
        moves = _move_gains(label, weight, n)
        if moves.max() > 1e-9:  # one member to a group one smaller: the sizes only trade places
            tries -= 1
            x, group = np.unravel_index(int(np.argmax(moves)), moves.shape)
            label = label.copy()
            label[x] = group
            label = _improve(label, weight, n)
            continue
        gain_to = _gain_to(label, weight, n)
        first = _swap_gains(label, weight, n, gain_to)
        found = None
        for x, y in ((x, y) for x in clashing for y in np.flatnonzero(label != label[x])):
            tries -= 1
            trial = label.copy()
            trial[x], trial[y] = label[y], label[x]
            moved = gain_to.copy()
            moved[:, label[x]] += weight[:, y] - weight[:, x]
            moved[:, label[y]] += weight[:, x] - weight[:, y]
            second = _swap_gains(trial, weight, n, moved)
            second[x, y] = second[y, x] = -np.inf  # not straight back
            x2, y2 = np.unravel_index(int(np.argmax(second)), second.shape)
            if first[x, y] + second[x2, y2] > 1e-9:
                trial[x2], trial[y2] = trial[y2], trial[x2]
                found = _improve(trial, weight, n)
                break
            if tries <= 0:
                break
        if found is None:
            return label
        label = found
    return label


def _move_gains(label: Any, weight: Any, n: int) -> Any:
    """gains[x, g]: what moving x to group g adds, where g has one member fewer than x's group
    (the group sizes stay those of group_sizes); -inf otherwise."""
    import numpy as np

    gain_to = _gain_to(label, weight, n)
    sizes = np.bincount(label, minlength=gain_to.shape[1])
    gains = gain_to - gain_to[np.arange(n), label][:, None]
    gains[sizes[None, :] != sizes[label][:, None] - 1] = -np.inf
    return gains


def _gain_to(label: Any, weight: Any, n: int) -> Any:
    """gain_to[x, g]: the sum of x's weights to the members of group g."""
    import numpy as np

    one_hot = np.zeros((n, int(label.max()) + 1))
    one_hot[np.arange(n), label] = 1.0
    return weight @ one_hot


def _swap_gains(label: Any, weight: Any, n: int, gain_to: Any) -> Any:
    """gains[x, y]: what swapping x and y (in different groups) adds to the total; -inf otherwise."""
    import numpy as np

    own = gain_to[np.arange(n), label]
    to_other = gain_to[:, label]  # to_other[x, y]: x's weights to y's group
    gains = to_other + to_other.T - own[:, None] - own[None, :] - 2 * weight
    gains[label[:, None] == label[None, :]] = -np.inf
    return gains


def _total(label: Any, weight: Any) -> float:
    same = label[:, None] == label[None, :]
    return float(weight[same].sum()) / 2


def _plan(label: Any, members: Sequence["Candidate"], score: Any, recent: Any, avoided: Any,
          scorer: "PairScorer") -> GroupsPlan:
    import numpy as np

    plan = GroupsPlan()
    for g in range(int(label.max()) + 1):
        idx = [int(i) for i in np.flatnonzero(label == g)]
        while len(idx) > 1 and avoided[np.ix_(idx, idx)].any():
            worst = max(idx, key=lambda i: (int(avoided[i, idx].sum()), members[i].member_id))
            idx.remove(worst)
            plan.unplaced.append(members[worst].member_id)
        if len(idx) < 2:
            plan.unplaced.extend(members[i].member_id for i in idx)
            continue
        i, j = np.triu_indices(len(idx), 1)
        a, b = np.array(idx)[i], np.array(idx)[j]
        plan.repeats += int(recent[a, b].sum())
        topics = common_topics([members[x].topics for x in idx])
        plan.groups.append(StudyGroupPlan(tuple(sorted(members[x].member_id for x in idx)),
                                          round(float(score[a, b].mean()), 4), topics,
                                          round(float(scorer.overlap_hours(a, b).min()), 2)))
    plan.groups.sort(key=lambda grp: (-len(grp.members), grp.members))
    plan.unplaced.sort()
    return plan
