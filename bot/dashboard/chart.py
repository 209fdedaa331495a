"""Day series as an SVG line chart (matplotlib, rendered server side: no JS, no CDN)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from .panels import Bars, DaySeries


def series_svg(series: DaySeries, *, term_start: date | None, term_end: date | None,
               breaks: Sequence[tuple[date, date]]) -> bytes:
    """The series, with term weeks shaded in alternate bands and breaks hatched."""
    from matplotlib.figure import Figure  # on the first chart, not at the bot's start-up (bench/startup_bench.py)

    fig = Figure(figsize=(8, 2.8), dpi=100)
    ax = fig.subplots()
    days = [d for d, _ in series.points]
    ax.plot(days, [v for _, v in series.points], color="#1f5fa8", linewidth=2, label=series.label)
    if days:
        first, last = days[0], days[-1]
        if term_start:
            week, n = term_start, 0
            while week <= min(last, term_end or last):
                if n % 2 == 0 and week + timedelta(days=7) >= first:
                    ax.axvspan(max(week, first), min(week + timedelta(days=7), last), color="#e8eef7", zorder=0)
                week, n = week + timedelta(days=7), n + 1
        for start, end in breaks:
            if end >= first and start <= last:
                ax.axvspan(max(start, first), min(end + timedelta(days=1), last), facecolor="none",
                           edgecolor="#b46b00", hatch="//", zorder=0, label="break")
    ax.set_ylabel(series.label)
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    fig.autofmt_xdate()
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def bars_svg(bars: Bars) -> bytes:
    """Counts by label as horizontal bars, each labelled with its count."""
    from matplotlib.figure import Figure  # on the first chart, not at start-up

    labels = [label if len(label) <= 40 else label[:39] + "…" for label in bars.labels]
    fig = Figure(figsize=(8, max(1.2, 0.45 * len(labels) + 0.6)), dpi=100)
    ax = fig.subplots()
    positions = list(range(len(labels)))
    ax.barh(positions, list(bars.values), color="#1f5fa8")
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    top = max(bars.values, default=0) or 1
    for y, value in zip(positions, bars.values):
        ax.text(value + top * 0.01, y, f"{value:g}", va="center", fontsize="small")
    ax.set_xlim(0, top * 1.15)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
