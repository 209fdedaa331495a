"""Peer rounds: pairs, plus one group of three when the count is odd (see matching.py's docstring)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from cogs.mentors.blossom import maximum_cardinality
from cogs.mentors.scoring import (
    CHUNK_ROWS, Candidate, Group, MatchResult, MatchRules, PairScorer, Unmatched,
    check_unique_members, utc_offset_seconds,
)

_EPS = 1e-7  # prefer matching someone over leaving them out when the score is zero
PEER_BLOCK = 2_000
EXHAUSTIVE_TRIPLE = 25  # up to this many peers, every member is tried as the third of the triple
PEER_ALONE = "you're the only peer who joined this round — you're first in line next round"
PEERS_ALL_RECENT = "everyone who joined this round was paired with you recently — you're first in line next round"
PEERS_BLOCKED = "nobody who joined this round can be paired with you — you're first in line next round"
PEERS_TAKEN = "the peers you could meet were all paired up this round — you're first in line next round"


def _pairs_from_cycles(perm: np.ndarray, weight: np.ndarray) -> list[tuple[int, int]]:
    """Best alternating edges of each cycle of an assignment (a max-weight cycle cover)."""
    seen = np.zeros(len(perm), bool)
    pairs: list[tuple[int, int]] = []
    for start in range(len(perm)):
        cycle = []
        x = start
        while not seen[x]:
            seen[x] = True
            cycle.append(x)
            x = perm[x]
        if len(cycle) < 2:
            continue
        c = np.array(cycle)
        w = weight[c, np.roll(c, -1)]  # w[t] is the edge c[t] -> c[t+1]
        length = len(c)
        offsets = range(length) if length % 2 else range(2)
        best = max(offsets, key=lambda r: w[(r + 2 * np.arange(length // 2)) % length].sum())
        pairs.extend((int(c[e]), int(c[(e + 1) % length])) for e in (best + 2 * np.arange(length // 2)) % length)
    return pairs


def _greedy_pairs(members: np.ndarray, weight: np.ndarray, allowed: np.ndarray) -> list[tuple[int, int]]:
    sub = weight[np.ix_(members, members)]
    a, b = np.triu_indices(len(members), 1)
    ok = allowed[members[a], members[b]]
    a, b = a[ok], b[ok]
    taken: set[int] = set()
    pairs = []
    for t in np.argsort(-sub[a, b], kind="stable"):
        x, y = int(members[a[t]]), int(members[b[t]])
        if x not in taken and y not in taken:
            taken.update((x, y))
            pairs.append((x, y))
    return pairs


def _two_opt(pairs: np.ndarray, weight: np.ndarray, rounds: int = 40) -> np.ndarray:
    """Swap partners between two pairs while that raises the total."""
    for _ in range(rounds):
        a, b = pairs[:, 0], pairs[:, 1]
        current = weight[a, b]
        found = []
        for lo in range(0, len(pairs), 256):
            p = np.arange(lo, min(lo + 256, len(pairs)))[:, None]
            straight = weight[a[p], a[None, :]] + weight[b[p], b[None, :]]
            crossed = weight[a[p], b[None, :]] + weight[b[p], a[None, :]]
            gain = np.maximum(straight, crossed) - current[p] - current[None, :]
            gain[np.arange(len(pairs))[None, :] <= p] = 0
            pi, qi = np.nonzero(gain > 1e-12)
            found.extend(zip(gain[pi, qi], pi + lo, qi, straight[pi, qi] >= crossed[pi, qi]))
        if not found:
            break
        touched: set[int] = set()
        for _gain, p, q, use_straight in sorted(found, key=lambda f: -f[0]):
            if p in touched or q in touched:
                continue
            touched.update((p, q))
            (w, x), (y, z) = pairs[p], pairs[q]
            pairs[p], pairs[q] = ((w, y), (x, z)) if use_straight else ((w, z), (x, y))
    return pairs


def _bipartite_moves(pairs: np.ndarray, weight: np.ndarray, rng: np.random.Generator, rounds: int | None = None,
                     loose: np.ndarray | None = None) -> np.ndarray:
    """Large-neighbourhood search: orient every pair left/right at random and re-pair all
    lefts with all rights optimally (linear_sum_assignment). The current pairing is one
    of the candidates, so no round makes it worse; different orientations explore
    different exponentially large neighbourhoods; the one orienting every alternating cycle
    between this pairing and the best one consistently holds the best one. Small rounds
    afford many orientations (each solve is tiny): 12 rounds at 2,000 peers, up to 400
    below 10. Stops after a third of the rounds (at least 4) without gain. Unpaired
    members (`loose`) join the rights, so a left may take one of them instead: the same
    number of pairs, but who is left over can change (an even alternating path)."""
    if len(pairs) < 2:
        return pairs
    rounds = rounds or max(12, min(400, 4_000 // len(pairs)))
    total, stalled = float(weight[pairs[:, 0], pairs[:, 1]].sum()), 0
    sparse = (weight > 0).mean() < 0.5
    for turn in range(rounds):
        flip = _guided_flip(pairs, weight, rng) if sparse and turn % 2 else rng.random(len(pairs)) < 0.5
        left = np.where(flip, pairs[:, 0], pairs[:, 1])
        right = np.where(flip, pairs[:, 1], pairs[:, 0])
        if loose is not None and len(loose):
            right = np.concatenate((right, loose))
        r, c = linear_sum_assignment(weight[np.ix_(left, right)], maximize=True)
        new_total = float(weight[left[r], right[c]].sum())
        if new_total > total + 1e-9:
            pairs, total, stalled = np.stack((left[r], right[c]), axis=1), new_total, 0
            if loose is not None and len(loose):
                loose = np.setdiff1d(right, pairs.ravel())
        else:
            stalled += 1
            if stalled >= max(4, rounds // 3):
                break
    return pairs


def _guided_flip(pairs: np.ndarray, weight: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An orientation for _bipartite_moves that puts the two ends of allowed pairs on
    opposite sides, spreading along a random search of the allowed graph. Where few pairs
    are allowed a random orientation rarely lines up a whole alternating cycle; this one
    does for every cycle the search tree follows. flip[p]: pairs[p, 0] is on the left."""
    owner = np.full(len(weight), -1, np.int64)
    owner[pairs[:, 0]] = owner[pairs[:, 1]] = np.arange(len(pairs))
    flip = rng.random(len(pairs)) < 0.5
    done = np.zeros(len(pairs), bool)
    for start in rng.permutation(len(pairs)):
        if done[start]:
            continue
        done[start], stack = True, [int(start)]
        while stack:
            p = stack.pop()
            for u in pairs[p]:
                u_left = (u == pairs[p, 0]) == flip[p]
                for v in rng.permutation(np.flatnonzero((weight[u] > 0) & (owner >= 0))):
                    q = int(owner[v])
                    if not done[q]:
                        done[q] = True
                        flip[q] = (v == pairs[q, 0]) == (not u_left)
                        stack.append(q)
    return flip


