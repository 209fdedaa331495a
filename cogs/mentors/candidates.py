"""Which mentor-mentee pairs the assignment solver looks at (the sparse candidate graph).

Scoring every pair is cheap (block-wise numpy); solving on all of them is not. So each
mentee keeps its k best allowed mentors, and - so that a mentor every mentee ranks
second still gets mentees, and a crowd of equally good mentors is not cut down to the
same k - each mentor also keeps its `mentor_side` best mentees (twice its capacity or 2k,
whichever is more). Equal scores are ranked
by a seeded random jitter far below any real score difference (1e-9), so ties spread
over all tied mentors instead of collapsing onto the first k of them (a one-topic,
one-zone cohort is nothing but ties). Nothing here decides who is placed: the graph only
has to contain a maximum placement, which `placement.augment_to_maximum` then proves or
repairs on the full graph.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cogs.mentors.scoring import CHUNK_ROWS, PairScorer

KEEP_SCORES_LIMIT = 30_000_000  # float32 row x col scores kept for bounds (<= 120 MB)
TIE_JITTER = 1e-9  # real score differences are >= ~1e-4 (15-minute zone steps, topic fractions)


@dataclass
class CandidateLists:
    """Per mentee (row): its best allowed mentors and why others were not allowed."""

    mentor: np.ndarray  # (n, K) mentor column, -1 where none
    score: np.ndarray  # (n, K) pure score, -inf where none
    rest: np.ndarray  # (n,) no unlisted mentor scores above this
    allowed: np.ndarray  # (n,) number of allowed mentors
    recent: np.ndarray  # (n,) mentors blocked only because they met recently
    no_topic: np.ndarray  # (n,) mentors blocked only for sharing no topic
    best: np.ndarray  # (n,) best allowed score over all mentors (-inf when none)
    dense: np.ndarray | None = None  # (n, m) float32 scores, kept for the bound when small enough
    side_row: np.ndarray | None = None  # mentor-side edges (mentee index, mentor index, score)
    side_col: np.ndarray | None = None
    side_score: np.ndarray | None = None

    @property
    def complete(self) -> bool:
        """Every mentor is on every list: the solve on this graph is exact."""
        return self.side_row is None

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All candidate pairs once: (mentee index, mentor index, score)."""
        valid = self.mentor >= 0
        rows = np.broadcast_to(np.arange(self.mentor.shape[0])[:, None], valid.shape)[valid]
        cols, scores = self.mentor[valid], self.score[valid]
        if self.side_row is None or self.side_col is None or self.side_score is None:
            return rows, cols, scores
        return unique_edges(np.concatenate((rows, self.side_row)), np.concatenate((cols, self.side_col)),
                            np.concatenate((scores, self.side_score)), len(self.best))


def unique_edges(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    _, first = np.unique(cols.astype(np.int64) * n_rows + rows, return_index=True)
    return rows[first], cols[first], scores[first]


def top_candidates(scorer: PairScorer, k: int, exact_pairs_limit: int, *, mentor_side: int | None = None,
                   seed: int = 0) -> CandidateLists:
    """Each row's k best allowed columns and each column's `mentor_side` best rows; all
    columns when rows x cols <= exact_pairs_limit."""
    n, m = len(scorer.rows), len(scorer.cols)
    complete = n * m <= exact_pairs_limit or k >= m
    keep = m if complete else k
    most = int(max((c.capacity for c in scorer.cols), default=1))
    side = min(n, mentor_side if mentor_side is not None else max(2 * k, 2 * most))
    rng = np.random.default_rng(seed)
    out = CandidateLists(
        np.full((n, keep), -1, np.int64), np.full((n, keep), -np.inf), np.full(n, -np.inf),
        np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64), np.full(n, -np.inf),
        np.empty((n, m), np.float32) if not complete and n * m <= KEEP_SCORES_LIMIT else None,
    )
    per_mentor = _BestRowsPerColumn(m, side)
    for start in range(0, n, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, n)
        block = scorer.block(start, stop)
        s = block.score
        if out.dense is not None:
            out.dense[start:stop] = s
        out.allowed[start:stop], out.recent[start:stop], out.no_topic[start:stop] = block.reason_counts()
        out.best[start:stop] = s.max(axis=1, initial=-np.inf)
        if complete:
            top = np.broadcast_to(np.arange(m), (stop - start, m))
        else:
            rank = s + TIE_JITTER * rng.random(s.shape, dtype=np.float32)
            part = np.argpartition(-rank, keep, axis=1)
            out.rest[start:stop] = np.take_along_axis(s, part[:, keep:keep + 1], axis=1)[:, 0]
            top = part[:, :keep]
            per_mentor.add(rank, s, start)
        top_scores = np.take_along_axis(s, top, axis=1)
        out.mentor[start:stop] = np.where(np.isfinite(top_scores), top, -1)
        out.score[start:stop] = top_scores
    if not complete:
        out.side_row, out.side_col, out.side_score = per_mentor.edges()
    return out


