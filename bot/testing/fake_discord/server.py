"""FakeDiscord: REST + gateway on 127.0.0.1:<free port>, with recording and fault injection."""

from __future__ import annotations

import asyncio
import json
import math
import time
from typing import Any, Callable, TypeVar

from aiohttp import web

from .. import payload_checks
from ..local_server import LocalServer
from .actions import Id, UserActions
from .gateway import Gateway
from .interactions import InteractionApi
from .rest import API_PREFIX, RECORD_KEY, RestApi, json_response
from .state import DiscordState, InjectedFault, RecordedFile, RecordedRequest

T = TypeVar("T")


async def read_request(request: web.Request) -> RecordedRequest:
    """Record method, path, JSON body and multipart files (payload_json + files[n])."""
    record = RecordedRequest(method=request.method, path=request.path[len(API_PREFIX):] or "/",
                             query=dict(request.query), headers=dict(request.headers))
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            raw = bytes(await part.read(decode=False))  # type: ignore[union-attr]
            if part.name == "payload_json":  # type: ignore[union-attr]
                record.json = json.loads(raw)
            elif part.filename:  # type: ignore[union-attr]
                record.files.append(RecordedFile(part.name or "", part.filename,  # type: ignore[union-attr]
                                                 part.headers.get("Content-Type"), raw))  # type: ignore[union-attr]
    elif request.can_read_body:
        raw = await request.read()
        record.json = json.loads(raw) if raw else None
    return record


def fault_response(fault: InjectedFault) -> web.Response:
    if fault.status != 429:
        return json_response(fault.body, status=fault.status)
    reset_after = fault.retry_after
    headers = {
        "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}", "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": "fake-bucket", "X-RateLimit-Scope": "user",
        "Retry-After": str(max(1, math.ceil(reset_after))),
        "Via": "1.1 google",  # discord.py treats a 429 without Via as Cloudflare's and does not retry
    }
    return json_response(fault.body, status=429, headers=headers)


def invalid_form_body(problems: list[payload_checks.Violation]) -> web.Response:
    """What Discord answers a body that breaks its rules (the real one nests errors per field)."""
    errors = {"_errors": [{"code": "BASE_TYPE_INVALID", "message": v.problem} for v in problems]}
    return json_response({"message": "Invalid Form Body", "code": 50035, "errors": errors}, status=400)


