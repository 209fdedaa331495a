"""The vectorised scorer against the one-pair formula, and its reason counts against masks.

`PairScorer.block` is what every round (and the oracles) scores with; it is computed in
place with the forbidden pairs applied by position, so it is checked here pair by pair
against `pair_score` and the rules, on random and tie-heavy cohorts, row blocks of any size.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from cogs.mentors.scoring import Candidate, MatchRules, PairScorer, pair_score

ON = date(2026, 3, 2)
ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]
TOPICS = ["python", "sql", "git", "design", "writing", "career"]


def cohort(rng: np.random.Generator, n: int, start: int, ties: bool) -> list[Candidate]:
    out = []
    for i in range(n):
        if ties:
            topics, zone = frozenset({"python"}), "Europe/Berlin"
        else:  # some members have no topics at all (overlap 0, never a division by zero)
            topics = frozenset(rng.choice(TOPICS, int(rng.integers(0, 4)), replace=False))
            zone = str(rng.choice(ZONES))
        out.append(Candidate(start + i, topics, zone, 3))
    return out


def rules_for(rng: np.random.Generator, rows: list[Candidate], cols: list[Candidate], shared_topic: bool) -> MatchRules:
    pairs = [frozenset((a.member_id, b.member_id)) for a in rows for b in cols if a.member_id != b.member_id]
    picked = [p for p in pairs if rng.random() < 0.15]
    third = len(picked) // 3
    met = {p: ON - timedelta(weeks=int(rng.integers(1, 16))) for p in picked[third:]}  # inside or before the window
    return MatchRules(past_pairs=met, avoid=frozenset(picked[:third] + picked[third:third + 5]),  # some both
                      no_repeat_within=timedelta(weeks=8), on=ON, require_shared_topic=shared_topic)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("ties", [False, True])
def test_blocks_score_every_pair_as_the_formula_and_the_rules_say(seed: int, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    cols = cohort(rng, 23, 1, ties)
    rows = cols if seed % 3 == 0 else cohort(rng, 41, 1_000, ties)  # peer rounds score members against themselves
    rules = rules_for(rng, rows, cols, shared_topic=bool(seed % 2))
    recent, avoid = rules.recent_pairs(), {frozenset(p) for p in rules.avoid}
    scorer = PairScorer(rows, cols, rules)
    step = int(rng.integers(1, 17))
    for start in range(0, len(rows), step):
        stop = min(start + step, len(rows))
        block = scorer.block(start, stop)
        allowed, recent_only, no_topic_only = block.reason_counts()
        for r in range(start, stop):
            want_recent, want_avoided, want_no_topic = (np.zeros(len(cols), bool) for _ in range(3))
            for c, col in enumerate(cols):
                pair = frozenset((rows[r].member_id, col.member_id))
                want_recent[c], want_avoided[c] = pair in recent, pair in avoid
                want_no_topic[c] = rules.require_shared_topic and not rows[r].topics & col.topics
                forbidden = want_recent[c] or want_avoided[c] or want_no_topic[c]
                expected = -np.inf if forbidden else pair_score(rows[r], col, rules)
                assert block.score[r - start, c] == pytest.approx(expected, abs=1e-12)
            assert np.array_equal(block.recent[r - start], want_recent)
            assert np.array_equal(block.avoided[r - start], want_avoided)
            assert np.array_equal(block.no_topic[r - start], want_no_topic)
            assert allowed[r - start] == np.isfinite(block.score[r - start]).sum()
            assert recent_only[r - start] == (want_recent & ~want_avoided).sum()
            assert no_topic_only[r - start] == (want_no_topic & ~want_recent & ~want_avoided).sum()


def test_equal_pairs_score_bit_for_bit_equal() -> None:
    """Ties must stay ties: the candidate stage spreads them by a 1e-9 jitter, which a
    rounding difference between two equal pairs would override."""
    mentors = [Candidate(i, frozenset({"python", "sql"}), "Europe/Berlin", 4) for i in range(50)]
    mentees = [Candidate(100 + i, frozenset({"sql", "python"}), "Europe/Berlin") for i in range(700)]
    score = PairScorer(mentees, mentors, MatchRules(on=ON)).block(0, len(mentees)).score
    assert np.unique(score).size == 1
