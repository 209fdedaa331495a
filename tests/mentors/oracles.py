"""Independent answers for the matching oracle tests: code nobody on the matching side wrote.

- Mentor rounds: scipy's dense `linear_sum_assignment` on the mentee x mentor-slot matrix
  (each mentor expanded into `capacity` identical slots, plus one private "nobody" column
  per mentee). Forbidden pairs are infeasible (+inf cost). Each placement is worth PLACED
  on top of its score, PLACED larger than any total score, so the oracle maximises the
  number placed first and the score second: the placement-first optimum.
- Peer rounds: networkx's blossom `max_weight_matching` (maxcardinality=True for the most
  pairs, then the best weight among them), and for small odd rounds every possible group
  of three tried on top of it.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment

from cogs.mentors.scoring import Candidate, MatchRules, PairScorer


@dataclass(frozen=True)
class Optimum:
    placed: int  # people placed (mentees for mentor rounds, all members for peer rounds)
    score: float  # best total score among the assignments placing that many


def score_matrix(rows: list[Candidate], cols: list[Candidate], rules: MatchRules) -> np.ndarray:
    """Pair scores with -inf where a pair is forbidden (recent, avoided, no shared topic if required)."""
    return PairScorer(rows, cols, rules).block(0, len(rows)).score


def mentor_optimum(mentors: list[Candidate], mentees: list[Candidate], rules: MatchRules) -> Optimum:
    score = score_matrix(mentees, mentors, rules)
    n = len(mentees)
    placed_value = float(n + 1)  # more than any total score: one more placement always wins
    slots = np.repeat(score, [m.capacity for m in mentors], axis=1)
    slot_owner = np.repeat(np.arange(len(mentors)), [m.capacity for m in mentors])
    nobody = np.full((n, n), np.inf)
    np.fill_diagonal(nobody, 0.0)
    cost = np.hstack((np.where(np.isfinite(slots), -(placed_value + slots), np.inf), nobody))
    rows, cols = linear_sum_assignment(cost)
    real = cols < slots.shape[1]
    picked = score[rows[real], slot_owner[cols[real]]]
    assert np.isfinite(picked).all(), "the oracle itself must never use a forbidden pair"
    return Optimum(int(real.sum()), float(picked.sum()))


def peer_graph(peers: list[Candidate], rules: MatchRules) -> tuple[nx.Graph, np.ndarray]:
    score = score_matrix(peers, peers, rules)
    graph = nx.Graph()
    graph.add_nodes_from(range(len(peers)))
    a, b = np.triu_indices(len(peers), 1)
    ok = np.isfinite(score[a, b])
    graph.add_weighted_edges_from(zip(a[ok].tolist(), b[ok].tolist(), score[a, b][ok].tolist()))
    return graph, score


def _pairs_optimum(graph: nx.Graph, score: np.ndarray) -> Optimum:
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    return Optimum(2 * len(matching), float(sum(score[a, b] for a, b in matching)))


def peer_pairs_optimum(peers: list[Candidate], rules: MatchRules) -> Optimum:
    """Pairs only (no group of three): the most people in pairs, then the best total."""
    graph, score = peer_graph(peers, rules)
    return _pairs_optimum(graph, score)


def peer_optimum_with_one_triple(peers: list[Candidate], rules: MatchRules) -> Optimum:
    """Pairs plus at most one group of three (scored as the mean of its three pair scores):
    every allowed triple is tried, the rest paired by the blossom oracle. Small rounds only."""
    graph, score = peer_graph(peers, rules)
    best = _pairs_optimum(graph, score)
    for triple in itertools.combinations(range(len(peers)), 3):
        if not all(graph.has_edge(x, y) for x, y in itertools.combinations(triple, 2)):
            continue
        rest = _pairs_optimum(graph.subgraph(set(graph) - set(triple)), score)
        value = float(np.mean([score[x, y] for x, y in itertools.combinations(triple, 2)]))
        candidate = Optimum(rest.placed + 3, rest.score + value)
        if (candidate.placed, candidate.score) > (best.placed, best.score):
            best = candidate
    return best
