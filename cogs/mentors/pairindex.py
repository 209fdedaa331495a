"""Forbidden or special member pairs (recent, avoided, met long ago) as matrix positions.

A round's score matrix is rows x cols; these pairs are few, so they are kept as sorted
(row, col) index arrays and applied to each block of rows by position, never as a mask of
the whole matrix.
"""
from __future__ import annotations

from collections.abc import Set as AbstractSet

import numpy as np

Pair = frozenset[int]


class PairIndex:
    """Member-id pairs turned into (row, col) positions, sorted by row for block lookups."""

    def __init__(self, pairs: AbstractSet[Pair], row_pos: dict[int, int], col_pos: dict[int, int]) -> None:
        rows: list[int] = []
        cols: list[int] = []
        for pair in pairs:
            if len(pair) != 2:
                continue
            x, y = tuple(pair)
            for a, b in ((x, y), (y, x)):
                if a in row_pos and b in col_pos:
                    rows.append(row_pos[a])
                    cols.append(col_pos[b])
        order = np.argsort(np.array(rows, dtype=np.int64), kind="stable")
        self.rows = np.array(rows, dtype=np.int64)[order]
        self.cols = np.array(cols, dtype=np.int64)[order]
        self._width = max(len(col_pos), 1)
        self._keys = np.sort(self.rows * self._width + self.cols)

    def contains(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return np.isin(np.asarray(i, dtype=np.int64) * self._width + np.asarray(j, dtype=np.int64), self._keys)

    def mask_rows(self, rows: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        out = np.zeros(shape, dtype=bool)
        order = np.argsort(rows, kind="stable")
        sorted_rows = rows[order]
        hit = np.isin(self.rows, sorted_rows)
        where = order[np.searchsorted(sorted_rows, self.rows[hit])]
        out[where, self.cols[hit]] = True
        return out

    def positions(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """(row - start, col) of the pairs whose row lies in [start, stop)."""
        lo, hi = np.searchsorted(self.rows, [start, stop])
        return self.rows[lo:hi] - start, self.cols[lo:hi]
