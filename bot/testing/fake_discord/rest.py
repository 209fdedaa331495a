"""REST handlers of the fake Discord API v10 (the subset the bot uses)."""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable

from aiohttp import web

from . import payloads as p
from .state import DiscordState, RecordedRequest

API_PREFIX = "/api/v10"
RECORD_KEY = web.RequestKey("record", RecordedRequest)
Dispatcher = Callable[[str, dict[str, Any]], Awaitable[None]]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py only decodes bodies whose Content-Type is exactly "application/json" (no charset).
    return web.Response(body=json.dumps(body).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


def error(status: int, message: str, code: int = 0) -> web.Response:
    return json_response({"message": message, "code": code}, status=status)


def not_found(what: str, code: int) -> web.Response:
    return error(404, f"Unknown {what}", code)


def no_content() -> web.Response:
    return web.Response(status=204)


def record_of(request: web.Request) -> RecordedRequest:
    return request[RECORD_KEY]


def body_of(request: web.Request) -> dict[str, Any]:
    body = record_of(request).json
    return body if isinstance(body, dict) else {}


def attachments_from(state: DiscordState, request: web.Request) -> list[dict[str, Any]]:
    """Attachment objects for the files[n] parts of a multipart request."""
    return [p.attachment_payload(state.ids.next(), f.filename, f.data, f.content_type)
            for f in record_of(request).files]


class RestApi:
    """One handler per endpoint; state changes go through DiscordState."""

    def __init__(self, state: DiscordState, dispatch: Dispatcher, gateway_url: Callable[[], str]) -> None:
        self.state = state
        self.dispatch = dispatch
        self.gateway_url = gateway_url

    def routes(self) -> list[web.RouteDef]:
        a = API_PREFIX
        return [
            web.get(a + "/gateway/bot", self.gateway_bot),
            web.get(a + "/gateway", self.gateway_bot),
            web.get(a + "/users/@me", self.me),
            web.get(a + "/users/{user_id}", self.get_user),
            web.post(a + "/users/@me/channels", self.open_dm),
            web.get(a + "/applications/@me", self.application),
            web.get(a + "/oauth2/applications/@me", self.application),
            web.get(a + "/applications/{app}/commands", self.get_commands),
            web.put(a + "/applications/{app}/commands", self.put_commands),
            web.get(a + "/applications/{app}/guilds/{guild_id}/commands", self.get_commands),
            web.put(a + "/applications/{app}/guilds/{guild_id}/commands", self.put_commands),
            web.get(a + "/guilds/{guild_id}", self.get_guild),
            web.get(a + "/guilds/{guild_id}/channels", self.guild_channels),
            web.get(a + "/guilds/{guild_id}/members/{user_id}", self.get_member),
            web.get(a + "/channels/{channel_id}", self.get_channel),
            web.post(a + "/channels/{channel_id}/typing", self.typing),
            web.post(a + "/channels/{channel_id}/messages", self.create_message),
            web.get(a + "/channels/{channel_id}/messages/{message_id}", self.get_message),
            web.patch(a + "/channels/{channel_id}/messages/{message_id}", self.edit_message),
            web.delete(a + "/channels/{channel_id}/messages/{message_id}", self.delete_message),
            web.put(a + "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self.add_reaction),
            web.post(a + "/channels/{channel_id}/messages/{message_id}/threads", self.thread_from_message),
            web.post(a + "/channels/{channel_id}/threads", self.thread_without_message),
            web.put(a + "/channels/{channel_id}/thread-members/{user_id}", self.add_thread_member),
            web.post(a + "/guilds/{guild_id}/scheduled-events", self.create_scheduled_event),
            web.patch(a + "/guilds/{guild_id}/scheduled-events/{event_id}", self.edit_scheduled_event),
        ]

    # -- identity --------------------------------------------------------------------
    async def gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return json_response({"url": self.gateway_url(), "shards": 1, "session_start_limit": limit})

    async def me(self, request: web.Request) -> web.Response:
        return json_response({**self.state.bot_user, "verified": True, "mfa_enabled": False, "locale": "en-US"})

    async def get_user(self, request: web.Request) -> web.Response:
        user = self.state.users.get(request.match_info["user_id"])
        return json_response(user) if user else not_found("User", 10013)

    async def application(self, request: web.Request) -> web.Response:
        bot = self.state.bot_user
        return json_response({
            "id": self.state.application_id, "name": bot["username"], "description": "", "icon": None,
            "bot_public": False, "bot_require_code_grant": False, "owner": bot, "team": None,
            "verify_key": "0" * 64, "flags": 0, "summary": "", "bot": bot, "redirect_uris": [],
            "interactions_endpoint_url": None, "tags": [],
        })

    # -- application commands --------------------------------------------------------
    def _scope(self, request: web.Request) -> str:
        return request.match_info.get("guild_id", "global")

    async def get_commands(self, request: web.Request) -> web.Response:
        return json_response(self.state.registered_commands.get(self._scope(request), []))

    async def put_commands(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        guild_id = None if scope == "global" else scope
        specs = record_of(request).json or []
        previous = {c["name"]: c["id"] for c in self.state.registered_commands.get(scope, [])}
        commands = [
            p.command_payload(spec, command_id=previous.get(spec["name"]) or self.state.ids.next(),
                              application_id=self.state.application_id, guild_id=guild_id)
            for spec in specs
        ]
        self.state.registered_commands[scope] = commands
        return json_response(commands)

    # -- guilds and channels ---------------------------------------------------------
    async def get_guild(self, request: web.Request) -> web.Response:
        guild = self.state.guilds.get(request.match_info["guild_id"])
        if guild is None:
            return not_found("Guild", 10004)
        return json_response({k: v for k, v in guild.items() if k not in ("channels", "members")})

    async def guild_channels(self, request: web.Request) -> web.Response:
        guild = self.state.guilds.get(request.match_info["guild_id"])
        return json_response(guild["channels"]) if guild else not_found("Guild", 10004)

    async def get_member(self, request: web.Request) -> web.Response:
        member = self.state.member(request.match_info["guild_id"], request.match_info["user_id"])
        return json_response(member) if member else not_found("Member", 10007)

    async def get_channel(self, request: web.Request) -> web.Response:
        channel = self.state.channels.get(request.match_info["channel_id"])
        return json_response(channel) if channel else not_found("Channel", 10003)

    async def typing(self, request: web.Request) -> web.Response:
        return no_content()

    async def open_dm(self, request: web.Request) -> web.Response:
        user_id = str(body_of(request).get("recipient_id"))
        if user_id not in self.state.users:
            return error(400, "Invalid Form Body", 50035)
        return json_response(self.state.dm_channel(user_id))

    # -- messages --------------------------------------------------------------------
    def _attachments(self, request: web.Request) -> list[dict[str, Any]]:
        return attachments_from(self.state, request)

    def _message_fields(self, request: web.Request) -> dict[str, Any]:
        body = body_of(request)
        return {
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "attachments": self._attachments(request),
            "flags": body.get("flags") or 0,
        }

    async def create_message(self, request: web.Request) -> web.Response:
        channel_id = request.match_info["channel_id"]
        if channel_id not in self.state.channels:
            return not_found("Channel", 10003)
        if self.state.dm_is_closed(channel_id):
            return error(403, "Cannot send messages to this user", 50007)
        fields = self._message_fields(request)
        reference = body_of(request).get("message_reference")
        message = self.state.new_message(channel_id, self.state.bot_user, by_bot=True, **fields)
        if reference:
            message["message_reference"] = reference
            message["type"] = 19
        return json_response(message)

    async def get_message(self, request: web.Request) -> web.Response:
        message = self.state.all_messages.get(request.match_info["message_id"])
        return json_response(message) if message else not_found("Message", 10008)

    async def edit_message(self, request: web.Request) -> web.Response:
        message = self.state.edit_message(request.match_info["message_id"], body_of(request),
                                          self._attachments(request))
        return json_response(message) if message else not_found("Message", 10008)

    async def delete_message(self, request: web.Request) -> web.Response:
        found = self.state.delete_message(request.match_info["message_id"])
        return no_content() if found else not_found("Message", 10008)

    async def add_reaction(self, request: web.Request) -> web.Response:
        info = request.match_info
        if info["message_id"] not in self.state.all_messages:
            return not_found("Message", 10008)
        self.state.reactions_added.append((info["channel_id"], info["message_id"], info["emoji"]))
        return no_content()

    # -- threads ---------------------------------------------------------------------
    async def thread_from_message(self, request: web.Request) -> web.Response:
        body = body_of(request)
        parent_id, message_id = request.match_info["channel_id"], request.match_info["message_id"]
        if parent_id not in self.state.channels or message_id not in self.state.all_messages:
            return not_found("Message", 10008)
        # Discord gives a thread started from a message the message's id.
        thread = self.state.add_thread(parent_id, message_id, body.get("name", "thread"),
                                       owner_id=self.state.bot_user["id"],
                                       auto_archive_duration=body.get("auto_archive_duration") or 1440)
        self.state.all_messages[message_id]["thread"] = thread
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return json_response(thread, status=201)

    async def thread_without_message(self, request: web.Request) -> web.Response:
        body = body_of(request)
        parent_id = request.match_info["channel_id"]
        if parent_id not in self.state.channels:
            return not_found("Channel", 10003)
        thread = self.state.add_thread(parent_id, self.state.ids.next(), body.get("name", "thread"),
                                       owner_id=self.state.bot_user["id"],
                                       private=body.get("type", p.CHANNEL_TYPE_PRIVATE_THREAD) == p.CHANNEL_TYPE_PRIVATE_THREAD,
                                       auto_archive_duration=body.get("auto_archive_duration") or 1440,
                                       invitable=body.get("invitable", True))
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return json_response(thread, status=201)

    async def add_thread_member(self, request: web.Request) -> web.Response:
        thread_id = request.match_info["channel_id"]
        if thread_id not in self.state.thread_members:
            return not_found("Channel", 10003)
        self.state.thread_members[thread_id].add(request.match_info["user_id"])
        return no_content()

    # -- guild scheduled events ------------------------------------------------------
    async def create_scheduled_event(self, request: web.Request) -> web.Response:
        guild_id = request.match_info["guild_id"]
        if guild_id not in self.state.guilds:
            return not_found("Guild", 10004)
        body = body_of(request)
        missing = [k for k in ("name", "privacy_level", "scheduled_start_time", "entity_type") if k not in body]
        if body.get("entity_type") == 3 and not ("scheduled_end_time" in body and body.get("entity_metadata", {}).get("location")):
            missing.append("scheduled_end_time/entity_metadata.location")  # external events need both
        if missing:
            return error(400, f"Invalid Form Body: {', '.join(missing)}", 50035)
        event = p.scheduled_event_payload(self.state.ids.next(), guild_id, self.state.bot_user, body)
        self.state.scheduled_events[event["id"]] = event
        return json_response(event)

    async def edit_scheduled_event(self, request: web.Request) -> web.Response:
        event = self.state.scheduled_events.get(request.match_info["event_id"])
        if event is None or event["guild_id"] != request.match_info["guild_id"]:
            return not_found("Guild Scheduled Event", 10070)
        event.update({k: v for k, v in body_of(request).items() if k != "id"})
        return json_response(event)
