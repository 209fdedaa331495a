"""The activity chart: daily active members (line) over events by kind (stacked bars). Headless."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Mapping, Sequence

if TYPE_CHECKING:
    from .reports import DayTotals


def render_chart(series: Sequence[DayTotals], title: str, labels: Mapping[str, str] | None = None) -> bytes:
    """A PNG: one bar colour per kind (``labels``: kind -> legend text, in stacking order;
    kinds not in it follow, named by their kind). Uses the object API (no pyplot global
    state), so concurrent renders are safe. matplotlib loads on the first chart, not at the
    bot's start-up (a third of a second of it: bench/startup_bench.py)."""
    from matplotlib.figure import Figure  # the Agg canvas: no display, no pyplot backend

    labels = dict(labels or {})
    for kind in sorted({k for s in series for k in s.counts} - set(labels)):
        labels[kind] = kind.replace("_", " ")
    fig = Figure(figsize=(9, 4.5), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    days = [s.day for s in series]
    bottom = [0] * len(series)
    for kind, label in labels.items():
        values = [s.counts.get(kind, 0) for s in series]
        if any(values):
            ax.bar(days, values, bottom=bottom, label=label, width=0.8)
            bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_ylabel("events")
    ax.set_title(title)
    line_ax = ax.twinx()
    line_ax.plot(days, [s.active for s in series], color="black", marker="o", markersize=3,
                 label="active members")
    line_ax.set_ylabel("active members")
    line_ax.set_ylim(bottom=0)
    handles, labels = ax.get_legend_handles_labels()
    h2, l2 = line_ax.get_legend_handles_labels()
    if handles or h2:
        ax.legend(handles + h2, labels + l2, loc="upper left", fontsize="small")
    fig.autofmt_xdate()
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
