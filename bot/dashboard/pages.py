"""The dashboard's HTTP handlers: sign-in, the Overview, a member's own page, page actions.

Every page is behind ``_guard``: a session cookie that resolves to a live session row, the
community in the path being the session's, and instructor pages needing instructor access.
Refusals are logged with the path only (never a token). Every answer carries the security
headers (CSP without inline script, no framing).
"""

from __future__ import annotations

import hmac
import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import Any, Awaitable, Callable
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from ..access import Access
from ..models import Community, Member
from . import dispatch, tokens
from .chart import series_svg
from .models import DashboardSession
from .panels import Overview
from .views import InstructorPages, when_text

log = logging.getLogger(__name__)

COOKIE = "cohort_session"
HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; "
                                "base-uri 'none'; frame-ancestors 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
CHART_DAYS = 56
OVERVIEW_FRESH = timedelta(minutes=1)


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def chat_markup(text: str) -> Markup:
    """A reply's chat formatting on the page: escaped first, then **bold** and `code`."""
    safe = str(escape(text))
    return Markup(_CODE.sub(r"<code>\1</code>", _BOLD.sub(r"<strong>\1</strong>", safe)))


class Refused(Exception):
    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status


async def _form(request: web.Request, visit: "Visit") -> dict[str, str]:
    """A posted form whose csrf field matches the session's, else Refused (never a 500: a broken
    multipart body and a non-ASCII csrf both used to raise out of aiohttp and hmac)."""
    try:
        data = {k: str(v) for k, v in (await request.post()).items()}
    except ValueError:
        raise Refused(400, "This form could not be read — reload the page and try again.") from None
    if not hmac.compare_digest(data.get("csrf", "").encode(), visit.row.csrf.encode()):
        raise Refused(403, "This form has expired — reload the page and try again.")
    return data


class Visit:
    """Who is looking: the session, its community and member (all re-read from the database)."""

    def __init__(self, row: DashboardSession, community: Community, member: Member) -> None:
        self.row, self.community, self.member = row, community, member

    @property
    def is_instructor(self) -> bool:
        return self.row.access >= Access.INSTRUCTOR


