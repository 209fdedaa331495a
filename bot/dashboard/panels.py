"""What a cog offers the dashboard: plain data, no HTML.

A cog that wants a place on a community's Overview defines

    async def dashboard_panels(self, community, config, today) -> list[Panel]

and returns metrics, day series and tables built from the queries it owns. The web layer
(bot/dashboard/pages.py) renders them: tables as escaped HTML, series as an SVG chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Sequence, Union


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class DaySeries:
    label: str
    points: Sequence[tuple[date, float]]


@dataclass(frozen=True)
class Table:
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    empty: str = "nobody"
    note: str = ""


Panel = Union[Metric, DaySeries, Table]


@dataclass
class Overview:
    metrics: list[Metric] = field(default_factory=list)
    series: list[DaySeries] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def add(self, panel: Panel) -> None:
        if isinstance(panel, Metric):
            self.metrics.append(panel)
        elif isinstance(panel, DaySeries):
            self.series.append(panel)
        elif isinstance(panel, Table):
            self.tables.append(panel)
        else:
            raise TypeError(f"not a dashboard panel: {type(panel).__name__}")
