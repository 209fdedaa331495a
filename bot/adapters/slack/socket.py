"""Socket Mode: a websocket to Slack (apps.connections.open); no public URL needed."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from aiohttp import WSMessage
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app, send_async_response
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from .gate import ThrottledLog, Verdict
from .payloads import payload_problem, unheard

log = logging.getLogger(__name__)


ENVELOPE_TYPES = frozenset({"slash_commands", "interactive", "events_api"})
CONTROL_TYPES = frozenset({"hello", "disconnect"})  # Slack's own messages, no envelope_id


def frame_problem(message: Any) -> tuple[str | None, str | None]:
    """(what is wrong with a decoded frame or None, the envelope id to acknowledge it with or None).

    slack_sdk logs a traceback per frame that is not JSON or whose payload is not an object, and
    would hand an envelope of a type Slack never sends to bolt. They are refused here, and
    acknowledged when they carry an id (Slack would otherwise send them again)."""
    if not isinstance(message, dict):
        return "not a JSON object", None
    kind, envelope_id = message.get("type"), message.get("envelope_id")
    if envelope_id is None:
        return (None, None) if kind in CONTROL_TYPES else ("no envelope_id", None)
    if not isinstance(envelope_id, str) or not envelope_id or len(envelope_id) > 200:
        return "an envelope_id that is not a short string", None
    if not isinstance(kind, str) or kind not in ENVELOPE_TYPES:
        return "an envelope type Slack does not send", envelope_id
    if not isinstance(message.get("payload"), dict):
        return "a payload that is not an object", envelope_id
    return None, None


class ScreenedSocketModeClient(SocketModeClient):
    """slack_sdk's aiohttp client with every frame screened before its listeners see it (a frame
    that is not JSON logged a traceback each), and a broken websocket (a frame over the size limit)
    replaced at once rather than at the next ping check, ~30 s later."""

    refusals = ThrottledLog(log)
    refused = 0

    async def process_message(self) -> None:  # type: ignore[override]
        raw = await self.message_queue.get()
        if raw is None:
            return
        try:
            message = json.loads(raw)
        except (ValueError, RecursionError):
            problem, envelope_id = "not JSON", None
        else:
            problem, envelope_id = frame_problem(message)
        if problem is None:
            asyncio.ensure_future(self.run_message_listeners(message, raw))
            return
        type(self).refused += 1
        self.refusals.refused(Verdict(400, f"Socket Mode frame: {problem}"))
        if envelope_id is not None:
            asyncio.ensure_future(self._ack(envelope_id))

    async def _ack(self, envelope_id: str) -> None:
        try:
            await self.send_socket_mode_response(SocketModeResponse(envelope_id=envelope_id))
        except Exception as error:  # the socket went away: Slack sends the envelope again
            log.info("Socket Mode: could not acknowledge a refused envelope (%s)", type(error).__name__)

    async def reconnect_on_error(self, message: WSMessage) -> None:
        log.warning("Socket Mode: the websocket broke (%s); opening a new one", str(message.data)[:80])
        if self.auto_reconnect_enabled and not self.closed:
            await self.connect_to_new_endpoint(force=True)


class ScreenedSocketModeHandler(AsyncSocketModeHandler):
    """Every envelope gets the HTTP gate's shape checks before bolt reads it: one that is not what
    Slack sends (``actions=[{}]``, a ``view`` that is text...) or that the bot has no listener for
    is acknowledged (so Slack does not send it again) and dropped with one throttled line."""

    refusals = ThrottledLog(log)
    refused = 0

    def __init__(self, app: AsyncApp, app_token: str, *, web_client: AsyncWebClient) -> None:
        # AsyncSocketModeHandler.__init__ with the screened client (bolt's default ping_interval)
        self.app, self.app_token = app, app_token
        self.client = ScreenedSocketModeClient(app_token=app_token, logger=app.logger, web_client=web_client,
                                               ping_interval=10)
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]
        self.client.on_error_listeners.append(self.client.reconnect_on_error)

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