def _pair_up(weight: np.ndarray, allowed: np.ndarray, rng: np.random.Generator,
             perm: np.ndarray | None = None) -> np.ndarray:
    """As many pairs as the allowed graph has room for (blossom), then the best weight found."""
    n = len(weight)
    if perm is None:
        _, perm = linear_sum_assignment(weight, maximize=True)
    pairs = [(a, b) for a, b in _pairs_from_cycles(perm, weight) if allowed[a, b]]
    placed = {x for pair in pairs for x in pair}
    pairs += _greedy_pairs(np.array([x for x in range(n) if x not in placed], np.int64), weight, allowed)
    mate = np.full(n, -1, np.int64)
    for a, b in pairs:
        mate[a], mate[b] = b, a
    mate = maximum_cardinality(allowed, mate)
    found = np.array([(i, mate[i]) for i in range(n) if mate[i] > i], np.int64).reshape(-1, 2)
    loose = np.flatnonzero(mate < 0)
    return _two_opt(_bipartite_moves(_two_opt(found, weight), weight, rng, loose=loose), weight)  # keeps the count


Groups = list[tuple[int, ...]]


def _value(group: tuple[int, ...], weight: np.ndarray) -> float:
    i, j = np.triu_indices(len(group), 1)
    idx = np.array(group)
    return float(weight[idx[i], idx[j]].mean())


