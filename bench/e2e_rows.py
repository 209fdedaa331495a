"""The end-to-end bench's rows: ours beside the bare framework's bot, measured in the same run.

Each run of ours is followed by a run of the bare bot (bench/e2e_bench.py interleaves them), so
a ratio is taken twice: between the medians of all runs (the row's figure) and within each
pair of neighbouring runs (its spread, which shows how much the shared machine moved).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from .stats import percentile, summary

ROW = "end to end"
TARGETS = "p50 ≤ 1.10x, p99 ≤ 1.25x, throughput ≥ 0.9x"


@dataclass
class RunResult:
    acks: list[float]
    wall: float
    replies: list[float] = field(default_factory=list)
    cpu: float = float("nan")  # the bot process's CPU seconds (all its threads) over the timed interactions
    threads: dict[str, float] = field(default_factory=dict)  # the same by thread: "loop", "inbox", "db"...

    @property
    def cpu_each(self) -> float:
        return self.cpu / len(self.acks)

    @property
    def throughput(self) -> float:
        return len(self.acks) / self.wall


def p(results: Sequence[RunResult], q: float, attr: str = "acks") -> list[float]:
    return [percentile(getattr(r, attr), q) for r in results]


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def ack_value(results: Sequence[RunResult], attr: str = "acks") -> str:
    return f"{summary(p(results, 50, attr), 'ms', 1000)} / {summary(p(results, 99, attr), 'ms', 1000)}"


def throughput_value(results: Sequence[RunResult]) -> str:
    return summary([r.throughput for r in results], "interactions/s", digits=0)


def cpu_value(results: Sequence[RunResult]) -> str:
    return summary([r.cpu_each for r in results], "ms", 1000, digits=2)


def _ratio(ours: Sequence[RunResult], theirs: Sequence[RunResult], of: Callable[[RunResult], float]) -> str:
    """median(ours) / median(theirs), and the min–max of the ratio within each interleaved pair of runs."""
    overall = median([of(r) for r in ours]) / median([of(r) for r in theirs])
    pairs = [of(a) / of(b) for a, b in zip(ours, theirs)]
    spread = f" ({min(pairs):.2f}–{max(pairs):.2f})" if len(pairs) > 1 else ""
    return f"{overall:.2f}x{spread}"


def comparison_rows(platform: str, what: str, framework: str, label: str, ours: Sequence[RunResult],
                    theirs: Sequence[RunResult], quick: bool) -> list[dict[str, Any]]:
    """Time to ack, throughput, CPU per interaction, and the ratios against their targets."""
    p50, p99 = (lambda r: percentile(r.acks, 50)), (lambda r: percentile(r.acks, 99))
    r50 = median(p(ours, 50)) / median(p(theirs, 50))
    r99 = median(p(ours, 99)) / median(p(theirs, 99))
    rt = median([r.throughput for r in ours]) / median([r.throughput for r in theirs])
    met = r50 <= 1.10 and r99 <= 1.25 and rt >= 0.9
    bare = f"bare {framework}"
    return [
        {"row": ROW, "measure": f"{platform}: time to ack p50 / p99 ({what}, {label}, {len(ours)} run(s); bot in "
                                "its own process)",
         "value": ack_value(ours), "baseline": f"{bare}: {ack_value(theirs)}",
         "target": "report beside the bare floor (old: p99 < 50 ms)", "ok": None},
        {"row": ROW, "measure": f"{platform}: throughput ({label}, own process)", "value": throughput_value(ours),
         "baseline": f"{bare}: {throughput_value(theirs)}", "target": "—", "ok": None},
        {"row": ROW, "measure": f"{platform}: bot process CPU per interaction, all its threads ({label})",
         "value": cpu_value(ours), "baseline": f"{bare}: {cpu_value(theirs)}; ours / bare "
                                               f"{_ratio(ours, theirs, lambda r: r.cpu_each)}",
         "target": "—", "ok": None},
        {"row": ROW, "measure": f"{platform}: ours / {bare} ({label}): p50 / p99 time to ack; throughput "
                                "(min–max of the ratio within each interleaved pair of runs)",
         "value": f"{_ratio(ours, theirs, p50)} / {_ratio(ours, theirs, p99)}; throughput "
                  f"{_ratio(ours, theirs, lambda r: r.throughput)}",
         "baseline": "same fakes, same load, same run", "target": TARGETS, "ok": None if quick else met},
    ]


def reply_row(platform: str, framework: str, ours: Sequence[RunResult], theirs: Sequence[RunResult]) -> dict[str, Any]:
    return {"row": ROW, "measure": f"{platform}: time until the reply reached Slack p50 / p99",
            "value": ack_value(ours, "replies"), "baseline": f"bare {framework}: {ack_value(theirs, 'replies')}",
            "target": "—", "ok": None}
