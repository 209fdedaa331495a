"""HTTP mode: bolt answers POST /slack/events on the core's web server (bot/web.py).

Every POST passes the RequestGate (gate.py) first: bolt only ever parses signed, well-formed,
first-time requests.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from .gate import RequestGate

EVENTS_PATH = "/slack/events"


def add_events_route(server: Any, bolt: AsyncApp, gate: RequestGate) -> None:
    """Slash commands, interactivity and events all arrive at one URL, signed; the gate checks them."""

    async def events(request: web.Request) -> web.Response:
        body = await request.read()
        verdict = await gate.check(request.headers, body)
        if not verdict.passed:
            return web.Response(status=verdict.status or 400, text="" if verdict.status == 200 else verdict.reason)
        # the request bolt's aiohttp adapter would build, from the bytes the gate already read and checked
        try:
            bolt_request = AsyncBoltRequest(body=body.decode("utf-8"), query=request.query_string,
                                            headers=request.headers)  # type: ignore[arg-type]
        except Exception:  # a shape bolt's own field extraction trips on: refused like any other
            verdict = gate.refuse(400, "a payload bolt cannot read")
            return web.Response(status=400, text=verdict.reason)
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    server.add_raw_route("POST", EVENTS_PATH, events)
    server.require("Slack events in HTTP mode")
