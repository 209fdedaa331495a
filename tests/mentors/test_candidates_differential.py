"""The candidate stage's per-mentor lists against the algorithm they replaced and a brute force.

`_BestRowsPerColumn` keeps each mentor's best mentees over row blocks. The first version
buffered every entry above a stale threshold and merged with one lexsort now and then; the
current one merges each block into (mentors, keep) arrays. Both must keep, per column, the
`keep` best ranks of all rows (which of several exactly equal ranks is kept is free), on
random scores, heavy ties (one topic, one zone: every pair scores the same), forbidden
pairs (-inf) and columns with fewer allowed rows than `keep`.
"""
from __future__ import annotations

import numpy as np
import pytest

from cogs.mentors.candidates import TIE_JITTER, _BestRowsPerColumn


class _OldBestRowsPerColumn:
    """The replaced implementation, verbatim but for its name (the reference here)."""

    def __init__(self, m: int, keep: int) -> None:
        self.m, self.keep = m, max(1, keep)
        self.threshold = np.full(m, -np.inf)
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.pending = 0

    def add(self, rank: np.ndarray, score: np.ndarray, row_offset: int) -> None:
        if not self.parts and rank.shape[0] > self.keep:
            self.threshold = np.partition(rank, rank.shape[0] - self.keep, axis=0)[rank.shape[0] - self.keep]
            r, c = np.nonzero((rank >= self.threshold) & np.isfinite(rank))
        else:
            r, c = np.nonzero(rank > self.threshold)
        self.parts.append((rank[r, c], r + row_offset, c, score[r, c]))
        self.pending += len(r)
        if self.pending > 4 * self.keep * self.m:
            self._merge()

    def _merge(self) -> None:
        rank, row, col, score = (np.concatenate(a) for a in zip(*self.parts))
        order = np.lexsort((-rank, col))
        col_sorted = col[order]
        position = np.arange(len(order)) - np.searchsorted(col_sorted, col_sorted)
        full = order[position == self.keep - 1]
        self.threshold[col[full]] = rank[full]
        kept = order[position < self.keep]
        self.parts = [(rank[kept], row[kept], col[kept], score[kept])]
        self.pending = 0

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self.parts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        self._merge()
        _, row, col, score = self.parts[0]
        return row, col, score


def per_column_ranks(rank: np.ndarray, rows: np.ndarray, cols: np.ndarray, m: int) -> list[list[float]]:
    return [sorted(rank[rows[cols == j], j].tolist()) for j in range(m)]


def scores(rng: np.random.Generator, kind: str, n: int, m: int) -> np.ndarray:
    if kind == "ties":  # one topic, one zone: a single score level
        s = np.full((n, m), 0.9)
    elif kind == "levels":  # few distinct levels, as real topic/zone scores have
        s = rng.integers(0, 6, (n, m)) / 5.0
    else:
        s = rng.random((n, m))
    s[rng.random((n, m)) < 0.2] = -np.inf  # forbidden pairs
    s[:, : m // 5] = np.where(rng.random((n, m // 5)) < 0.97, -np.inf, s[:, : m // 5])  # nearly closed mentors
    return s


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("kind", ["ties", "levels", "random"])
@pytest.mark.parametrize("block", [7, 64, 300])
def test_per_mentor_lists_keep_each_columns_best_ranks(seed: int, kind: str, block: int) -> None:
    rng = np.random.default_rng(seed)
    n, m, keep = 900, 40, 12
    s = scores(rng, kind, n, m)
    rank = s + TIE_JITTER * rng.random(s.shape, dtype=np.float32)  # as the candidate stage ranks
    new, old = _BestRowsPerColumn(m, keep), _OldBestRowsPerColumn(m, keep)
    for start in range(0, n, block):
        new.add(rank[start:start + block], s[start:start + block], start)
        old.add(rank[start:start + block], s[start:start + block], start)
    rows, cols, got = new.edges()
    old_rows, old_cols, _ = old.edges()
    assert np.array_equal(got, s[rows, cols]) and np.isfinite(got).all()
    assert len(set(zip(rows.tolist(), cols.tolist()))) == len(rows)  # no pair twice
    brute = [sorted(np.sort(rank[np.isfinite(rank[:, j]), j])[::-1][:keep].tolist()) for j in range(m)]
    assert per_column_ranks(rank, rows, cols, m) == brute
    assert per_column_ranks(rank, old_rows, old_cols, m) == brute
