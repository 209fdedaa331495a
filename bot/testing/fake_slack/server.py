"""FakeSlack: a local Slack Web API + Socket Mode server for driving the real slack-sdk/bolt.

    fake = FakeSlack()
    await fake.start()
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    ...
    await fake.stop()
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import web

from .. import payload_checks
from ..local_server import LocalServer
from multidict import CIMultiDictProxy

from bot.testing.fake_slack.socket_mode import SocketHub
from bot.testing.fake_slack.web_api import ApiError, Outbox, WebApi
from bot.testing.fake_slack.workspace import Channel, User, UserGroup, Workspace

# Params that slack_sdk sends JSON-encoded inside form bodies; decoded so tests see one shape.
_JSON_PARAMS = ("blocks", "attachments", "view", "files", "metadata")


@dataclass
class RecordedCall:
    method: str  # e.g. "chat.postMessage"
    params: dict[str, Any]  # query, form and JSON body merged
    headers: dict[str, str]
    token: str | None
    response: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    at: float = field(default_factory=time.perf_counter)  # arrival (perf_counter): benches time replies by it


@dataclass
class _Fault:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def merge_params(query: dict[str, str], form: dict[str, str], body_json: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {**query, **form, **body_json}
    for key in _JSON_PARAMS:
        value = params.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            try:
                params[key] = json.loads(value)
            except json.JSONDecodeError:
                pass  # leave it as sent; the handler will reject or ignore it
    return params


def bearer_token(headers: CIMultiDictProxy[str], params: dict[str, Any]) -> str | None:
    auth = headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth.removeprefix("Bearer ").strip()
    token = params.pop("token", None)
    return str(token) if token else None


class FakeSlack(LocalServer):
    """One fake workspace served on 127.0.0.1 (free port): Web API, upload URLs, response_urls, Socket Mode."""

    def __init__(
        self,
        *,
        team_id: str = "T0001",
        bot_user_id: str = "UBOT",
        bot_token: str = "xoxb-test",
        app_token: str = "xapp-test",
        signing_secret: str = "test-secret",
        bot_id: str = "B0001",
    ) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_token = bot_token
        self.app_token = app_token
        self.signing_secret = signing_secret
        self.workspace = Workspace(team_id, bot_user_id, bot_id)
        self.workspace.users[bot_user_id] = User(bot_user_id, "bot", team_id, "Cohort Bot", is_bot=True)
        self._outbox = Outbox()
        self._api = WebApi(self.workspace, self._outbox, lambda: self.base_url)
        self._sockets = SocketHub()
        self.calls: list[RecordedCall] = []
        self.responses: list[dict[str, Any]] = []
        self._response_channels: dict[str, str | None] = {}
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._changed = asyncio.Condition()
        self._port: int | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._handle_api)
        app.router.add_get("/api/{method}", self._handle_api)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_post("/response/{response_id}", self._handle_response_url)
        app.router.add_get("/socket", self._sockets.handle)
        self._port = await self.serve(app)

    async def stop(self) -> None:
        await self._sockets.close_all()
        await self.shutdown()

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeSlack.start() has not been awaited yet")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        """slack_sdk's base_url convention: ends with "/api/"."""
        return f"{self.base_url}/api/"

    # -- workspace setup -------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        team_id: str | None = None,
        real_name: str | None = None,
        tz: str = "UTC",
    ) -> None:
        self.workspace.users[user_id] = User(
            user_id, name, team_id or self.team_id, real_name or name.title(), tz, is_admin, is_owner, is_bot
        )

    def add_channel(self, channel_id: str, name: str, *, is_private: bool = False, members: list[str] | None = None) -> None:
        self.workspace.channels[channel_id] = Channel(channel_id, name, is_private=is_private, members=list(members or []))

    def add_usergroup(self, group_id: str, handle: str, users: list[str]) -> None:
        self.workspace.usergroups[group_id] = UserGroup(group_id, handle, self.team_id, list(users))

    # -- what the bot did ------------------------------------------------------------------

    @property
    def messages(self) -> dict[str, list[dict[str, Any]]]:
        """Channel id -> messages the bot posted (edits applied in place; "edit_count" counts them)."""
        return self.workspace.messages

    @property
    def ephemeral(self) -> list[dict[str, Any]]:
        return self._outbox.ephemeral

    @property
    def uploads(self) -> list[dict[str, Any]]:
        """One entry per (file, channel): file_id, filename, title, channel, bytes, initial_comment, thread_ts."""
        return self._outbox.uploads

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        return self.workspace.views

    @property
    def reactions(self) -> list[dict[str, Any]]:
        return self.workspace.reactions

    @property
    def deleted(self) -> list[dict[str, Any]]:
        return self.workspace.deleted

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method]

    def response_url(self, channel_id: str | None = None) -> str:
        """A fresh URL that records what is POSTed to it; in_channel posts land in messages[channel_id]."""
        response_id = self.workspace.new_id("R")
        self._response_channels[response_id] = channel_id
        return f"{self.base_url}/response/{response_id}"

    async def wait_for_call(
        self, method: str, timeout: float = 5, predicate: Callable[[RecordedCall], bool] | None = None
    ) -> RecordedCall:
        """The first recorded call to method (matching predicate), waiting for it if needed."""

        def find() -> RecordedCall | None:
            return next((c for c in self.calls_to(method) if predicate is None or predicate(c)), None)

        await self._wait(lambda: find() is not None, timeout, f"a {method} call (seen: {self._seen_methods()})")
        return find()  # type: ignore[return-value]

    async def wait_for_response(
        self, timeout: float = 5, predicate: Callable[[dict[str, Any]], bool] | None = None
    ) -> dict[str, Any]:
        """The first post to a response_url (matching predicate), waiting for it if needed."""

        def find() -> dict[str, Any] | None:
            return next((r for r in self.responses if predicate is None or predicate(r)), None)

        await self._wait(lambda: find() is not None, timeout, "a post to a response_url")
        return find()  # type: ignore[return-value]

    def _seen_methods(self) -> list[str]:
        return sorted({c.method for c in self.calls})

    async def _wait(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(ready), timeout)
            except asyncio.TimeoutError:
                raise TimeoutError(f"fake Slack: timed out after {timeout}s waiting for {what}") from None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- fault injection -------------------------------------------------------------------

    def rate_limit_next(self, method: str, retry_after: int = 1, count: int = 1) -> None:
        """The next count calls to method answer 429 with Retry-After (slack_sdk's retry handler honours it)."""
        fault = _Fault(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        self._faults[method].extend([fault] * count)

    def fail_next(self, method: str, status: int = 500, count: int = 1) -> None:
        fault = _Fault(status, {"ok": False, "error": "fatal_error"}, {})
        self._faults[method].extend([fault] * count)

    # -- Socket Mode -----------------------------------------------------------------------

    @property
    def socket_connections(self) -> int:
        """How many Socket Mode connections were ever accepted (reconnects count again)."""
        return self._sockets.connections_made

    @property
    def open_sockets(self) -> int:
        return len(self._sockets.open)

    async def send_envelope(self, type: str, payload: dict[str, Any], *, timeout: float = 5) -> str:
        """Send an envelope ("slash_commands", "interactive", "events_api") to the connected app."""
        return await self._sockets.send_envelope(type, payload, timeout=timeout)

    async def send_socket_frame(self, frame: str | bytes, *, timeout: float = 5) -> None:
        """Send one raw websocket frame (any text or bytes, not checked) to the connected app."""
        await self._sockets.send_raw(frame, timeout=timeout)

    @property
    def socket_acks(self) -> dict[str, dict[str, Any]]:
        """Every ack received so far, by envelope id."""
        return self._sockets.acks

    async def wait_for_ack(self, envelope_id: str, timeout: float = 5) -> dict[str, Any]:
        """The app's ack: {"envelope_id": ..., "payload": {...}} when it answered with a response."""
        return await self._sockets.wait_for_ack(envelope_id, timeout)

    async def wait_for_socket_connections(self, count: int, timeout: float = 5) -> None:
        await self._sockets.wait_for_connections(count, timeout)

    async def drop_socket(self, *, graceful: bool = False) -> None:
        """Close the app's websocket(s), as a network drop (or Slack's refresh when graceful)."""
        await self._sockets.drop(graceful=graceful)

    # -- HTTP handlers ---------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = merge_params(dict(request.query), *await _read_body(request))
        token = bearer_token(request.headers, params)
        call = RecordedCall(method, params, dict(request.headers), token)
        self.calls.append(call)
        status, body, headers = self._answer(method, token, params)
        call.response, call.status = body, status
        await self._notify()
        return web.json_response(body, status=status, headers=headers)

    def _answer(self, method: str, token: str | None, params: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        if self._faults.get(method):
            fault = self._faults[method].popleft()
            return fault.status, fault.body, fault.headers
        handler = self._api.handlers.get(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        auth_error = self._auth_error(method, token)
        if auth_error:
            return 200, {"ok": False, "error": auth_error}, {}
        if problems := payload_checks.violations_of("slack", method, params):
            return 200, {"ok": False, "error": "invalid_blocks", "errors": [v.problem for v in problems]}, {}
        try:
            return 200, {"ok": True, **handler(params)}, {}
        except ApiError as error:
            return 200, {"ok": False, "error": error.error}, {}

    def _auth_error(self, method: str, token: str | None) -> str | None:
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token == expected:
            return None
        if token in (self.app_token, self.bot_token):
            return "not_allowed_token_type"
        return "not_authed" if not token else "invalid_auth"

    async def _handle_upload(self, request: web.Request) -> web.Response:
        if not self._api.receive_upload(request.match_info["file_id"], await request.read()):
            return web.Response(status=404, text="file not found", content_type="text/plain")
        await self._notify()
        return web.Response(text=f"OK - {request.content_length or 0}", content_type="text/plain")

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        response_id = request.match_info["response_id"]
        if response_id not in self._response_channels:
            return web.Response(status=404, text="no_such_response_url", content_type="text/plain")
        form, body_json = await _read_body(request)
        post = merge_params({}, form, body_json)
        if problems := payload_checks.violations_of("slack", "response_url", post):
            return web.Response(status=400, text="invalid_blocks: " + "; ".join(v.problem for v in problems),
                                content_type="text/plain")
        self.responses.append(post)
        self._apply_response(response_id, post)
        await self._notify()
        return web.Response(text="ok", content_type="text/plain")

    def _apply_response(self, response_id: str, post: dict[str, Any]) -> None:
        # Slack's default response_type for a response_url is ephemeral.
        channel_id = self._response_channels[response_id]
        if post.get("replace_original") or post.get("delete_original"):
            return
        if post.get("response_type") == "in_channel":
            if channel_id is not None:
                self.workspace.post(channel_id, post)
            return
        self._outbox.ephemeral.append({"channel": channel_id, "source": "response_url", **post})


async def _read_body(request: web.Request) -> tuple[dict[str, str], dict[str, Any]]:
    """(form fields, JSON object) from the request body; either may be empty."""
    if not request.can_read_body:
        return {}, {}
    if request.content_type == "application/json":
        data = await request.json()
        return {}, data if isinstance(data, dict) else {}
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        return {k: v for k, v in form.items() if isinstance(v, str)}, {}
    return {}, {}
