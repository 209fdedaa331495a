"""Interactions: payloads the fake injects, and the callback/webhook endpoints the bot answers on."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import payloads as p
from .rest import API_PREFIX, attachments_from, body_of, error, json_response, no_content
from .state import DiscordState, InteractionRecord

LOADING_FLAG = 128


def interaction_payload(state: DiscordState, record: InteractionRecord, user_id: str, *, type: int,
                        data: dict[str, Any], message: dict[str, Any] | None = None) -> dict[str, Any]:
    """An INTERACTION_CREATE body as Discord sends it for a user in a guild channel (or a DM)."""
    channel = state.channels.get(record.channel_id) or p.channel_payload(record.guild_id, record.channel_id, "unknown")
    payload: dict[str, Any] = {
        "id": record.id,
        "application_id": state.application_id,
        "type": type,
        "token": record.token,
        "version": 1,
        "data": data,
        "channel_id": record.channel_id,
        "channel": channel,
        "app_permissions": str(p.ALL_PERMISSIONS),
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 25 * 1024 * 1024,
        "authorizing_integration_owners": {"0": record.guild_id} if record.guild_id else {"1": user_id},
        "context": 0 if record.guild_id else 1,
    }
    member = state.member(record.guild_id, user_id) if record.guild_id else None
    if record.guild_id:
        if member is None:
            member = state.add_member(record.guild_id, user_id, state.user(user_id)["username"])
        guild = state.guilds[record.guild_id]
        payload.update(guild_id=record.guild_id, guild_locale="en-US",
                       guild={"id": record.guild_id, "locale": "en-US", "features": []},
                       member={**member, "permissions": str(p.member_permissions(guild, member))})
    else:
        payload["user"] = state.user(user_id)
    if message is not None:
        payload["message"] = message
    return payload


def is_ephemeral(body: dict[str, Any]) -> bool:
    return bool((body.get("flags") or 0) & p.EPHEMERAL_FLAG)


class InteractionApi:
    """POST /interactions/{id}/{token}/callback and the /webhooks/{app}/{token} follow-up family."""

    def __init__(self, state: DiscordState) -> None:
        self.state = state

    def routes(self) -> list[web.RouteDef]:
        hook = API_PREFIX + "/webhooks/{app}/{token}"
        return [
            web.post(API_PREFIX + "/interactions/{interaction_id}/{token}/callback", self.callback),
            web.post(hook, self.followup),
            web.get(hook + "/messages/{message_id}", self.get_message),
            web.patch(hook + "/messages/{message_id}", self.edit_message),
            web.delete(hook + "/messages/{message_id}", self.delete_message),
            web.patch(hook, self.edit_webhook),
            web.delete(hook, self.delete_webhook),
        ]

    def _record(self, request: web.Request) -> InteractionRecord | None:
        return self.state.interactions.get(request.match_info["token"])

    def _log(self, record: InteractionRecord, entry: dict[str, Any]) -> None:
        self.state.interaction_responses.setdefault(record.id, []).append(entry)

    def _post(self, record: InteractionRecord, request: web.Request, body: dict[str, Any],
              extra_flags: int = 0) -> dict[str, Any]:
        return self.state.new_message(
            record.channel_id, self.state.bot_user, by_bot=not is_ephemeral(body),
            content=body.get("content") or "", embeds=body.get("embeds") or [],
            components=body.get("components") or [], attachments=attachments_from(self.state, request),
            flags=(body.get("flags") or 0) | extra_flags, type=20 if record.guild_id else 0,
        )

    async def callback(self, request: web.Request) -> web.Response:
        record = self._record(request)
        if record is None or record.id != request.match_info["interaction_id"]:
            return error(404, "Unknown interaction", 10062)
        if any(e["kind"] == "callback" for e in self.state.interaction_responses.get(record.id, [])):
            return error(400, "Interaction has already been acknowledged.", 40060)
        body = body_of(request)
        kind, data = body.get("type"), body.get("data") or {}
        message: dict[str, Any] | None = None
        if kind == 4:
            message = self._post(record, request, data)
            record.original_message_id = message["id"]
        elif kind == 5:
            message = self._post(record, request, data, extra_flags=LOADING_FLAG)
            record.original_message_id = message["id"]
        elif kind == 7 and record.message_id:
            message = self.state.edit_message(record.message_id, data, attachments_from(self.state, request))
        self._log(record, {"kind": "callback", "type": kind, "data": data,
                           "message_id": message["id"] if message else None})
        return json_response(self._callback_response(record, kind, data, message))

    @staticmethod
    def _callback_response(record: InteractionRecord, kind: int, data: dict[str, Any],
                           message: dict[str, Any] | None) -> dict[str, Any]:
        # Shape of the `?with_response=true` body, which discord.py 2.7 always asks for.
        interaction: dict[str, Any] = {"id": record.id, "type": 2, "response_message_loading": kind == 5,
                                       "response_message_ephemeral": is_ephemeral(data)}
        resource: dict[str, Any] = {"type": kind}
        if message is not None:
            interaction["response_message_id"] = message["id"]
            resource["message"] = message
        return {"interaction": interaction, "resource": resource}

    async def followup(self, request: web.Request) -> web.Response:
        record = self._record(request)
        if record is None:
            return error(404, "Unknown Webhook", 10015)
        body = body_of(request)
        message = self._post(record, request, body)
        self._log(record, {"kind": "followup", "data": body, "message_id": message["id"]})
        return json_response(message)

    def _message_id(self, record: InteractionRecord, request: web.Request) -> str | None:
        wanted = request.match_info["message_id"]
        # For a component interaction, @original is the message the component is on.
        return (record.original_message_id or record.message_id) if wanted == "@original" else wanted

    async def get_message(self, request: web.Request) -> web.Response:
        record = self._record(request)
        message_id = self._message_id(record, request) if record else None
        message = self.state.all_messages.get(message_id or "")
        return json_response(message) if message else error(404, "Unknown Message", 10008)

    async def edit_message(self, request: web.Request) -> web.Response:
        record = self._record(request)
        if record is None:
            return error(404, "Unknown Webhook", 10015)
        message_id = self._message_id(record, request)
        body = body_of(request)
        message = self.state.edit_message(message_id or "", body, attachments_from(self.state, request))
        if message is None:
            return error(404, "Unknown Message", 10008)
        message["flags"] = message.get("flags", 0) & ~LOADING_FLAG
        self._log(record, {"kind": "edit", "data": body, "message_id": message["id"]})
        return json_response(message)

    async def delete_message(self, request: web.Request) -> web.Response:
        record = self._record(request)
        message_id = self._message_id(record, request) if record else None
        if record is None or not self.state.delete_message(message_id or ""):
            return error(404, "Unknown Message", 10008)
        self._log(record, {"kind": "delete", "data": {}, "message_id": message_id})
        return no_content()

    async def edit_webhook(self, request: web.Request) -> web.Response:
        app = request.match_info["app"]
        return json_response({"id": app, "type": 3, "name": "interactions", "application_id": app,
                              "token": request.match_info["token"], **body_of(request)})

    async def delete_webhook(self, request: web.Request) -> web.Response:
        return no_content()
