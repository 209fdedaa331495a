"""Socket Mode: a websocket to Slack (apps.connections.open); no public URL needed."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app, send_async_response
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from .gate import ThrottledLog, Verdict
from .payloads import payload_problem, unheard

log = logging.getLogger(__name__)


class ScreenedSocketModeHandler(AsyncSocketModeHandler):
    """Every envelope gets the HTTP gate's shape checks before bolt reads it: one that is not what
    Slack sends (``actions=[{}]``, a ``view`` that is text...) or that the bot has no listener for
    is acknowledged (so Slack does not send it again) and dropped with one throttled line."""

    refusals = ThrottledLog(log)
    refused = 0

    async def handle(self, client: Any, req: Any) -> None:  # type: ignore[override]
        payload = req.payload
        problem = payload_problem(payload, form=req.type == "slash_commands") or unheard(payload)
        if problem is None:
            start = time.time()
            try:
                response = await run_async_bolt_app(self.app, req)
            except Exception:  # bolt's own field extraction tripped on the envelope
                problem = "a payload bolt cannot read"
            else:
                await send_async_response(client, req, response, start)
                return
        type(self).refused += 1
        self.refusals.refused(Verdict(400, f"Socket Mode {str(req.type)[:20]} envelope: {problem}"))
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))


class SlackSocketConnection:
    def __init__(self, bolt: AsyncApp, app_token: str, client: AsyncWebClient) -> None:
        # web_client: apps.connections.open goes to the same (possibly non-default) API base URL.
        self.handler = ScreenedSocketModeHandler(bolt, app_token, web_client=client)

    async def start(self) -> None:
        """Open the connection (raises SlackApiError for a bad app token); envelopes are then acked and handled."""
        await self.handler.connect_async()

    async def stop(self) -> None:
        try:
            await self.handler.close_async()
        except Exception:
            log.exception("Socket Mode connection did not close cleanly")
