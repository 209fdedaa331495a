"""The instructor pages beyond the Overview: Members, a member's page, Schedules, the pages
cogs offer (Prompts, Polls & surveys, Mentoring, ...), their charts and downloads.

Every value comes from a cog's query functions as plain data (panels.py); this only asks
the loaded cogs, renders, sorts and filters. A cog whose query fails is logged and left
out: one feature never takes a page down.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlmodel import select

from ..models import Member
from ..option_types import bounded_int
from . import calendar, dispatch
from .chart import bars_svg
from .panels import Bars, MemberColumn, ScheduleView, Section

log = logging.getLogger(__name__)

MEMBER_ROWS = 500  # the Members table shows this many; search narrows it
CORE_PAGES = ("schedules", "members", "config")


class InstructorPages:
    """Mixed into DashboardPages (pages.py), which provides the plumbing (_html, _today, app)."""

    app: Any

    # -- asking the cogs ------------------------------------------------------------------
    async def _gather(self, hook: str, *args: Any) -> list[Any]:
        found: list[Any] = []
        for name, cog in list(self.app.cogs.items()):
            offer = getattr(cog, hook, None)
            if offer is None:
                continue
            try:
                found.extend(await offer(*args))
            except Exception:
                log.exception("cog %s failed to answer %s", name, hook)
        return found

    def _config(self, visit: Any) -> Any:
        return self.app.community_config(visit.community.platform, visit.community.external_id)

    def cog_pages(self) -> list[tuple[str, str]]:
        """(slug, title) of every page a loaded cog offers, in load order."""
        pages: list[tuple[str, str]] = []
        for cog in list(self.app.cogs.values()):
            for slug, title in (getattr(cog, "dashboard_pages", None) or {}).items():
                if slug not in CORE_PAGES and slug not in dict(pages):
                    pages.append((slug, title))
        return pages

    def _page_cog(self, slug: str) -> Any:
        for cog in list(self.app.cogs.values()):
            if slug in (getattr(cog, "dashboard_pages", None) or {}):
                return cog
        return None

    # -- Schedules ------------------------------------------------------------------------
    async def schedules(self, request: web.Request, visit: Any, replies: list[Any] | None = None) -> web.StreamResponse:
        zone = ZoneInfo(visit.community.timezone or "UTC")
        now = self.app.clock.now()
        _, until = calendar.window(now, zone)
        views: list[ScheduleView] = await self._gather("dashboard_schedules", visit.community, self._config(visit),
                                                      now, until)
        views.sort(key=lambda v: (v.paused, v.kind, v.name))
        return self._html("schedules.html", visit=visit, title="Schedules", views=views, replies=replies or [],
                          weeks=calendar.weeks_of(views, now, zone), zone=zone.key, now=now.astimezone(zone))

    # -- Members --------------------------------------------------------------------------
    async def members(self, request: web.Request, visit: Any, replies: list[Any] | None = None) -> web.StreamResponse:
        columns: list[MemberColumn] = await self._gather("dashboard_member_columns", visit.community,
                                                        self._config(visit), self._today(visit.community))
        community_id = visit.community.id
        people = await self.app.db.read(lambda s: list(s.exec(select(Member).where(
            Member.community_id == community_id, Member.is_bot.is_(False))).all()))
        query = request.query.get("q", "").strip()
        if query:
            needle = query.casefold()
            people = [m for m in people if needle in (m.display_name or "").casefold()
                      or needle in m.external_id.casefold()]
        sort = request.query.get("sort", "name")
        descending = request.query.get("order") == "desc"
        keys = [column_key(c.label) for c in columns]
        index = keys.index(sort) if sort in keys else None
        people.sort(key=lambda m: ((m.display_name or m.external_id).casefold(), m.id))  # ties: by name
        rows = [(m, [None if m.opted_out else c.values.get(m.id) for c in columns]) for m in people]
        if index is None:
            sort = "name"
            if descending:
                rows.reverse()
        else:
            kind = columns[index].kind
            present = [r for r in rows if r[1][index] is not None]
            missing = [r for r in rows if r[1][index] is None]
            present.sort(key=lambda r: _sort_key(r[1][index], kind), reverse=descending)
            rows = present + missing  # blanks last, whichever way
        zone = ZoneInfo(visit.community.timezone or "UTC")
        return self._html("members.html", visit=visit, title="Members", columns=columns, rows=rows[:MEMBER_ROWS],
                          total=len(rows), query=query, sort=sort, descending=descending, zone=zone,
                          sparkline=calendar.sparkline, replies=replies or [], quote=quote, keys=keys)

    async def member(self, request: web.Request, visit: Any) -> web.StreamResponse:
        member_id = _row_id(request.match_info.get("mid", ""))
        community_id = visit.community.id
        target = await self.app.db.read(lambda s: s.get(Member, member_id)) if member_id is not None else None
        if target is None or target.community_id != community_id:
            return self._html("error.html", status=404, visit=visit, why="No such member in this community.")
        sections: list[Section] = []
        if not target.opted_out:
            sections = await self._gather("dashboard_member_panels", visit.community, self._config(visit),
                                          self._today(visit.community), target)
        return self._html("sections.html", visit=visit, title=target.display_name or target.external_id,
                          target=target, sections=sections, slug=None, replies=[])

    # -- Config ---------------------------------------------------------------------------
    async def config_page(self, request: web.Request, visit: Any) -> web.StreamResponse:
        cfg = self._config(visit)
        running = effective_yaml(cfg)
        path, problems = await self.app.db.call(check_findings, self.app)
        changed = False
        if not problems:
            on_disk = await self.app.db.call(_file_community, self.app, visit.community)
            changed = on_disk is not None and on_disk != running
        entry = "the defaults" if cfg is self.app.config.defaults else f'the entry id: "{cfg.key}"'
        return self._html("config.html", visit=visit, title="Config", yaml=running, path=path, problems=problems,
                          changed=changed, entry=entry)

    # -- pages the cogs offer -------------------------------------------------------------
    async def _sections(self, visit: Any, slug: str) -> list[Section] | None:
        cog = self._page_cog(slug)
        if cog is None:
            return None
        try:
            return list(await cog.dashboard_page(slug, visit.community, self._config(visit),
                                                 self._today(visit.community)))
        except Exception:
            log.exception("cog %s failed to render its dashboard page %s", cog.name, slug)
            return [Section("Not available", note="This part could not be read just now; the error is logged.")]

    async def cog_page(self, request: web.Request, visit: Any, replies: list[Any] | None = None,
                       slug: str | None = None) -> web.StreamResponse:
        slug = slug or request.match_info.get("slug", "")
        sections = await self._sections(visit, slug)
        if sections is None:
            return self._html("error.html", status=404, visit=visit, why="No such page.")
        return self._html("sections.html", visit=visit, title=dict(self.cog_pages()).get(slug, slug), slug=slug,
                          sections=sections, target=None, replies=replies or [])

    async def bars_chart(self, request: web.Request, visit: Any) -> web.StreamResponse:
        sections = await self._sections(visit, request.match_info.get("slug", "")) or []
        try:
            panel = sections[bounded_int(request.match_info["i"])].panels[bounded_int(request.match_info["j"])]
        except (ValueError, IndexError):
            panel = None
        if not isinstance(panel, Bars):
            return web.Response(status=404, text="no such chart")
        return web.Response(body=await self.app.db.call(bars_svg, panel), content_type="image/svg+xml")

    async def download(self, request: web.Request, visit: Any, data: dict[str, str]) -> web.StreamResponse:
        """A button whose command answers with a file (e.g. /poll export): the file, as a download."""
        replies = await dispatch.run_command(self.app, visit.community, visit.member, visit.row.access,
                                             data.get("command", ""))
        for reply in replies:
            for attachment in getattr(reply, "files", None) or []:
                name = "".join(c for c in attachment.filename if c.isalnum() or c in "._-") or "download"
                return web.Response(body=attachment.data, content_type=attachment.content_type, headers={
                    "Content-Disposition": f'attachment; filename="{name}"'})
        return await self.after_action(request, visit, replies, data.get("back", ""))

    async def after_action(self, request: web.Request, visit: Any, replies: list[Any], back: str) -> web.StreamResponse:
        """The page an action was pressed on, with the command's answer on top."""
        if visit.is_instructor:
            if back == "schedules":
                return await self.schedules(request, visit, replies)
            if back == "members":
                return await self.members(request, visit, replies)
            if back in dict(self.cog_pages()):
                return await self.cog_page(request, visit, replies, slug=back)
        return await self.me(request, visit, replies)  # type: ignore[attr-defined]


