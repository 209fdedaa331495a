"""Small helpers shared by the benches: repeated timing, medians, formatting, memory."""

from __future__ import annotations

import statistics
import time
from typing import Any, Callable


def repeat(fn: Callable[[], Any], runs: int = 5, *, warmup: bool = False) -> list[float]:
    """Wall-clock seconds of ``runs`` calls (after one untimed call when ``warmup``)."""
    if warmup:
        fn()  # e.g. the page cache, as on a running bot
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def summary(values: list[float], unit: str = "", scale: float = 1.0, digits: int = 1) -> str:
    """``median (min–max) unit``."""
    med = statistics.median(values) * scale
    lo, hi = min(values) * scale, max(values) * scale
    return f"{med:,.{digits}f} ({lo:,.{digits}f}–{hi:,.{digits}f}) {unit}".strip()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def rss_mb() -> float:
    """Current resident memory of this process, in MB (Linux)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")
