"""Placement first: prove that a mentor round places as many mentees as it can, or make it so.

A mentor round is a b-matching: each mentor takes up to `capacity` mentees. By the max-flow
min-cut theorem (Berge's, for matchings) an assignment places the most mentees possible
exactly when there is no augmenting path in the *full* allowed graph: a path from an
unplaced mentee to a mentor with a free place that alternates allowed-but-unused pairs
and current pairs. A breadth-first search from every unplaced mentee at once looks for
such paths, computing allowedness block-wise (PairScorer.allowed, never the whole matrix
at once); each round moves mentees along all the row-disjoint shortest paths it found.
When a search finds none the assignment is maximum: a proof, not a hope. With a good
candidate graph the first search usually finds nothing, at the cost of one pass over
the mentees it reaches.
"""
from __future__ import annotations

import numpy as np

from cogs.mentors.scoring import CHUNK_ROWS, PairScorer


def augment_to_maximum(scorer: PairScorer, assigned: np.ndarray, capacity: np.ndarray,
                       eligible: np.ndarray) -> tuple[np.ndarray, int]:
    """Grow `assigned` (row -> column, -1 = none) to a maximum placement; returns it and
    how many more rows it places. `eligible`: rows with at least one allowed column."""
    assigned = assigned.copy()
    load = np.bincount(assigned[assigned >= 0], minlength=len(capacity))
    added = 0
    while True:
        roots = np.flatnonzero((assigned < 0) & eligible)
        if roots.size == 0 or not (load < capacity).any():
            return assigned, added
        paths = _shortest_augmenting_paths(scorer, assigned, capacity - load, roots)
        if not paths:
            return assigned, added
        for path in paths:
            for row, col in path:
                assigned[row] = col
            load[path[-1][1]] += 1
        added += len(paths)


def _shortest_augmenting_paths(scorer: PairScorer, assigned: np.ndarray, free: np.ndarray,
                               roots: np.ndarray) -> list[list[tuple[int, int]]]:
    """Row-disjoint shortest augmenting paths, each as [(row, new column), ...] root first."""
    n, m = len(assigned), len(free)
    parent = np.full(m, -1, np.int64)  # the row that first reached each column
    seen_row = np.zeros(n, bool)
    seen_row[roots] = True
    frontier = roots
    while frontier.size:
        layer: list[np.ndarray] = []
        for lo in range(0, frontier.size, CHUNK_ROWS):
            chunk = frontier[lo:lo + CHUNK_ROWS]
            ok = scorer.allowed(chunk)
            ok[:, parent >= 0] = False
            cols = np.flatnonzero(ok.any(axis=0))
            parent[cols] = chunk[ok[:, cols].argmax(axis=0)]
            layer.append(cols)
        reached = np.concatenate(layer)
        open_cols = reached[free[reached] > 0]
        if open_cols.size:
            return _disjoint_paths(open_cols, parent, assigned)
        frontier = np.flatnonzero(np.isin(assigned, reached) & ~seen_row)
        seen_row[frontier] = True
    return []


def _disjoint_paths(open_cols: np.ndarray, parent: np.ndarray, assigned: np.ndarray) -> list[list[tuple[int, int]]]:
    used: set[int] = set()
    paths = []
    for col in open_cols:
        path, c = [], int(col)
        while True:
            row = int(parent[c])
            path.append((row, c))
            if assigned[row] < 0:
                break
            c = int(assigned[row])
        rows = {r for r, _ in path}
        if rows.isdisjoint(used):
            used |= rows
            paths.append(path[::-1])
    return paths
