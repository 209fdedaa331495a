"""HTTP mode: bolt answers POST /slack/events on the core's web server (bot/web.py)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp

EVENTS_PATH = "/slack/events"


def add_events_route(server: Any, bolt: AsyncApp) -> None:
    """Slash commands, interactivity and events all arrive at one URL, signed; bolt verifies them."""

    async def events(request: web.Request) -> web.Response:
        bolt_request = await to_bolt_request(request)
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    server.add_raw_route("POST", EVENTS_PATH, events)
    server.require("Slack events in HTTP mode")
