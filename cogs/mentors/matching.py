"""Who meets whom in a peer-mentor round. Pure functions: dataclasses in, dataclasses out.

Mentors -> mentees (bipartite, mentors have capacity 1-20): placement first
    Each mentor becomes `capacity` identical slots. The solver looks at a sparse candidate
    graph (candidates.py): each mentee's k best allowed mentors (k=16) plus each mentor's
    best mentees, ties spread by a tiny seeded jitter so a one-topic cohort does not
    collapse onto the same 16 mentors; all mentors when mentees x mentors <= 250k (exact).
    On that graph scipy's LAPJVsp (`min_weight_full_bipartite_matching`) solves the
    lexicographic problem: most mentees placed, then the best score + priority bonus
    (when the graph places every mentee, or fills every slot, that is a plain full
    matching; otherwise each mentee's private "unassigned" column costs more than any
    score gain). Then placement.augment_to_maximum searches the *full* allowed graph for
    augmenting paths: none means the placement is maximum (a proof); any it finds are
    applied and the score re-optimised with them in the graph. Cost for 10k mentees x
    2.5k mentors: O(n*m) scoring in chunks (about a third) + LAPJVsp on
    ~(n*k + m*2k)*capacity edges (about half; it is slowest when places are as many as
    mentees), ~2 s on 2 cores.
    Proof of quality: `upper_bound` is the smaller of sum_i max_j s_ij and a Lagrangian
    (LP-dual) bound
        UB(v) = sum_i max(0, max_j s_ij - v_j) + sum_j capacity_j * v_j   for any v >= 0,
    with mentor prices v from up to 300 Polyak subgradient steps on the candidate lists,
    evaluated over all mentors. Both bound every assignment, so also the best one among
    maximum placements: total_score / upper_bound is a guaranteed lower bound on the
    fraction of the optimum reached. Without `priority` and below the exact limit the
    solve is exact and upper_bound == total_score.

Peers (general graph: pairs, plus at most one group of three): placement first
    The maximum-weight cycle cover (dense `linear_sum_assignment` on the symmetric score
    matrix with a zero diagonal meaning "unmatched") is a relaxation: half its value is an
    upper bound on any grouping (a triple's 3-cycle counts 1.5 times its mean). Its
    2-cycles are pairs; longer cycles are split into their best alternating edges;
    leftovers are paired greedily; Edmonds' blossom augmentation (blossom.py) then makes
    the pairing maximum-cardinality: nobody who could be paired is left out. 2-opt and a
    large-neighbourhood search (orient every pair, re-pair all "lefts" with all "rights"
    by linear_sum_assignment; never worse, never fewer pairs) polish the weight. A member
    still left over joins one pair as a triple: up to 25 peers every member is tried as
    the third (the rest re-paired each time), beyond that the best insertion is moved
    around while the total rises. ~1.5 s for 2,000 peers. Above 2,000 peers the members
    are sorted by (UTC offset, topics) and solved in even blocks of <= 2,000 (no global
    bound then).

Forbidden pairs (met inside the no-repeat window, avoid lists) are never produced: they
are absent from the graphs, and every result is checked once more before it is returned.
Ties are broken by a seeded shuffle of the inputs, so results are deterministic per seed.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from cogs.mentors.candidates import CandidateLists, top_candidates, unique_edges
from cogs.mentors.placement import augment_to_maximum
from cogs.mentors.scoring import (
    CHUNK_ROWS, Candidate, Group, MatchResult, MatchRules, PairScorer, Unmatched, check_unique_members,
)

__all__ = [
    "Candidate", "Group", "MatchResult", "MatchRules", "Unmatched", "match_mentors", "match_peers",
    "PEER_ALONE", "PEER_BLOCK", "PEERS_ALL_RECENT", "PEERS_BLOCKED", "PEERS_TAKEN",
]

EXACT_PAIRS_LIMIT = 250_000
DEFAULT_K = 16

NO_MENTORS = "no mentors have joined yet — you're first in line when one does"
MENTORS_ALL_RECENT = "every available mentor was paired with you recently — you're first in line next round"
MENTORS_NO_TOPIC = "no mentor in this round shares your topics — you're first in line next round"
MENTORS_BLOCKED = "none of this round's mentors can be paired with you — you're first in line next round"
MENTORS_FULL = "every mentor who fits you is at full capacity this round — you're first in line next round"


# ---------------------------------------------------------------- mentors -> mentees


def _assign(n: int, edges: tuple[np.ndarray, np.ndarray, np.ndarray], capacity: np.ndarray,
            bonus: np.ndarray) -> np.ndarray:
    """Placement-first assignment of rows to mentor slots on the candidate graph: the most
    rows placed, then the best score + priority bonus among those; -1 = unassigned.

    When every row or every slot can be filled, the most placed is known (all of them) and
    the solve is plain min-cost full matching on the slots. Otherwise each row also gets a
    private "unassigned" column whose cost exceeds any real slot by more than the whole
    secondary objective can gain (rows x (1 + max bonus)), so one more placement always
    wins over any amount of score."""
    rows, mentor, score = edges
    slot_start = np.concatenate(([0], np.cumsum(capacity)[:-1]))
    n_slots = int(capacity.sum())
    gain = score + bonus[rows]
    reps = capacity[mentor]
    first = np.repeat(np.cumsum(reps) - reps, reps)
    slot = slot_start[np.repeat(mentor, reps)] + (np.arange(int(reps.sum())) - first)
    top = float(gain.max(initial=0.0)) + 1.0  # real costs in [1, top]: explicit zeros would be no edge
    cost, slot_rows = top - np.repeat(gain, reps), np.repeat(rows, reps)
    try:  # scipy checks first (Hopcroft-Karp) that a full matching exists, so a failure is cheap
        # One empty column when rows == slots: scipy's LAPJVsp skips its initial reduction
        # on rectangular input, which on these tight rounds is faster (10k: 1.83 -> 1.57 s CPU).
        matrix = csr_matrix((cost, (slot_rows, slot)), shape=(n, n_slots + (n == n_slots)))
        row_ind, col_ind = min_weight_full_bipartite_matching(matrix)
    except ValueError:
        unassigned = top + n * (1.0 + float(bonus.max(initial=0.0))) + 1.0
        matrix = csr_matrix((np.concatenate((cost, np.full(n, unassigned))),
                             (np.concatenate((slot_rows, np.arange(n))), np.concatenate((slot, n_slots + np.arange(n))))),
                            shape=(n, n_slots + n))
        row_ind, col_ind = min_weight_full_bipartite_matching(matrix)
    slot_owner = np.repeat(np.arange(len(capacity)), capacity)
    assigned = np.full(n, -1, np.int64)
    real = col_ind < n_slots
    assigned[row_ind[real]] = slot_owner[col_ind[real]]
    return assigned


def _capacity_dual_bound(cand: CandidateLists, capacity: np.ndarray, achieved: float, scorer: PairScorer, steps: int = 300) -> float:
    """Lagrangian upper bound on the best total score (see module docstring).

    Mentor prices come from Polyak subgradient steps on the candidate lists; the bound is
    then evaluated at the best prices over *all* mentors: on the kept float32 score matrix,
    or by rescoring block by block when that matrix was too big to keep."""
    score = cand.score
    col = np.where(cand.mentor >= 0, cand.mentor, 0)
    rows = np.arange(score.shape[0])
    prices = best_prices = np.zeros(len(capacity))
    best, scale, stalled = np.inf, 1.0, 0
    for _ in range(steps):
        reduced = score - prices[col]
        pick = reduced.argmax(axis=1)
        listed = reduced[rows, pick]
        bound = np.maximum(0.0, listed).sum() + float(capacity @ prices)
        if bound < best - 1e-9:
            best, best_prices, stalled = bound, prices, 0
        else:
            stalled += 1
            if stalled >= 5:
                scale, stalled = scale / 2, 0
        demand = np.bincount(col[rows, pick][listed > 0], minlength=len(capacity))
        gradient = capacity - demand
        gradient[(prices <= 0) & (gradient > 0)] = 0  # prices cannot go below zero
        norm = float(gradient @ gradient)
        if norm == 0 or bound - achieved <= 1e-9:
            break
        prices = np.maximum(0.0, prices - scale * (bound - achieved) / norm * gradient)
    return _bound_at(cand, capacity, best_prices, scorer)


def _bound_at(cand: CandidateLists, capacity: np.ndarray, prices: np.ndarray, scorer: PairScorer) -> float:
    """sum_i max(0, max_j s_ij - price_j) + sum_j capacity_j * price_j, over all mentors."""
    if cand.dense is not None:
        p32 = prices.astype(np.float32)
        best = np.concatenate([(cand.dense[lo:lo + 2048] - p32).max(axis=1) for lo in range(0, len(cand.dense), 2048)])
        slack = 1e-6 * len(best)  # float32 rounding must not push the bound below the truth
        return float(np.maximum(0.0, best.astype(np.float64)).sum() + capacity @ prices + slack)
    if np.isfinite(cand.rest).any():  # lists were cut at k: rescore every block at these prices
        best = np.concatenate([(scorer.block(lo, min(lo + CHUNK_ROWS, len(cand.rest))).score - prices).max(axis=1)
                               for lo in range(0, len(cand.rest), CHUNK_ROWS)])
    else:
        best = (cand.score - prices[np.where(cand.mentor >= 0, cand.mentor, 0)]).max(axis=1)
    return float(np.maximum(0.0, best).sum() + capacity @ prices)


def _mentee_reason(cand: CandidateLists, i: int) -> str:
    if cand.allowed[i] > 0:
        return MENTORS_FULL
    if cand.no_topic[i] > 0:
        return MENTORS_NO_TOPIC
    return MENTORS_ALL_RECENT if cand.recent[i] > 0 else MENTORS_BLOCKED


def match_mentors(
    mentors: Sequence[Candidate], mentees: Sequence[Candidate], rules: MatchRules | None = None,
    *, seed: int = 0, k: int = DEFAULT_K, exact_pairs_limit: int = EXACT_PAIRS_LIMIT,
) -> MatchResult:
    """Assign mentees to mentors, at most `capacity` mentees each, maximising total score.

    Every mentor is considered when mentees x mentors <= exact_pairs_limit (exact result);
    beyond that only each mentee's k best mentors."""
    rules = rules or MatchRules()
    check_unique_members([*mentors, *mentees])
    if not mentees:
        return MatchResult([], [], 0.0, "empty")
    if not mentors:
        return MatchResult([], [Unmatched(m.member_id, NO_MENTORS) for m in mentees], 0.0, "empty")
    rng = np.random.default_rng(seed)
    rows = [mentees[i] for i in rng.permutation(len(mentees))]
    cols = [mentors[j] for j in rng.permutation(len(mentors))]
    scorer = PairScorer(rows, cols, rules)
    cand = top_candidates(scorer, k, exact_pairs_limit, seed=seed)
    capacity = np.array([m.capacity for m in cols], np.int64)
    bonus = np.array([rules.priority_bonus if m.member_id in rules.priority else 0.0 for m in rows])
    edges = cand.edges()
    assigned = _assign(len(rows), edges, capacity, bonus)
    if not cand.complete:  # the candidate graph may lack a maximum placement: prove or repair
        assigned, added = augment_to_maximum(scorer, assigned, capacity, cand.allowed > 0)
        if added:  # re-optimise the score with the repaired pairs in the graph
            placed = np.flatnonzero(assigned >= 0)
            kept, _ = scorer.pairs(placed, assigned[placed])
            edges = unique_edges(np.concatenate((edges[0], placed)), np.concatenate((edges[1], assigned[placed])),
                                 np.concatenate((edges[2], kept)), len(rows))
            assigned = _assign(len(rows), edges, capacity, bonus)

    matched = np.flatnonzero(assigned >= 0)
    scores, hours = scorer.pairs(matched, assigned[matched])
    groups = [  # plain Python numbers: numpy scalars cost ~1 µs each here, 10,000 times
        Group((cols[j].member_id, rows[i].member_id), s, rows[i].topics & cols[j].topics, h)
        for i, j, s, h in zip(matched.tolist(), assigned[matched].tolist(), scores.tolist(), hours.tolist())
        if math.isfinite(s)
    ]
    placed = {g.members[1] for g in groups}
    unmatched = [Unmatched(m.member_id, _mentee_reason(cand, i)) for i, m in enumerate(rows) if m.member_id not in placed]
    total = float(sum(g.score for g in groups))
    if cand.complete and not rules.priority:
        bound, method = total, "exact placement-first assignment (LAPJVsp)"
    else:
        each_best = float(np.maximum(0.0, cand.best).sum())  # nobody scores above their best mentor
        bound = min(each_best, _capacity_dual_bound(cand, capacity, total, scorer))
        method = (f"placement-first sparse assignment (LAPJVsp) on each mentee's {cand.mentor.shape[1]} and each "
                  "mentor's best partners, maximum placement proven by augmenting-path search")
    return MatchResult(sorted(groups, key=lambda g: g.members), sorted(unmatched, key=lambda u: u.member_id), bound, method)


# ---------------------------------------------------------------- peers


from cogs.mentors.peers import (  # noqa: E402  (re-exported: one import site for callers)
    PEER_ALONE, PEER_BLOCK, PEERS_ALL_RECENT, PEERS_BLOCKED, PEERS_TAKEN, match_peers,
)