def _placed_then_value(groups: Groups, weight: np.ndarray) -> tuple[int, float]:
    return sum(len(g) for g in groups), sum(_value(g, weight) for g in groups)


def _one_triple(pairs: np.ndarray, weight: np.ndarray, allowed: np.ndarray, rng: np.random.Generator) -> Groups:
    """Pairs plus at most one group of three, placing a member the pairs leave out.

    Small rounds try every member as the third (re-pairing the others each time); bigger
    ones put the best loose member into the best pair, then move the triple around."""
    n = len(weight)
    groups: Groups = [(int(a), int(b)) for a, b in pairs]
    loose = sorted(set(range(n)) - {x for g in groups for x in g})
    if not loose or not groups:
        return groups
    best = _add_triple(groups, loose, weight, allowed)
    if n > EXHAUSTIVE_TRIPLE:
        return _move_triple(best, weight, allowed)
    for x in range(n):
        rest = np.array([y for y in range(n) if y != x])
        sub = rest[_pair_up(weight[np.ix_(rest, rest)], allowed[np.ix_(rest, rest)], rng)]
        if len(sub):
            tried = _add_triple([(int(a), int(b)) for a, b in sub], [x], weight, allowed)
            best = max(best, tried, key=lambda g: _placed_then_value(g, weight))
    return best


def _add_triple(groups: Groups, loose: list[int], weight: np.ndarray, allowed: np.ndarray) -> Groups:
    """Put one loose member into the pair where the total drops least (mean of 3 pair scores)."""
    a, b = np.array(groups).T
    best: tuple[float, int, int] | None = None
    for x in loose:
        ok = allowed[x, a] & allowed[x, b]
        change = np.where(ok, (weight[x, a] + weight[x, b] + weight[a, b]) / 3 - weight[a, b], -np.inf)
        p = int(change.argmax())
        if np.isfinite(change[p]) and (best is None or change[p] > best[0]):
            best = (float(change[p]), x, p)
    if best is None:
        return list(groups)
    _, x, p = best
    return [(*g, x) if i == p else g for i, g in enumerate(groups)]


def _move_triple(groups: Groups, weight: np.ndarray, allowed: np.ndarray, rounds: int = 20) -> Groups:
    """Let one member of the triple leave for another pair while the total rises."""
    for _ in range(rounds):
        t = next((i for i, g in enumerate(groups) if len(g) == 3), None)
        if t is None or len(groups) < 2:
            return groups
        triple, others = groups[t], np.array([g for i, g in enumerate(groups) if i != t])
        c, d = others[:, 0], others[:, 1]
        best_gain, best_move = 1e-12, None
        for r in triple:
            x, y = (m for m in triple if m != r)
            if not allowed[x, y]:
                continue
            gain = weight[x, y] + (weight[r, c] + weight[r, d] + weight[c, d]) / 3 - weight[c, d] - _value(triple, weight)
            gain = np.where(allowed[r, c] & allowed[r, d], gain, -np.inf)
            p = int(gain.argmax())
            if gain[p] > best_gain:
                best_gain, best_move = float(gain[p]), ((x, y), (int(c[p]), int(d[p]), r), p)
        if best_move is None:
            return groups
        pair, new_triple, p = best_move
        rest: Groups = [(int(a), int(b)) for a, b in others]
        rest[p] = new_triple
        groups = [pair, *rest]
    return groups


