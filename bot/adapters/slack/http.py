"""HTTP mode: an aiohttp server with bolt on POST /slack/events and a GET /healthz probe."""

from __future__ import annotations

from typing import Any, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


class SlackHttpServer:
    """Slash commands, interactivity and events all arrive at one URL, signed; bolt verifies them."""

    def __init__(self, bolt: AsyncApp, *, host: str, port: int, health: Callable[[], dict[str, Any]]) -> None:
        self.bolt = bolt
        self.host = host
        self.port = port
        self.health = health
        self._runner: web.AppRunner | None = None

    def web_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(EVENTS_PATH, self._events)
        app.router.add_get(HEALTH_PATH, self._healthz)
        return app

    async def start(self) -> int:
        """Listen; returns the bound port (useful with port 0)."""
        self._runner = web.AppRunner(self.web_app(), handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _events(self, request: web.Request) -> web.Response:
        bolt_request = await to_bolt_request(request)
        return await to_aiohttp_response(await self.bolt.async_dispatch(bolt_request))

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response(self.health())
