"""The Socket Mode side of the fake: accepts the app's websocket, sends envelopes, collects acks."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from aiohttp import WSMsgType, web

ENVELOPE_TYPES = ("slash_commands", "interactive", "events_api")


class SocketHub:
    """Websocket connections from Socket Mode clients and the envelope/ack exchange over them."""

    def __init__(self) -> None:
        self.connections_made = 0
        self.open: list[web.WebSocketResponse] = []
        self.acks: dict[str, dict[str, Any]] = {}
        self.unparsed: list[str] = []
        self._changed = asyncio.Condition()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        # A short close timeout: a test's stop() should not hang on a client that went away.
        ws = web.WebSocketResponse(timeout=1.0, autoping=True)
        await ws.prepare(request)
        async with self._changed:
            self.connections_made += 1
            self.open.append(ws)
            self._changed.notify_all()
        await ws.send_str(json.dumps(_hello(len(self.open))))
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._receive(msg.data)
        finally:
            async with self._changed:
                if ws in self.open:
                    self.open.remove(ws)
                self._changed.notify_all()
        return ws

    async def _receive(self, text: str) -> None:
        try:
            message = json.loads(text)
        except json.JSONDecodeError:
            self.unparsed.append(text)
            return
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        if not envelope_id:
            self.unparsed.append(text)
            return
        async with self._changed:
            self.acks[envelope_id] = message
            self._changed.notify_all()

    async def wait_until(self, predicate: Any, timeout: float, what: str) -> None:
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
            except asyncio.TimeoutError:
                raise TimeoutError(f"fake Slack: timed out after {timeout}s waiting for {what}") from None

    async def send_envelope(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        timeout: float = 5,
        retry_attempt: int = 0,
    ) -> str:
        if envelope_type not in ENVELOPE_TYPES:
            raise ValueError(f"envelope type must be one of {ENVELOPE_TYPES}, not {envelope_type!r}")
        # The client may still be (re)connecting; wait for it rather than dropping the envelope.
        await self.wait_until(lambda: bool(self.open), timeout, "a Socket Mode connection")
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            # Slack lets slash commands and interactions answer in the ack; events never.
            "accepts_response_payload": envelope_type != "events_api",
        }
        if envelope_type == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason="timeout" if retry_attempt else "")
        await self.open[-1].send_str(json.dumps(envelope))
        return envelope_id

    async def send_raw(self, frame: str | bytes, *, timeout: float = 5) -> None:
        """One websocket frame as given (text or binary): what a broken or hostile peer could send."""
        await self.wait_until(lambda: bool(self.open), timeout, "a Socket Mode connection")
        ws = self.open[-1]
        await (ws.send_bytes(frame) if isinstance(frame, bytes) else ws.send_str(frame))

    async def wait_for_ack(self, envelope_id: str, timeout: float = 5) -> dict[str, Any]:
        await self.wait_until(lambda: envelope_id in self.acks, timeout, f"the ack of envelope {envelope_id}")
        return self.acks[envelope_id]

    async def wait_for_connections(self, count: int, timeout: float = 5) -> None:
        await self.wait_until(lambda: self.connections_made >= count, timeout, f"{count} Socket Mode connection(s)")

    async def drop(self, *, graceful: bool = False) -> None:
        """Close every open socket; graceful first sends Slack's "disconnect" (refresh_requested)."""
        for ws in list(self.open):
            if graceful and not ws.closed:
                await ws.send_str(json.dumps({"type": "disconnect", "reason": "refresh_requested"}))
            await ws.close()

    async def close_all(self) -> None:
        await self.drop()


def _hello(num_connections: int) -> dict[str, Any]:
    return {
        "type": "hello",
        "num_connections": num_connections,
        "debug_info": {"host": "fake-slack", "approximate_connection_time": 3600},
        "connection_info": {"app_id": "A0FAKE"},
    }