class DashboardPages(InstructorPages):
    # (label, URL) of the "Sign in with ..." buttons on the not-signed-in page (oauth_routes.py)
    signin_options: Callable[[], list[tuple[str, str]]] = staticmethod(lambda: [])

    def __init__(self, app: Any, cog: Any) -> None:
        self.app, self.cog = app, cog
        # the Overview's data, per community, for a minute: the page and its chart ask together
        self._recent: dict[int, tuple[Any, Overview]] = {}
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                     autoescape=select_autoescape(default=True, default_for_string=True))
        self.templates.filters["chat"] = chat_markup

    def register(self, server: Any) -> None:
        server.add_raw_route("GET", "/dashboard/login", self._headers(self.login))
        server.add_raw_route("POST", "/dashboard/logout", self._headers(self.logout))
        server.add_raw_route("GET", "/dashboard/static/style.css", self._headers(self.style))
        server.add_raw_route("GET", "/dashboard", self._headers(self.home))
        server.add_raw_route("GET", "/dashboard/c/{cid}", self._page(self.overview, instructor=True))
        server.add_raw_route("GET", "/dashboard/c/{cid}/active.svg", self._page(self.active_chart, instructor=True))
        server.add_raw_route("GET", "/dashboard/c/{cid}/me", self._page(self.me))
        server.add_raw_route("GET", "/dashboard/c/{cid}/schedules", self._page(self.schedules, instructor=True))
        server.add_raw_route("GET", "/dashboard/c/{cid}/config", self._page(self.config_page, instructor=True))
        server.add_raw_route("GET", "/dashboard/c/{cid}/members", self._page(self.members, instructor=True))
        server.add_raw_route("GET", "/dashboard/c/{cid}/m/{mid}", self._page(self.member, instructor=True))
        server.add_raw_route("GET", "/dashboard/c/{cid}/p/{slug}", self._page(self.cog_page, instructor=True))
        server.add_raw_route("GET", "/dashboard/c/{cid}/p/{slug}/bars/{i}/{j}.svg",
                             self._page(self.bars_chart, instructor=True))
        server.add_raw_route("POST", "/dashboard/c/{cid}/download", self._page(self.download, form=True))
        server.add_raw_route("POST", "/dashboard/c/{cid}/command", self._page(self.command, form=True))
        server.add_raw_route("POST", "/dashboard/c/{cid}/click", self._page(self.click, form=True))

    # -- plumbing -------------------------------------------------------------------------
    def _headers(self, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> Any:
        async def serve(request: web.Request) -> web.StreamResponse:
            try:
                response = await handler(request)
            except Refused as refused:
                log.warning("dashboard refused %s %s: %s", request.method, request.path, refused)
                response = self._html("error.html", status=refused.status, why=str(refused),
                                      signin=self.signin_options() if refused.status == 401 else None)
            except web.HTTPException:
                raise
            except Exception:
                log.exception("dashboard %s %s failed", request.method, request.path)
                response = self._html("error.html", status=500, why="Something went wrong on our side.")
            response.headers.update(SECURITY_HEADERS)
            return response

        return serve

    def _page(self, handler: Callable[..., Awaitable[web.StreamResponse]], *, instructor: bool = False,
              form: bool = False) -> Any:
        async def guarded(request: web.Request) -> web.StreamResponse:
            visit = await self._visit(request)
            if request.match_info.get("cid") != str(visit.community.id):
                raise Refused(403, "This page belongs to another community.")
            if instructor and not visit.is_instructor:
                raise Refused(403, "Only instructors can see this page.")
            data: dict[str, str] = {}
            if form:
                data = await _form(request, visit)
                return await handler(request, visit, data)
            return await handler(request, visit)

        return self._headers(guarded)

    async def _visit(self, request: web.Request) -> Visit:
        cookie = request.cookies.get(COOKIE, "")
        now = self.app.clock.now()

        def read(session: Any) -> Visit | None:
            row = tokens.session_of(session, cookie, now) if cookie else None
            if row is None:
                return None
            community, member = session.get(Community, row.community_id), session.get(Member, row.member_id)
            return Visit(row, community, member) if community and member else None

        visit = await self.app.db.read(read)
        if visit is None:
            raise Refused(401, "You are not signed in (or your session ended). Use /dashboard in the chat "
                               "for a new link.")
        return visit

    def _html(self, template: str, *, status: int = 200, **values: Any) -> web.Response:
        values.setdefault("pages", self.cog_pages())
        values.setdefault("when_text", when_text)
        body = self.templates.get_template(template).render(**values)
        return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")

    def _today(self, community: Community) -> Any:
        return self.app.clock.now().astimezone(ZoneInfo(community.timezone or "UTC")).date()

    # -- signing in and out ---------------------------------------------------------------
    async def login(self, request: web.Request) -> web.StreamResponse:
        nonce = tokens.signed_nonce(await self.cog.secret(), request.query.get("t", ""))
        if nonce is None:
            raise Refused(403, "This sign-in link is not valid. Use /dashboard in the chat for a new one.")
        signin = await self.app.db.run(tokens.redeem_link, nonce, self.app.clock.now())
        if signin is None:
            raise Refused(403, "This sign-in link was already used or has expired (links work once, for "
                               "10 minutes). Use /dashboard in the chat for a new one.")
        row = signin.session
        target = f"/dashboard/c/{row.community_id}" + ("" if row.access >= Access.INSTRUCTOR else "/me")
        response = web.Response(status=303, headers={"Location": target})
        response.set_cookie(COOKIE, signin.cookie, max_age=int(tokens.SESSION_TTL.total_seconds()), path="/dashboard",
                            httponly=True, samesite="Lax", secure=self.cog.secure_cookies)
        response.headers.update(SECURITY_HEADERS)
        return response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        visit = await self._visit(request)
        await _form(request, visit)
        await self.app.db.run(tokens.end_session, request.cookies.get(COOKIE, ""))
        response = self._html("error.html", status=200, why="You are signed out.", title="Signed out")
        response.del_cookie(COOKIE, path="/dashboard")
        return response

    async def home(self, request: web.Request) -> web.StreamResponse:
        visit = await self._visit(request)
        suffix = "" if visit.is_instructor else "/me"
        return web.Response(status=303, headers={"Location": f"/dashboard/c/{visit.community.id}{suffix}"})

    async def style(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=(HERE / "static" / "style.css").read_bytes(), content_type="text/css")

    # -- pages ----------------------------------------------------------------------------
    async def overview(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        overview = await self._overview(visit.community)
        return self._html("overview.html", visit=visit, overview=overview, title="Overview")

    async def active_chart(self, request: web.Request, visit: Visit) -> web.StreamResponse:
        overview = await self._overview(visit.community)
        if not overview.series:
            raise Refused(404, "No activity series: the participation feature is off.")
        cfg = self.app.community_config(visit.community.platform, visit.community.external_id)
        svg = await self.app.db.call(lambda: series_svg(overview.series[0], term_start=cfg.term.start,
                                                        term_end=cfg.term.end, breaks=cfg.term.break_ranges()))
        return web.Response(body=svg, content_type="image/svg+xml")

    async def me(self, request: web.Request, visit: Visit, replies: list[Any] | None = None) -> web.StreamResponse:
        stats = await dispatch.run_command(self.app, visit.community, visit.member, visit.row.access, "/stats me") \
            if "stats" in self.app.cogs else []
        return self._html("me.html", visit=visit, stats=stats, replies=replies or [], title="My activity")

    async def command(self, request: web.Request, visit: Visit, data: dict[str, str]) -> web.StreamResponse:
        replies = await dispatch.run_command(self.app, visit.community, visit.member, visit.row.access,
                                             data.get("command", ""))
        return await self._after(request, visit, replies, data.get("back", ""))

    async def click(self, request: web.Request, visit: Visit, data: dict[str, str]) -> web.StreamResponse:
        replies = await dispatch.click(self.app, visit.community, visit.member, visit.row.access,
                                       data.get("action", ""))
        return await self._after(request, visit, replies, data.get("back", ""))

    async def _after(self, request: web.Request, visit: Visit, replies: list[Any], back: str) -> web.StreamResponse:
        member = await self.app.db.read(lambda s: s.get(Member, visit.member.id))
        if member is None:  # forgotten: the session has nobody behind it any more
            await self.app.db.run(tokens.end_session, request.cookies.get(COOKIE, ""))
            response = self._html("result.html", visit=None, replies=replies, title="Done")
            response.del_cookie(COOKIE, path="/dashboard")
            return response
        visit.member = member
        return await self.after_action(request, visit, replies, back)

    async def _overview(self, community: Community) -> Overview:
        assert community.id is not None
        now = self.app.clock.now()
        recent = self._recent.get(community.id)
        if recent is not None and timedelta(0) <= now - recent[0] < OVERVIEW_FRESH:
            return recent[1]
        cfg = self.app.community_config(community.platform, community.external_id)
        today = self._today(community)
        overview = Overview()
        for name, cog in list(self.app.cogs.items()):
            offer = getattr(cog, "dashboard_panels", None)
            if offer is None:
                continue
            try:
                for panel in await offer(community, cfg, today, since=today - timedelta(days=CHART_DAYS - 1)):
                    overview.add(panel)
            except Exception:
                log.exception("cog %s failed to offer its dashboard panels", name)
        self._recent[community.id] = (now, overview)
        return overview