class FakeDiscord(LocalServer, UserActions):
    """A local Discord for the real discord.py client. See the package docstring for wiring."""

    def __init__(self, *, application_id: Id = 1100000000000000001, bot_user_id: Id = 1100000000000000002,
                 token: str = "test-token", bot_name: str = "cohort-bot") -> None:
        self.token = token
        self.state = DiscordState(application_id=str(application_id), bot_user_id=str(bot_user_id), bot_name=bot_name)
        self.gateway = Gateway(self.state, token, lambda: self.gateway_url, self._notify)
        self.requests: list[RecordedRequest] = []
        self.faults: list[InjectedFault] = []
        self.handler_errors: list[Exception] = []  # exceptions raised inside fake endpoints
        self._changed = asyncio.Event()
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        app.add_routes(RestApi(self.state, self.gateway.dispatch, lambda: self.gateway_url).routes())
        app.add_routes(InteractionApi(self.state).routes())
        app.add_routes([web.get("/gateway", self.gateway.handle), web.get("/gateway/", self.gateway.handle),
                        web.route("*", "/{tail:.*}", self._unknown_route)])
        self.port = await self.serve(app, access_log=None, shutdown_timeout=1.0)

    async def stop(self) -> None:
        await self.gateway.close_all()
        await self.shutdown()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- recording -------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Callable[..., Any]) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        record = await read_request(request)
        request[RECORD_KEY] = record
        self.requests.append(record)
        fault = next((f for f in self.faults if f.take(record)), None)
        self.faults = [f for f in self.faults if f.count > 0]
        if fault is not None:
            response: web.StreamResponse = fault_response(fault)
        elif not self._authorized(record):
            response = json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        elif problems := self._payload_problems(record):
            response = invalid_form_body(problems)
        else:
            response = await self._handle(handler, request)
        record.status = response.status
        self._notify()
        return response

    async def _handle(self, handler: Callable[..., Any], request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except Exception as exc:  # a bug in the fake: answer 500 JSON and keep it for the test to see
            self.handler_errors.append(exc)
            return json_response({"message": f"fake discord error: {exc!r}", "code": 0}, status=500)

    def _payload_problems(self, record: RecordedRequest) -> list[payload_checks.Violation]:
        if record.method not in ("POST", "PUT", "PATCH"):
            return []
        return payload_checks.violations_of("discord", f"{record.method} {record.path}", record.json)

    def _authorized(self, record: RecordedRequest) -> bool:
        # Interaction callbacks and webhooks carry no Authorization; a wrong bot token is refused.
        given = record.header("Authorization")
        return given is None or given == f"Bot {self.token}"

    async def _unknown_route(self, request: web.Request) -> web.Response:
        if RECORD_KEY in request:
            request[RECORD_KEY].unknown = True
        return json_response({"message": "404: Not Found", "code": 0}, status=404)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Wait until predicate() (re-checked on every REST call and gateway frame) is truthy."""
        async with asyncio.timeout(timeout):
            while True:
                changed = self._changed
                result = predicate()
                if result:
                    return result
                await changed.wait()

    async def wait_for_request(self, method: str | None, path_regex: str, timeout: float = 5.0, *,
                               since: int = 0) -> RecordedRequest:
        """The first answered request at index >= since matching method and path (relative to /api/v10)."""
        def found() -> RecordedRequest | None:
            return next((r for r in self.requests[since:] if r.status and r.matches(method, path_regex)), None)
        return await self.wait_for(found, timeout)

    def requests_to(self, method: str | None, path_regex: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.matches(method, path_regex)]

    @property
    def unknown_requests(self) -> list[RecordedRequest]:
        """Calls that hit no fake endpoint: a missing endpoint the bot needs, or a bad path."""
        return [r for r in self.requests if r.unknown]

    # -- fault injection -------------------------------------------------------------
    def rate_limit_next(self, path_regex: str, retry_after: float = 0.05, count: int = 1, *,
                        method: str | None = None, is_global: bool = False) -> None:
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global}
        self.faults.append(InjectedFault(path_regex, 429, count, method, retry_after, body))

    def fail_next(self, path_regex: str, status: int = 502, count: int = 1, *, method: str | None = None,
                  code: int = 0, message: str | None = None) -> None:
        body = {"message": message or f"{status}: fake failure", "code": code}
        self.faults.append(InjectedFault(path_regex, status, count, method, 0.0, body))

    # -- world set-up (delegates to DiscordState) ------------------------------------
    def add_guild(self, guild_id: Id, name: str, *, owner_id: Id, roles: list[dict[str, Any]] | None = None,
                  channels: list[dict[str, Any]] | None = None,
                  members: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """roles: [{"name", "id"?, "permissions"?}]; channels: [{"id", "name", "type"?, "parent_id"?}];
        members: [{"id", "username", "roles"?: [role ids], "bot"?}]. The owner and the bot are members."""
        guild = self.state.add_guild(guild_id, name, owner_id)
        for role in roles or []:
            self.state.add_role(guild_id, role)
        for channel in channels or []:
            self.state.add_channel(guild_id, channel["id"], channel["name"], channel.get("type", 0),
                                   channel.get("parent_id"))
        if self.state.member(guild_id, owner_id) is None:
            self.state.add_member(guild_id, owner_id, self.state.user(owner_id)["username"])
        for member in members or []:
            self.add_member(guild_id, member.get("id", member.get("user_id")), member["username"], roles=member.get("roles", ()),
                            bot=member.get("bot", False))
        return guild

    def add_member(self, guild_id: Id, user_id: Id, username: str, *, roles: Any = (), bot: bool = False) -> dict[str, Any]:
        return self.state.add_member(guild_id, user_id, username, roles=roles, bot=bot)

    def add_channel(self, guild_id: Id, channel_id: Id, name: str, type: int = 0, *,
                    parent_id: Id | None = None) -> dict[str, Any]:
        return self.state.add_channel(guild_id, channel_id, name, type, parent_id)

    def add_role(self, guild_id: Id, name: str, *, role_id: Id | None = None, permissions: int = 0) -> dict[str, Any]:
        return self.state.add_role(guild_id, {"name": name, "id": role_id, "permissions": permissions})

    def close_dms(self, user_id: Id) -> None:
        """Sending to this user's DM channel now fails with 403 code 50007."""
        self.state.dms_closed.add(str(user_id))

    # -- gateway control -------------------------------------------------------------
    async def drop_gateway(self, code: int = 4000, *, invalidate: bool = False) -> None:
        await self.gateway.drop(code, invalidate=invalidate)

    @property
    def ready_count(self) -> int:
        return self.gateway.ready_count

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    @property
    def identify_count(self) -> int:
        return len(self.gateway.identify_payloads)

    @property
    def identify_intents(self) -> int | None:
        return self.gateway.identify_payloads[-1].get("intents") if self.gateway.identify_payloads else None

    # -- what the bot did ------------------------------------------------------------
    @property
    def messages(self) -> dict[str, list[dict[str, Any]]]:
        return self.state.messages

    @property
    def message_edits(self) -> dict[str, list[dict[str, Any]]]:
        return self.state.message_edits

    @property
    def interaction_responses(self) -> dict[str, list[dict[str, Any]]]:
        return self.state.interaction_responses

    @property
    def registered_commands(self) -> dict[str, list[dict[str, Any]]]:
        return self.state.registered_commands

    @property
    def scheduled_events(self) -> dict[str, dict[str, Any]]:
        """Guild Scheduled Events the bot created, by id (as last edited)."""
        return self.state.scheduled_events

    def message(self, message_id: Id) -> dict[str, Any] | None:
        return self.state.all_messages.get(str(message_id))

    def edit_count(self, message_id: Id) -> int:
        return len(self.state.message_edits.get(message_id, []))


__all__ = ["FakeDiscord", "RecordedRequest", "RecordedFile"]
