"""Benchmark: peer-mentor matching on a synthetic community, against Donut-style random pairing.

    python bench/matching_bench.py          # full size (2,500 mentors x 4, 10,000 mentees, 2,000 peers)
    python bench/matching_bench.py --quick  # small sizes, ~1 s

Also home of the baselines (`random_pairing_avoiding_repeats`,
`random_mentor_assignment_avoiding_repeats`): shuffle, pair neighbours, skip a partner
only when the pair met recently - what Donut-style tools do.
Peak memory is tracemalloc's peak (Python and numpy allocations) during one extra run.
"""
from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

if __package__ in (None, ""):  # `python bench/matching_bench.py` from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cogs.mentors.matching import Group, MatchResult, Unmatched, match_mentors, match_peers  # noqa: E402
from cogs.mentors.scoring import Candidate, MatchRules, PairScorer  # noqa: E402

TOPICS = (
    "python javascript sql statistics machine-learning web-design git linux docker testing "
    "algorithms career interviews writing public-speaking product ux data-viz excel r "
    "rust go java c++ security cloud devops mobile react css accessibility ethics math "
    "calculus physics research open-source design-patterns apis networking databases"
).split()
ZONES = {
    "Europe/London": 10, "Europe/Berlin": 12, "Europe/Paris": 8, "Europe/Madrid": 5, "Europe/Warsaw": 4,
    "America/New_York": 12, "America/Chicago": 6, "America/Los_Angeles": 8, "America/Sao_Paulo": 5,
    "America/Mexico_City": 3, "Asia/Kolkata": 7, "Asia/Singapore": 3, "Asia/Tokyo": 3,
    "Australia/Sydney": 2, "Africa/Lagos": 3,
}
ON = date(2026, 3, 2)


# ---------------------------------------------------------------- baselines


def _forbidden(rules: MatchRules) -> set[frozenset[int]]:
    return rules.recent_pairs() | {frozenset(p) for p in rules.avoid}


def random_pairing_avoiding_repeats(peers: Sequence[Candidate], rules: MatchRules, *, seed: int = 0) -> MatchResult:
    """Shuffle, pair each member with the next one in the shuffle they did not meet recently."""
    rng = np.random.default_rng(seed)
    forbidden, ids = _forbidden(rules), [p.member_id for p in peers]
    pool = [int(i) for i in rng.permutation(len(peers))]
    pairs: list[tuple[int, ...]] = []
    loose: list[int] = []
    while len(pool) >= 2:
        a = pool.pop()
        partner = next((t for t in range(len(pool) - 1, -1, -1) if frozenset((ids[a], ids[pool[t]])) not in forbidden), None)
        if partner is None:
            loose.append(a)
        else:
            pairs.append((a, pool.pop(partner)))
    loose += pool
    if len(loose) == 1 and pairs and all(frozenset((ids[loose[0]], ids[x])) not in forbidden for x in pairs[-1]):
        pairs[-1] = (*pairs[-1], loose.pop())
    return _scored(PairScorer(peers, peers, rules), pairs, loose, ids, ids, "random avoiding repeats")


def random_mentor_assignment_avoiding_repeats(
    mentors: Sequence[Candidate], mentees: Sequence[Candidate], rules: MatchRules, *, seed: int = 0,
) -> MatchResult:
    """Each mentee, in random order, takes a random free mentor slot they did not use recently."""
    rng = np.random.default_rng(seed)
    forbidden = _forbidden(rules)
    slots = [int(j) for j in rng.permutation(np.repeat(np.arange(len(mentors)), [m.capacity for m in mentors]))]
    pairs: list[tuple[int, ...]] = []
    loose: list[int] = []
    for i in rng.permutation(len(mentees)):
        pick = next((t for t in range(len(slots) - 1, -1, -1)
                     if frozenset((mentees[i].member_id, mentors[slots[t]].member_id)) not in forbidden), None)
        if pick is None:
            loose.append(int(i))
        else:
            pairs.append((int(i), slots.pop(pick)))
    scorer = PairScorer(mentees, mentors, rules)
    return _scored(scorer, pairs, loose, [m.member_id for m in mentees], [m.member_id for m in mentors], "random avoiding repeats", mentor_first=True)