def column_key(label: str) -> str:
    """A column's name in the sort link: "4-week trend" -> "4-week-trend"."""
    return "-".join("".join(c if c.isalnum() or c == "-" else " " for c in label.casefold()).split()) or "column"


def _sort_key(value: Any, kind: str) -> Any:
    if kind == "trend":
        return sum(value) if value else 0.0
    if kind == "when" and isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))
    if kind == "number":
        return float(value)
    return str(value).casefold()


def when_text(value: Any, zone: ZoneInfo) -> str:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))
        local = moment.astimezone(zone)
        repeated = local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()  # a fall-back hour
        return f"{local:%Y-%m-%d %H:%M %Z}" if repeated else f"{local:%Y-%m-%d %H:%M}"
    return str(value)



def effective_yaml(cfg: Any) -> str:
    """The settings this community runs with (its entry merged over ``defaults:``), as YAML."""
    import yaml

    data = cfg.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)


def _file_community(app: Any, community: Any) -> str | None:
    """The effective YAML the file on disk would give this community now (None: unreadable)."""
    from ..config_load import load_config

    try:
        fresh = load_config(app.config.path, required=True)
    except Exception:
        return None
    return effective_yaml(fresh.community_for(community.platform, community.external_id))


def check_findings(app: Any) -> tuple[str, list[str]]:
    """What ``python -m bot check`` says of the config file now: (file, problems)."""
    from ..config_load import load_config
    from ..errors import ConfigError

    path = getattr(app.config, "path", None)
    if path is None or not path.exists():
        return (str(path or "schedules.yaml"), [])
    try:
        load_config(path, required=True)
    except ConfigError as error:
        return (str(path), [str(p) for p in getattr(error, "problems", None) or [str(error)]])
    return (str(path), [])


def _row_id(text: str) -> int | None:
    """A row id from a URL: ASCII digits that fit the column (``/m/99999999999999999999`` overflowed
    SQLite's INTEGER and answered 500), else None (a 404)."""
    try:
        value = bounded_int(text) if text.isascii() else -1
    except ValueError:
        return None
    return value if value > 0 else None