def _match_peer_block(peers: list[Candidate], rules: MatchRules, rng: np.random.Generator) -> tuple[list[Group], list[Unmatched], float]:
    n = len(peers)
    scorer = PairScorer(peers, peers, rules)
    score = np.empty((n, n))
    recent = np.zeros(n, np.int64)
    for start in range(0, n, CHUNK_ROWS):
        block = scorer.block(start, min(start + CHUNK_ROWS, n))
        score[start:start + CHUNK_ROWS] = block.score
        recent[start:start + CHUNK_ROWS] = block.reason_counts()[1]
    np.fill_diagonal(score, -np.inf)
    allowed = np.isfinite(score)
    priority = np.array([rules.priority_bonus if p.member_id in rules.priority else 0.0 for p in peers])
    forbidden_weight = -4.0 * (n + 10) * (1.0 + rules.priority_bonus)  # worse than any all-allowed pairing
    weight = np.where(allowed, score + priority[:, None] + priority[None, :] + _EPS, forbidden_weight)
    np.fill_diagonal(weight, 0.0)  # i -> i means "unmatched": keeps the relaxation a valid bound
    _, perm = linear_sum_assignment(weight, maximize=True)
    bound = float(weight[np.arange(n), perm].sum()) / 2
    if rules.priority:
        pure = np.where(allowed, score, forbidden_weight)
        np.fill_diagonal(pure, 0.0)
        _, pure_perm = linear_sum_assignment(pure, maximize=True)
        bound = float(pure[np.arange(n), pure_perm].sum()) / 2
    groups_idx = _one_triple(_pair_up(weight, allowed, rng, perm), weight, allowed, rng)
    if not all(allowed[a, b] for g in groups_idx for a, b in itertools.combinations(g, 2)):
        raise AssertionError("a forbidden pair reached a peer group")  # never happens; never trust it
    placed = {x for g in groups_idx for x in g}
    groups = [_peer_group(g, peers, score, scorer) for g in groups_idx]
    unmatched = [Unmatched(peers[x].member_id, _peer_reason(x, n, allowed, recent)) for x in range(n) if x not in placed]
    return groups, unmatched, bound


def _peer_group(members: tuple[int, ...], peers: list[Candidate], score: np.ndarray, scorer: PairScorer) -> Group:
    i, j = np.triu_indices(len(members), 1)
    idx = np.array(members)
    hours = scorer.overlap_hours(idx[i], idx[j])
    topics = frozenset.intersection(*(peers[x].topics for x in members))
    return Group(tuple(peers[x].member_id for x in members), float(score[idx[i], idx[j]].mean()), topics, float(hours.min()))


def _peer_reason(x: int, n: int, allowed: np.ndarray, recent: np.ndarray) -> str:
    if n == 1:
        return PEER_ALONE
    if allowed[x].any():
        return PEERS_TAKEN
    return PEERS_ALL_RECENT if recent[x] > 0 else PEERS_BLOCKED


def match_peers(peers: Sequence[Candidate], rules: MatchRules | None = None, *, seed: int = 0) -> MatchResult:
    """Pair peers (one group of three when needed), maximising the total group score."""
    rules = rules or MatchRules()
    check_unique_members(peers)
    if len(peers) < 2:
        return MatchResult([], [Unmatched(p.member_id, PEER_ALONE) for p in peers], 0.0, "empty")
    rng = np.random.default_rng(seed)
    shuffled = [peers[i] for i in rng.permutation(len(peers))]
    if len(shuffled) <= PEER_BLOCK:
        groups, unmatched, bound = _match_peer_block(shuffled, rules, rng)
        method: str = "cycle-cover relaxation (linear_sum_assignment) + 2-opt"
        upper: float | None = bound
    else:
        groups, unmatched, upper = [], [], None
        method = f"blocks of {PEER_BLOCK} by time zone, cycle cover + 2-opt each"
        on = rules.reference_date()
        shuffled.sort(key=lambda p: (utc_offset_seconds(p.tz, on), sorted(p.topics)))
        n_blocks = -(-len(shuffled) // PEER_BLOCK)
        size = 2 * (len(shuffled) // (2 * n_blocks))  # even blocks; the last takes the odd one out
        for b in range(n_blocks):
            g, u, _ = _match_peer_block(shuffled[b * size:(b + 1) * size if b < n_blocks - 1 else None], rules, rng)
            groups += g
            unmatched += u
    return MatchResult(sorted(groups, key=lambda g: g.members), sorted(unmatched, key=lambda u: u.member_id), upper, method)
