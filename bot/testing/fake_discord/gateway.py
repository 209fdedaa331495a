"""Fake Discord gateway: HELLO, IDENTIFY/READY, RESUME with replay, heartbeats, dispatches.

Frames are plain JSON text. discord.py 2.7 asks for `compress=zlib-stream` (or zstd-stream)
in the URL query but decodes text frames without any decompression, so the fake ignores it.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import WSMsgType, web

from . import payloads as p
from .state import DiscordState

HEARTBEAT_INTERVAL_MS = 41250
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE, OP_RESUME = 0, 1, 2, 3, 6
OP_REQUEST_MEMBERS, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 8, 9, 10, 11
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_DISALLOWED_INTENTS = 4014


@dataclass
class GatewaySession:
    """One IDENTIFYed session; outlives its socket so a RESUME can replay what was missed."""

    session_id: str
    seq: int = 0
    sent: list[tuple[int, str]] = field(default_factory=list)  # (seq, frame) for replay
    socket: web.WebSocketResponse | None = None


class Gateway:
    def __init__(self, state: DiscordState, token: str, url: Callable[[], str], notify: Callable[[], None]) -> None:
        self.state = state
        self.token = token
        self.url = url
        self.notify = notify
        self.session: GatewaySession | None = None
        self.sockets: set[web.WebSocketResponse] = set()
        self.identify_payloads: list[dict[str, Any]] = []
        self.ready_count = 0
        self.resume_count = 0
        self.heartbeat_count = 0
        self.received: list[dict[str, Any]] = []  # every frame the client sent
        self.allowed_intents: int | None = None  # set to refuse other intents (4014), like an unticked portal box
        self._lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        return self.session is not None and self.session.socket is not None

    # -- server side of one connection ----------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self.sockets.add(ws)
        try:
            await self._send(ws, {"op": OP_HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_frame(ws, json.loads(msg.data))
        finally:
            self.sockets.discard(ws)
            if self.session is not None and self.session.socket is ws:
                self.session.socket = None
            self.notify()
        return ws

    async def _on_frame(self, ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        self.received.append(frame)
        op, data = frame.get("op"), frame.get("d")
        if op == OP_HEARTBEAT:
            self.heartbeat_count += 1
            await self._send(ws, {"op": OP_HEARTBEAT_ACK, "d": None})
        elif op == OP_IDENTIFY:
            await self._identify(ws, data)
        elif op == OP_RESUME:
            await self._resume(ws, data)
        elif op == OP_REQUEST_MEMBERS:
            await self._members_chunk(data)
        self.notify()

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        self.identify_payloads.append(data)
        if data.get("token") != self.token:
            await ws.close(code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return
        if self.allowed_intents is not None and int(data.get("intents") or 0) & ~self.allowed_intents:
            await ws.close(code=CLOSE_DISALLOWED_INTENTS, message=b"Disallowed intent(s).")
            return
        async with self._lock:
            self.session = GatewaySession(session_id=secrets.token_hex(16), socket=ws)
        self.ready_count += 1
        guilds = list(self.state.guilds.values())
        await self.dispatch("READY", {
            "v": 10,
            "user": {**self.state.bot_user, "verified": True, "mfa_enabled": False},
            "guilds": [{"id": g["id"], "unavailable": True} for g in guilds],
            "session_id": self.session.session_id,
            "resume_gateway_url": self.url(),
            "application": {"id": self.state.application_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
            "_trace": ["fake-discord"],
            **({"shard": data["shard"]} if "shard" in data else {}),
        })
        for guild in guilds:
            await self.dispatch("GUILD_CREATE", p.guild_payload(guild, self.state.threads_of(guild["id"])))

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        session = self.session
        if session is None or data.get("session_id") != session.session_id or data.get("token") != self.token:
            await self._send(ws, {"op": OP_INVALID_SESSION, "d": False})
            return
        self.resume_count += 1
        async with self._lock:
            session.socket = ws
            for seq, frame in session.sent:
                if seq > (data.get("seq") or 0):
                    await ws.send_str(frame)
        await self.dispatch("RESUMED", {"_trace": ["fake-discord"]})

    async def _members_chunk(self, data: dict[str, Any]) -> None:
        guild = self.state.guilds.get(str(data.get("guild_id")))
        if guild is None:
            return
        await self.dispatch("GUILD_MEMBERS_CHUNK", {
            "guild_id": guild["id"], "members": guild["members"], "chunk_index": 0, "chunk_count": 1,
            "not_found": [], "nonce": data.get("nonce"),
        })

    # -- sending ---------------------------------------------------------------------
    @staticmethod
    async def _send(ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        await ws.send_str(json.dumps(frame))

    async def dispatch(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        """Send a DISPATCH to the bot; while it is disconnected the event waits for its RESUME."""
        session = self.session
        if session is None:
            raise RuntimeError(f"cannot dispatch {event}: no bot has identified on the fake gateway")
        async with self._lock:
            session.seq += 1
            frame = json.dumps({"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data})
            session.sent.append((session.seq, frame))
            if session.socket is not None and not session.socket.closed:
                try:
                    await session.socket.send_str(frame)
                except (ConnectionError, RuntimeError):
                    session.socket = None  # the RESUME will replay it
        return data

    async def drop(self, code: int = 4000, *, invalidate: bool = False) -> None:
        """Close the bot's socket (the client then RESUMEs); `invalidate` forgets the session
        so the RESUME is refused and the client has to IDENTIFY again."""
        session = self.session
        if invalidate:
            self.session = None
        if session is not None and session.socket is not None:
            socket, session.socket = session.socket, None
            await socket.close(code=code, message=b"fake drop")

    async def close_all(self) -> None:
        for ws in list(self.sockets):
            await ws.close(code=1001, message=b"fake shutting down")
