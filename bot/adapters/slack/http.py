"""HTTP mode: bolt answers POST /slack/events on the core's web server (bot/web.py).

Every POST passes the RequestGate (gate.py) first: bolt only ever sees signed, well-formed,
first-time requests. The gate's work is not done twice: bolt gets the body the gate parsed (a
request built as Socket Mode builds one: a dict, which bolt neither parses again nor re-verifies)
and its own signature check is off (the gate checked this one, over the same bytes).
"""

from __future__ import annotations

from typing import Any, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from ...inbox import Receipt
from .gate import RequestGate

EVENTS_PATH = "/slack/events"


def add_events_route(server: Any, bolt: AsyncApp, gate: RequestGate, finished: Callable[[Receipt], None]) -> None:
    """Slash commands, interactivity and events all arrive at one URL, signed; the gate checks them.

    A request the gate stored in the inbox (with its replay claim, one write) reaches its listener
    with the receipt in bolt's context; one no listener took on (a repeated event dropped, a
    refusal) is ``finished`` here, so it is not handed to the next start."""

    async def events(request: web.Request) -> web.Response:
        body = await request.read()
        verdict = await gate.check(request.headers, body)
        if not verdict.passed:
            return web.Response(status=verdict.status or 400, text="" if verdict.status == 200 else verdict.reason)
        # what bolt's aiohttp adapter would build, but from the body the gate already checked and parsed
        receipt = verdict.ticket if isinstance(verdict.ticket, Receipt) else None
        try:
            try:
                bolt_request = AsyncBoltRequest(body=verdict.body, query=request.query_string, headers=request.headers,
                                                mode="socket_mode",  # type: ignore[arg-type]
                                                context={"inbox_receipt": receipt} if receipt else None)
            except Exception:  # a shape bolt's own field extraction trips on: refused like any other
                verdict = gate.refuse(400, "a payload bolt cannot read")
                return web.Response(status=400, text=verdict.reason)
            return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))
        finally:
            if receipt is not None and not receipt.taken:
                finished(receipt)

    server.add_raw_route("POST", EVENTS_PATH, events)
    server.require("Slack events in HTTP mode")
