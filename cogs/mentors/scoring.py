"""How well two members fit: plain data in, numbers out (no IO, no bot imports).

    score(a, b) = (w_topics * topics + w_timezone * timezone + w_novelty * novelty)
                  / (w_topics + w_timezone + w_novelty)                      -> [0, 1]

- topics:   |A ∩ B| / min(|A|, |B|) (0 when either side has no topics). Overlap over the
            smaller set, not Jaccard, so a mentee with one topic is fully served by a mentor
            who covers it and a mentor who knows many things is not penalised for it.
- timezone: hours both members are inside their local working hours (9-17 by default) on
            the reference date, divided by the working-day length. DST-aware via zoneinfo;
            neighbouring calendar days count too (Auckland's Tuesday morning is London's
            Monday evening).
- novelty:  1 if the two never met, 0 if they met before the no-repeat window (allowed,
            just less interesting). Pairs inside the window, and avoid-list pairs, are
            forbidden outright: the matchers never produce them.

The vectorised form (`PairScorer`) scores a block of rows against all columns at once:
topics are a sparse member x topic 0/1 matrix (intersection counts = one product with the
columns' dense topic matrix), time zones go through a small per-zone table, and the few
forbidden pairs are applied by position (pairindex.py), so 10k x 2.5k pairs take ~0.3 s.
`candidates.top_candidates` builds the sparse candidate graph from those blocks.

Also here: the result shapes a round returns (Group, Unmatched, MatchResult), so callers
can import the data model without the solvers.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence, Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from scipy import sparse

from cogs.mentors.pairindex import PairIndex

MAX_CAPACITY = 20
CHUNK_ROWS = 512  # rows scored at once: 512 x 2,500 mentors is ~10 MB per array
DENSE_TOPICS_LIMIT = 4_000_000  # topics x cols kept dense for scoring (<= 32 MB)
Pair = frozenset[int]


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name such as 'Europe/Berlin' or 'America/New_York'"
        ) from exc


@dataclass(frozen=True)
class Candidate:
    """One opted-in member. `capacity` only matters for mentors (mentees it may take)."""

    member_id: int
    topics: frozenset[str] = frozenset()
    tz: str = "UTC"
    capacity: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "topics", frozenset(t.strip().lower() for t in self.topics if t.strip()))
        _zone(self.tz)
        if not 1 <= self.capacity <= MAX_CAPACITY:
            raise ValueError(
                f"capacity for member {self.member_id} must be between 1 and {MAX_CAPACITY}, got {self.capacity}"
            )


@dataclass(frozen=True)
class ScoreWeights:
    topics: float = 0.6
    timezone: float = 0.3
    novelty: float = 0.1

    def __post_init__(self) -> None:
        if min(self.topics, self.timezone, self.novelty) < 0 or self.total <= 0:
            raise ValueError("score weights must be non-negative and not all zero")

    @property
    def total(self) -> float:
        return self.topics + self.timezone + self.novelty


@dataclass(frozen=True)
class MatchRules:
    """Everything a round needs besides the members.

    past_pairs: pairs that met, either a set (all treated as inside the no-repeat window) or
      a mapping pair -> when they met; with a mapping and `no_repeat_within`, only meetings
      on or after `on - no_repeat_within` are forbidden and older ones count as `met_ever`.
    avoid: pairs that must never be matched (either direction; a pair is a frozenset).
    met_ever: pairs that met long ago: allowed, but they lose the novelty part of the score.
    priority: member ids first in line (e.g. unmatched last round); every pair they are in
      gets `priority_bonus` added to the solver's objective (1.0 = the whole score range),
      so the solver places them before anyone else whenever it can. Reported scores and
      totals never include the bonus.
    require_shared_topic: if True, pairs without a common topic are not allowed.
    """

    past_pairs: Mapping[Pair, date | datetime] | AbstractSet[Pair] = frozenset()
    avoid: AbstractSet[Pair] = frozenset()
    met_ever: AbstractSet[Pair] = frozenset()
    no_repeat_within: timedelta | None = None
    working_hours: tuple[int, int] = (9, 17)
    weights: ScoreWeights = field(default_factory=ScoreWeights)
    on: date | None = None
    priority: AbstractSet[int] = frozenset()
    priority_bonus: float = 1.0
    require_shared_topic: bool = False

    def __post_init__(self) -> None:
        start, end = self.working_hours
        if not 0 <= start < end <= 24:
            raise ValueError(f"working_hours must be (start, end) with 0 <= start < end <= 24, got {self.working_hours}")
        if self.priority_bonus < 0:
            raise ValueError("priority_bonus must be >= 0")

    def reference_date(self) -> date:
        if self.on is None:
            return datetime.now(timezone.utc).date()
        return self.on.date() if isinstance(self.on, datetime) else self.on

    def recent_pairs(self) -> set[Pair]:
        """Pairs that met inside the no-repeat window: forbidden this round."""
        if not isinstance(self.past_pairs, Mapping) or self.no_repeat_within is None:
            return {frozenset(p) for p in self.past_pairs}
        cutoff = self.reference_date() - self.no_repeat_within
        return {frozenset(p) for p, when in self.past_pairs.items() if _as_date(when) >= cutoff}

    def met_before_window(self) -> set[Pair]:
        older = {frozenset(p) for p in self.past_pairs} - self.recent_pairs()
        return older | {frozenset(p) for p in self.met_ever}


def _as_date(when: date | datetime) -> date:
    return when.date() if isinstance(when, datetime) else when


def working_hours_overlap(tz_a: str, tz_b: str, on: date, hours: tuple[int, int] = (9, 17)) -> float:
    """Hours during which both members are inside local working hours around date `on`."""

    def window(tz: str, day: date) -> tuple[datetime, datetime]:
        zone = _zone(tz)
        start = datetime.combine(day, time(hours[0]), zone)
        end = start + timedelta(hours=hours[1] - hours[0])  # wall-clock length, DST-safe enough
        return start.astimezone(timezone.utc), end.astimezone(timezone.utc)

    a_start, a_end = window(tz_a, on)
    best = 0.0
    for shift in (-1, 0, 1):  # b's previous, same and next calendar day
        b_start, b_end = window(tz_b, on + timedelta(days=shift))
        overlap = (min(a_end, b_end) - max(a_start, b_start)).total_seconds() / 3600
        best = max(best, overlap)
    return best


def topic_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def pair_score(a: Candidate, b: Candidate, rules: MatchRules | None = None) -> float:
    """Score in [0, 1] for one pair (see module docstring). Ignores forbidden-ness."""
    rules = rules or MatchRules()
    w = rules.weights
    day_length = rules.working_hours[1] - rules.working_hours[0]
    tz = working_hours_overlap(a.tz, b.tz, rules.reference_date(), rules.working_hours) / day_length
    novelty = 0.0 if frozenset((a.member_id, b.member_id)) in rules.met_before_window() else 1.0
    return (w.topics * topic_overlap(a.topics, b.topics) + w.timezone * tz + w.novelty * novelty) / w.total


@dataclass(frozen=True)
class PairBlock:
    """Scores of a block of rows against all columns, with why some pairs are not allowed.

    The forbidden pairs are few, so they are kept as (row, col) positions; the masks are
    built only for callers that ask for them."""

    score: np.ndarray  # float64, pure score; -inf where not allowed
    recent_at: tuple[np.ndarray, np.ndarray]  # met inside the no-repeat window
    avoided_at: tuple[np.ndarray, np.ndarray]  # on an avoid list
    no_topic_mask: np.ndarray | None  # no shared topic, when rules.require_shared_topic

    @property
    def recent(self) -> np.ndarray:
        return _mask(self.score.shape, self.recent_at)

    @property
    def avoided(self) -> np.ndarray:
        return _mask(self.score.shape, self.avoided_at)

    @property
    def no_topic(self) -> np.ndarray:
        return _mask(self.score.shape, ()) if self.no_topic_mask is None else self.no_topic_mask

    def reason_counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row: allowed pairs, pairs blocked only by the no-repeat window, only for sharing no topic."""
        b, m = self.score.shape
        recent = np.unique(self.recent_at[0] * m + self.recent_at[1])
        avoided = np.unique(self.avoided_at[0] * m + self.avoided_at[1])
        blocked = np.union1d(recent, avoided)
        recent_only = np.bincount(recent[~np.isin(recent, avoided)] // m, minlength=b)
        if self.no_topic_mask is None:
            no_topic_only = np.zeros(b, np.int64)
        else:
            no_topic_only = np.count_nonzero(self.no_topic_mask, axis=1)
            no_topic_only -= np.bincount(blocked[self.no_topic_mask.ravel()[blocked]] // m, minlength=b)
        allowed = m - np.bincount(blocked // m, minlength=b) - no_topic_only
        return allowed, recent_only, no_topic_only


def _mask(shape: tuple[int, int], at: tuple[np.ndarray, ...] | tuple[()]) -> np.ndarray:
    out = np.zeros(shape, dtype=bool)
    if at:
        out[at] = True
    return out


class PairScorer:
    """Vectorised `pair_score` between two member lists (rows x cols), plus constraints."""

    def __init__(self, rows: Sequence[Candidate], cols: Sequence[Candidate], rules: MatchRules) -> None:
        self.rules = rules
        self.rows, self.cols = list(rows), list(cols)
        vocab = {t: i for i, t in enumerate(sorted({t for m in self.rows + self.cols for t in m.topics}))}
        zones = sorted({m.tz for m in self.rows + self.cols})
        zone_index = {z: i for i, z in enumerate(zones)}
        on, hours = rules.reference_date(), rules.working_hours
        day = hours[1] - hours[0]
        self.tz_table = np.array(
            [[working_hours_overlap(a, b, on, hours) / day for b in zones] for a in zones]
        )
        self.row_topics, self.row_sizes = _topic_matrix(self.rows, vocab)
        self.col_topics, self.col_sizes = _topic_matrix(self.cols, vocab)
        self.col_topics_t = self.col_topics.T.tocsr()
        small = len(vocab) * len(self.cols) <= DENSE_TOPICS_LIMIT
        self._col_topics_dense = self.col_topics_t.toarray() if small else None
        self.row_tz = np.array([zone_index[m.tz] for m in self.rows], dtype=np.intp)
        self.col_tz = np.array([zone_index[m.tz] for m in self.cols], dtype=np.intp)
        self._tz_by_col = rules.weights.timezone * self.tz_table[:, self.col_tz]  # (zones, cols), weighted
        row_pos = {m.member_id: i for i, m in enumerate(self.rows)}
        col_pos = {m.member_id: j for j, m in enumerate(self.cols)}
        self._recent = PairIndex(rules.recent_pairs(), row_pos, col_pos)
        self._avoid = PairIndex(rules.avoid, row_pos, col_pos)
        self._met = PairIndex(rules.met_before_window(), row_pos, col_pos)

    def block(self, start: int, stop: int) -> PairBlock:
        """In place, on as few rows x cols arrays as possible: these passes are what the
        candidate stage of a big round costs. Same operations in the same order as the
        formula in the module docstring, so equal pairs score bit-for-bit equal."""
        w = self.rules.weights
        rows = self.row_topics[start:stop]
        if self._col_topics_dense is not None:  # sparse rows x dense columns: a dense block at once
            inter = rows @ self._col_topics_dense
        else:
            inter = (rows @ self.col_topics_t).toarray()
        # min(|A|, |B|) is 0 only when a side has no topics, and then the overlap is 0 too: 0 / 1
        score = np.minimum(self.row_sizes[start:stop, None], self.col_sizes[None, :])
        np.maximum(score, 1.0, out=score)
        np.divide(inter, score, out=score)
        score *= w.topics
        score += np.take(self._tz_by_col, self.row_tz[start:stop], axis=0)
        score += w.novelty
        score /= w.total
        met_r, met_c = self._met.positions(start, stop)
        score[met_r, met_c] -= w.novelty / w.total
        recent, avoided = self._recent.positions(start, stop), self._avoid.positions(start, stop)
        score[recent] = -np.inf
        score[avoided] = -np.inf
        no_topic = None
        if self.rules.require_shared_topic:
            no_topic = inter == 0
            np.copyto(score, -np.inf, where=no_topic)
        return PairBlock(score, recent, avoided, no_topic)

    def allowed(self, rows: np.ndarray) -> np.ndarray:
        """(len(rows), cols) bool: which pairs of these rows (any order) may be matched."""
        rows = np.asarray(rows, dtype=np.int64)
        shape = (len(rows), len(self.cols))
        if self.rules.require_shared_topic:
            ok = (self.row_topics[rows] @ self.col_topics_t).toarray() > 0
        else:
            ok = np.ones(shape, dtype=bool)
        ok &= ~self._recent.mask_rows(rows, shape)
        ok &= ~self._avoid.mask_rows(rows, shape)
        return ok

    def overlap_hours(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        day = self.rules.working_hours[1] - self.rules.working_hours[0]
        return self.tz_table[self.row_tz[i], self.col_tz[j]] * day

    def pairs(self, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Score (-inf if not allowed) and overlap hours for the pairs (rows[i[t]], cols[j[t]])."""
        w = self.rules.weights
        inter = np.asarray(self.row_topics[i].multiply(self.col_topics[j]).sum(axis=1)).ravel()
        smaller = np.minimum(self.row_sizes[i], self.col_sizes[j])
        topics = np.divide(inter, smaller, out=np.zeros_like(inter), where=smaller > 0)
        tz = self.tz_table[self.row_tz[i], self.col_tz[j]]
        novelty = np.where(self._met.contains(i, j), 0.0, 1.0)
        score = (w.topics * topics + w.timezone * tz + w.novelty * novelty) / w.total
        blocked = self._recent.contains(i, j) | self._avoid.contains(i, j)
        if self.rules.require_shared_topic:
            blocked |= inter == 0
        day = self.rules.working_hours[1] - self.rules.working_hours[0]
        return np.where(blocked, -np.inf, score), tz * day


def _topic_matrix(members: Sequence[Candidate], vocab: dict[str, int]) -> tuple[sparse.csr_matrix, np.ndarray]:
    indptr = np.zeros(len(members) + 1, dtype=np.int64)
    indices: list[int] = []
    for i, m in enumerate(members):
        indices.extend(vocab[t] for t in m.topics)
        indptr[i + 1] = len(indices)
    data = np.ones(len(indices), dtype=np.float64)
    matrix = sparse.csr_matrix((data, np.array(indices, dtype=np.int64), indptr), shape=(len(members), max(len(vocab), 1)))
    return matrix, np.diff(indptr).astype(np.float64)


# ---------------------------------------------------------------- round results


@dataclass(frozen=True)
class Group:
    """One meeting. For mentor rounds members == (mentor_id, mentee_id)."""

    members: tuple[int, ...]
    score: float
    shared_topics: frozenset[str]
    overlap_hours: float


@dataclass(frozen=True)
class Unmatched:
    member_id: int
    reason: str


@dataclass
class MatchResult:
    groups: list[Group]
    unmatched: list[Unmatched]
    upper_bound: float | None
    method: str

    @property
    def total_score(self) -> float:
        return float(sum(g.score for g in self.groups))

    @property
    def optimality(self) -> float | None:
        """Guaranteed fraction of the optimum reached (total / upper bound)."""
        if self.upper_bound is None:
            return None
        return 1.0 if self.upper_bound <= 0 else self.total_score / self.upper_bound


def check_unique_members(members: Sequence[Candidate]) -> None:
    counts = Counter(m.member_id for m in members)
    if len(counts) != len(members):
        dupes = sorted(i for i, c in counts.items() if c > 1)
        raise ValueError(f"members may join a round only once (and in one role); repeated ids: {dupes}")


def utc_offset_seconds(tz: str, on: date) -> float:
    offset = datetime.combine(on, time(12), _zone(tz)).utcoffset()
    return offset.total_seconds() if offset else 0.0