class _BestRowsPerColumn:
    """Each column's `keep` best rows over row blocks seen one at a time.

    Kept as (cols, keep) arrays; a column's keep-th best rank so far is its threshold, and
    only a block's entries above it are merged in (one argpartition over the touched
    columns). With rows in random order few entries pass once the first blocks are in,
    so this costs about one comparison per pair."""

    def __init__(self, m: int, keep: int) -> None:
        self.keep = max(1, keep)
        self.rank = np.full((m, self.keep), -np.inf)
        self.row = np.full((m, self.keep), -1, np.int64)
        self.score = np.full((m, self.keep), -np.inf)
        self.threshold = np.full(m, -np.inf)
        self.started = False

    def add(self, rank: np.ndarray, score: np.ndarray, row_offset: int) -> None:
        if not self.started and rank.shape[0] >= self.keep:
            return self._start(rank, score, row_offset)
        self.started = True
        r, c = np.nonzero(rank > self.threshold)  # finite only: -inf > x never holds
        if not c.size:
            return
        order = np.argsort(c, kind="stable")
        r, c = r[order], c[order]
        cols, first, count = np.unique(c, return_index=True, return_counts=True)
        width = self.keep + int(count.max())
        at = self.keep + np.arange(c.size) - np.repeat(first, count)  # place within the column's row
        slot = np.repeat(np.arange(cols.size), count)
        pool_rank = np.full((cols.size, width), -np.inf)
        pool_rank[:, :self.keep] = self.rank[cols]
        pool_rank[slot, at] = rank[r, c]
        pool_row = np.full((cols.size, width), -1, np.int64)
        pool_row[:, :self.keep] = self.row[cols]
        pool_row[slot, at] = r + row_offset
        pool_score = np.full((cols.size, width), -np.inf)
        pool_score[:, :self.keep] = self.score[cols]
        pool_score[slot, at] = score[r, c]
        best = np.argpartition(-pool_rank, self.keep - 1, axis=1)[:, :self.keep]
        self.rank[cols] = np.take_along_axis(pool_rank, best, axis=1)
        self.row[cols] = np.take_along_axis(pool_row, best, axis=1)
        self.score[cols] = np.take_along_axis(pool_score, best, axis=1)
        self.threshold[cols] = self.rank[cols].min(axis=1)

    def _start(self, rank: np.ndarray, score: np.ndarray, row_offset: int) -> None:
        """The first block: each column's keep best rows of it, by one argpartition."""
        by_col = np.ascontiguousarray(rank.T)
        best = np.argpartition(-by_col, self.keep - 1, axis=1)[:, :self.keep]
        self.rank = np.take_along_axis(by_col, best, axis=1)
        self.score = score[best, np.arange(best.shape[0])[:, None]]
        self.row = np.where(np.isfinite(self.rank), best + row_offset, -1)
        self.threshold = self.rank.min(axis=1)
        self.started = True

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        valid = self.row >= 0
        cols = np.broadcast_to(np.arange(self.row.shape[0])[:, None], valid.shape)[valid]
        return self.row[valid], cols, self.score[valid]