def _scored(scorer: PairScorer, groups: list[tuple[int, ...]], loose: list[int], row_ids: list[int],
            col_ids: list[int], method: str, mentor_first: bool = False) -> MatchResult:
    out = []
    for g in groups:
        a, b = np.triu_indices(len(g), 1)
        idx = np.array(g)
        score, hours = scorer.pairs(idx[a], idx[b])
        members = (col_ids[g[1]], row_ids[g[0]]) if mentor_first else tuple(row_ids[x] for x in g)
        out.append(Group(members, float(score.mean()), frozenset(), float(hours.min())))
    return MatchResult(out, [Unmatched(row_ids[x], "random") for x in loose], None, method)


# ---------------------------------------------------------------- synthetic community


def community(n_mentors: int, n_mentees: int, n_peers: int, seed: int = 7) -> tuple[list[Candidate], list[Candidate], list[Candidate]]:
    rng = np.random.default_rng(seed)
    topic_p = 1 / np.arange(1, len(TOPICS) + 1) ** 0.9
    zone_p = np.array(list(ZONES.values()), float)

    def members(start: int, count: int, capacity: int) -> list[Candidate]:
        zones = rng.choice(list(ZONES), count, p=zone_p / zone_p.sum())
        return [Candidate(start + i, frozenset(rng.choice(TOPICS, 3, replace=False, p=topic_p / topic_p.sum())), str(zones[i]), capacity)
                for i in range(count)]

    return members(1, n_mentors, 4), members(100_000, n_mentees, 1), members(200_000, n_peers, 1)


