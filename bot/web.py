"""The bot's own HTTP server: one aiohttp application on HOST:PORT, owned by the core.

Everything the bot serves over HTTP lives here: ``GET /healthz``, the Slack adapter's
``POST /slack/events`` and the routes cogs declare. Cogs never import aiohttp — they
declare a handler with ``@route`` that takes a ``WebRequest`` and returns a ``WebResponse``:

    @route("GET", "/calendar/{token}.ics")
    async def calendar(self, request: WebRequest) -> WebResponse:
        return WebResponse(ics_bytes, content_type="text/calendar")

Adapters (which may use aiohttp) add raw aiohttp handlers with ``add_raw_route``. Routes are
collected before the server starts; the core starts it after the adapters (so theirs are
in) and stops it with them. An adapter that cannot work without it calls ``require(why)``:
then a busy port is a start-up error; otherwise it is one log line and chat still starts.
aiohttp is imported when the server starts, not with this module (``from bot import route``
is every cog's; aiohttp is ~0.15 s of a start that may not serve HTTP before its prompt).
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterable, Mapping

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
_ROUTE_META = "__cohort_route__"


@dataclass(frozen=True)
class WebRequest:
    """An HTTP request as a cog sees it: no aiohttp types."""

    method: str
    path: str
    params: Mapping[str, str]  # the ``{name}`` parts of the route's path
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class WebResponse:
    body: bytes | str = b""
    content_type: str = "text/plain"
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def not_found(cls, what: str = "not found") -> "WebResponse":
        return cls(what, status=404)


WebHandler = Callable[[WebRequest], Awaitable[WebResponse]]
RawHandler = Callable[["web.Request"], Awaitable["web.StreamResponse"]]


def route(method: str, path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a cog method ``async def handler(self, request: WebRequest) -> WebResponse``
    served at ``path`` (aiohttp's pattern syntax: ``/calendar/{token}.ics``)."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        setattr(fn, _ROUTE_META, (method.upper(), path))
        return fn

    return decorate


def declared_routes(obj: Any) -> Iterable[tuple[str, str, WebHandler]]:
    """The ``@route`` methods of an object (a cog), bound to it."""
    for name, member in inspect.getmembers(type(obj), inspect.isfunction):
        meta = getattr(member, _ROUTE_META, None)
        if meta is not None:
            yield meta[0], meta[1], getattr(obj, name)


class WebServer:
    """One aiohttp app on one port; routes from the core, adapters and cogs."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, enabled: bool = True) -> None:
        self.host = host
        self.port = port
        self.enabled = enabled  # the core starts it only when enabled (tests leave it off)
        self.public_base: str | None = None  # PUBLIC_URL: how people reach us (links in chat)
        self.required_by: list[str] = []
        # seconds after the app started to start listening, when nothing requires the server: a
        # console session's prompt comes first (aiohttp loads behind it)
        self.after_start: float | None = None
        self._routes: dict[tuple[str, str], RawHandler] = {}
        self._health: list[Callable[[], Mapping[str, Any]]] = []
        self._before_start: list[Callable[[], None]] = []
        self._runner: "web.AppRunner | None" = None
        self.add_raw_route("GET", HEALTH_PATH, self._healthz)

    # -- registration ---------------------------------------------------------------------
    def add_route(self, method: str, path: str, handler: WebHandler) -> None:
        self.add_raw_route(method, path, _adapt(handler))

    def add_raw_route(self, method: str, path: str, handler: RawHandler) -> None:
        if self._runner is not None:
            raise RuntimeError(f"cannot add {method} {path}: the web server is already running")
        key = (method.upper(), path)
        if key in self._routes and path != HEALTH_PATH:
            raise ValueError(f"{method} {path} is already served")
        self._routes[key] = handler

    def add_routes_of(self, obj: Any) -> int:
        count = 0
        for method, path, handler in declared_routes(obj):
            self.add_route(method, path, handler)
            count += 1
        return count

    def before_start(self, add_routes: Callable[[], None]) -> None:
        """Call ``add_routes()`` when the server starts (once): routes whose handlers need aiohttp
        (the dashboard's pages) are built then, not when their module is loaded."""
        self._before_start.append(add_routes)

    def add_health(self, details: Callable[[], Mapping[str, Any]]) -> None:
        """Merge ``details()`` into the ``/healthz`` answer."""
        self._health.append(details)

    def require(self, why: str) -> None:
        """Someone cannot work without the server: start it, and fail loudly if the port is busy."""
        self.enabled = True
        self.required_by.append(why)

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._runner is not None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    @property
    def public_url(self) -> str:
        """The base URL for links the bot hands out (``PUBLIC_URL``, else where it listens)."""
        return (self.public_base or self.url).rstrip("/")

    def paths(self) -> list[tuple[str, str]]:
        return sorted(self._routes)

    async def start(self) -> int:
        """Listen (raises OSError when the port is taken); returns the bound port."""
        from aiohttp import web

        from .web_log import quiet_malformed_requests

        hooks, self._before_start = self._before_start, []
        for add_routes in hooks:
            add_routes()
        quiet_malformed_requests()
        app = web.Application()
        for (method, path), handler in self._routes.items():
            app.router.add_route(method, path, handler)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: "web.Request") -> "web.Response":
        from aiohttp import web

        body: dict[str, Any] = {"ok": True}
        for details in self._health:
            body.update(details())
        return web.json_response(body)


def _adapt(handler: WebHandler) -> RawHandler:
    async def serve(request: "web.Request") -> "web.StreamResponse":
        from aiohttp import web

        neutral = WebRequest(method=request.method, path=request.path, params=dict(request.match_info),
                             query=dict(request.query), headers=dict(request.headers),
                             body=await request.read() if request.can_read_body else b"")
        try:
            answer = await handler(neutral)
        except Exception:
            log.exception("%s %s failed", request.method, request.path)
            return web.Response(text="internal error", status=500)
        body = answer.body.encode() if isinstance(answer.body, str) else answer.body
        return web.Response(body=body, status=answer.status, headers=dict(answer.headers),
                            content_type=answer.content_type.split(";")[0].strip(),
                            charset="utf-8" if answer.content_type.startswith("text/") else None)

    return serve
