"""What a cog offers the dashboard: plain data, no HTML.

A cog offers any of these (each built from the queries it owns; all optional):

    async def dashboard_panels(self, community, config, today, *, since) -> list[Panel]
        # the Overview: metrics, day series, tables
    async def dashboard_schedules(self, community, config, now, until) -> list[ScheduleView]
        # the Schedules page: what it will post until ``until``, decided by the code that fires
    async def dashboard_member_columns(self, community, config, today) -> list[MemberColumn]
        # the Members table: one column per fact, member id -> value
    async def dashboard_member_panels(self, community, config, today, member) -> list[Section]
        # one member's page (never asked for a member who opted out)
    dashboard_pages = {"polls": "Polls & surveys"}
    async def dashboard_page(self, slug, community, config, today) -> list[Section]
        # a page of its own, listed in the navigation

An ``Action`` is a button that runs a chat command as the signed-in member, through the core
dispatch and its permission checks: the page is one more chat client. The web layer
(bot/dashboard/pages.py, views.py) renders everything: text escaped, charts as SVG.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Mapping, Sequence, Union


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


@dataclass(frozen=True)
class Bars:
    """Counts by label, drawn as a horizontal bar chart (e.g. a poll's results)."""

    title: str
    labels: Sequence[str]
    values: Sequence[float]
    note: str = ""


@dataclass(frozen=True)
class Action:
    """A button that runs ``command`` (chat syntax) as the member looking at the page.
    ``name`` is its accessible name when the label alone is ambiguous ("Pause daily-check");
    ``download``: the command answers with a file, which the browser saves."""

    label: str
    command: str
    style: Literal["primary", "secondary", "danger"] = "secondary"
    name: str = ""
    download: bool = False


Panel = Union[Metric, DaySeries, Table]


@dataclass(frozen=True)
class Section:
    """A titled part of a page: metrics, tables, bar charts and buttons, in order."""

    title: str
    panels: Sequence[Union[Metric, Table, Bars, Action]] = ()
    note: str = ""


@dataclass(frozen=True)
class ScheduleView:
    """One schedule of a community and the posts it will make in the window asked for.
    ``firings`` are exactly those the scheduler will post (days outside the term, breaks and
    skips already left out): the cog computes them with the code that fires them."""

    kind: str  # "prompt", "poll", "survey", "mentoring round", "digest"
    name: str
    when: str  # as written, e.g. "mon 09:00"
    where: str = ""
    firings: Sequence[datetime] = ()
    paused: bool = False
    note: str = ""
    actions: Sequence[Action] = ()


@dataclass(frozen=True)
class MemberColumn:
    """A fact about every member for the Members table. ``values``: member id -> value; a
    member missing from it shows as blank. ``kind`` says how to show and sort it: text,
    number, when (a datetime), trend (a short sequence of numbers, oldest first)."""

    label: str
    values: Mapping[int, Any]
    kind: Literal["text", "number", "when", "trend"] = "text"
    note: str = ""


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