def previous_round_rules(mentors: list[Candidate], mentees: list[Candidate], peers: list[Candidate]) -> MatchRules:
    """Last round's pairs are forbidden now: exactly the pairs an optimiser would like again."""
    recent = {frozenset(g.members[:2]) for g in match_mentors(mentors, mentees, MatchRules(on=ON), seed=1).groups}
    for g in match_peers(peers, MatchRules(on=ON), seed=1).groups:
        recent |= {frozenset((a, b)) for a in g.members for b in g.members if a < b}
    rng = np.random.default_rng(3)  # some pairs met long ago: allowed, less novel
    older = {frozenset((int(a.member_id), int(b.member_id))) for a, b in zip(rng.choice(mentees, len(mentees) // 10), rng.choice(mentors, len(mentees) // 10))}
    return MatchRules(past_pairs=frozenset(recent), met_ever=frozenset(older - recent), on=ON)


# ---------------------------------------------------------------- measuring


def _time(fn: Callable[[], MatchResult], repeats: int) -> tuple[MatchResult, tuple[list[float], list[float]]]:
    """The result, and (wall, CPU) seconds of each run: on a shared machine CPU time is the fairer one."""
    wall, cpu, result = [], [], None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert result is not None
    return result, (wall, cpu)


def _time_rows(name: str, times: tuple[list[float], list[float]]) -> list[dict]:
    rows = []
    for what, runs in zip(("wall time", "CPU time (process)"), times):
        rows.append({"row": name, "measure": f"{what} s, median (min-max) of {len(runs)}",
                     "value": f"{statistics.median(runs):.3f} ({min(runs):.3f}-{max(runs):.3f})", "baseline": "—",
                     "target": "< 2 s", "ok": statistics.median(runs) < 2})
    return rows


def _peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def repeats(result: MatchResult, rules: MatchRules) -> int:
    forbidden = _forbidden(rules)
    return sum(1 for g in result.groups for a in g.members for b in g.members if a < b and frozenset((a, b)) in forbidden)


def _mean(result: MatchResult) -> float:
    return result.total_score / max(len(result.groups), 1)


def _rows(name: str, ours: MatchResult, times: tuple[list[float], list[float]], peak: float, base: MatchResult, rules: MatchRules) -> list[dict]:
    bound = ours.upper_bound or float("nan")
    share = 100 * ours.total_score / bound
    return _time_rows(name, times) + [
        {"row": name, "measure": "peak traced memory MB", "value": round(peak, 1), "baseline": "—", "target": "< 300 MB", "ok": peak < 300},
        {"row": name, "measure": "groups / unmatched", "value": f"{len(ours.groups)} / {len(ours.unmatched)}", "baseline": f"{len(base.groups)} / {len(base.unmatched)}", "target": "—", "ok": None},
        {"row": name, "measure": "mean score per group", "value": round(_mean(ours), 4), "baseline": round(_mean(base), 4), "target": "beat random", "ok": _mean(ours) > _mean(base)},
        {"row": name, "measure": "% of upper bound (proven lower bound on % of optimum)", "value": round(share, 2), "baseline": round(100 * base.total_score / bound, 2), "target": ">= 99.5", "ok": share >= 99.5},
        {"row": name, "measure": "repeats (pairs met inside the window)", "value": repeats(ours, rules), "baseline": repeats(base, rules), "target": 0, "ok": repeats(ours, rules) == 0},
    ]


def _dense_mentor_optimum(mentors: list[Candidate], mentees: list[Candidate], rules: MatchRules) -> tuple[int, float]:
    """Placement-first optimum by dense linear_sum_assignment: (most mentees placed, best score among those)."""
    score = PairScorer(mentees, mentors, rules).block(0, len(mentees)).score
    slots = np.repeat(score, [m.capacity for m in mentors], axis=1)
    n = len(mentees)
    nobody = np.full((n, n), np.inf)
    np.fill_diagonal(nobody, 0.0)
    cost = np.hstack((np.where(np.isfinite(slots), -(n + 1.0 + slots), np.inf), nobody))
    r, c = linear_sum_assignment(cost)
    real = c < slots.shape[1]
    return int(real.sum()), float(slots[r[real], c[real]].sum())


def single_topic_cohort(n_mentors: int, n_mentees: int) -> tuple[list[Candidate], list[Candidate], MatchRules]:
    """One course, one city: every pair scores the same, except last round's pairs (forbidden now)."""
    mentors = [Candidate(1 + i, frozenset({"python"}), "Europe/Berlin", 4) for i in range(n_mentors)]
    mentees = [Candidate(100_000 + i, frozenset({"python"}), "Europe/Berlin") for i in range(n_mentees)]
    first = match_mentors(mentors, mentees, MatchRules(on=ON, require_shared_topic=True), seed=1)
    last_round = frozenset(frozenset(g.members) for g in first.groups)
    return mentors, mentees, MatchRules(past_pairs=last_round, on=ON, require_shared_topic=True)


def _tie_rows(n_mentors: int, n_mentees: int, reps: int, exact: bool) -> list[dict]:
    mentors, mentees, rules = single_topic_cohort(n_mentors, n_mentees)
    name = f"single-topic cohort {n_mentors}x4 / {n_mentees} mentees (ties)"
    ours, times = _time(lambda: match_mentors(mentors, mentees, rules), reps)
    peak = _peak_mb(lambda: match_mentors(mentors, mentees, rules))
    base = random_mentor_assignment_avoiding_repeats(mentors, mentees, rules)
    if exact:
        most, best = _dense_mentor_optimum(mentors, mentees, rules)
        what = "% of exact optimum (dense linear_sum_assignment, placement first)"
    else:
        most, best = min(n_mentees, 4 * n_mentors), float(ours.upper_bound or float("nan"))
        what = "% of upper bound (proven lower bound on % of optimum)"
    placed = len(ours.groups)
    return _time_rows(name, times) + [
        {"row": name, "measure": "peak traced memory MB", "value": round(peak, 1), "baseline": "—", "target": "< 300 MB", "ok": peak < 300},
        {"row": name, "measure": f"mentees placed (most possible: {most})", "value": placed, "baseline": len(base.groups), "target": most, "ok": placed == most},
        {"row": name, "measure": what, "value": round(100 * ours.total_score / best, 3), "baseline": round(100 * base.total_score / best, 3), "target": ">= 99.5", "ok": ours.total_score >= 0.995 * best},
        {"row": name, "measure": "repeats (pairs met inside the window)", "value": repeats(ours, rules), "baseline": repeats(base, rules), "target": 0, "ok": repeats(ours, rules) == 0},
    ]


def _exact_peer_optimum(peers: list[Candidate], rules: MatchRules) -> float | None:
    try:
        import networkx as nx  # optional; slow (minutes at 2,000), only used on a small subset
    except ImportError:
        return None

    score = PairScorer(peers, peers, rules).block(0, len(peers)).score
    graph = nx.Graph()
    a, b = np.triu_indices(len(peers), 1)
    ok = np.isfinite(score[a, b])
    graph.add_weighted_edges_from(zip(a[ok].tolist(), b[ok].tolist(), score[a, b][ok].tolist()))
    return float(sum(score[x, y] for x, y in nx.max_weight_matching(graph, maxcardinality=True)))


def run(quick: bool = False) -> list[dict]:
    n_mentors, n_mentees, n_peers = (60, 240, 300) if quick else (2_500, 10_000, 2_000)
    mentors, mentees, peers = community(n_mentors, n_mentees, n_peers)
    rules = previous_round_rules(mentors, mentees, peers)
    reps = 1 if quick else 5
    rows: list[dict] = []

    ours, times = _time(lambda: match_mentors(mentors, mentees, rules), reps)
    peak = _peak_mb(lambda: match_mentors(mentors, mentees, rules))
    base = random_mentor_assignment_avoiding_repeats(mentors, mentees, rules)
    rows += _rows(f"matching mentors {n_mentors}x4 / {n_mentees} mentees", ours, times, peak, base, rules)

    sub_mentors, sub_mentees = mentors[:250], mentees[:1_000]
    sparse = match_mentors(sub_mentors, sub_mentees, rules, exact_pairs_limit=0)
    most, optimum = _dense_mentor_optimum(sub_mentors, sub_mentees, rules)
    rows.append({"row": f"mentors subset {len(sub_mentors)}x4 / {len(sub_mentees)}", "measure": "% of exact optimum (dense linear_sum_assignment, placement first), k=16 sparse solve",
                 "value": round(100 * sparse.total_score / optimum, 3), "baseline": "—", "target": ">= 99.5",
                 "ok": sparse.total_score >= 0.995 * optimum and len(sparse.groups) == most})
    rows += _tie_rows(30 if quick else 300, 100 if quick else 1_000, reps, exact=True)
    rows += _tie_rows(60 if quick else 2_500, 240 if quick else 10_000, reps, exact=False)

    ours, times = _time(lambda: match_peers(peers, rules), reps)
    peak = _peak_mb(lambda: match_peers(peers, rules))
    base = random_pairing_avoiding_repeats(peers, rules)
    rows += _rows(f"matching peers {n_peers}", ours, times, peak, base, rules)

    if not quick:
        sub_peers = peers[:300]
        exact = _exact_peer_optimum(sub_peers, rules)
        found = match_peers(sub_peers, rules).total_score
        value = "networkx not installed" if exact is None else round(100 * found / exact, 3)
        rows.append({"row": "peers subset 300", "measure": "% of exact optimum (networkx blossom)", "value": value, "baseline": "—",
                     "target": ">= 99.5", "ok": None if exact is None else found >= 0.995 * exact})
    return rows


def main() -> None:
    quick = "--quick" in sys.argv
    for row in run(quick=quick):
        print(f"{row['row']:<42} {row['measure']:<56} {str(row['value']):>22}   baseline={row['baseline']}   target={row['target']}")


if __name__ == "__main__":
    main()
