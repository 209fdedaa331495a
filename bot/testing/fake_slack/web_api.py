"""Web API method handlers: params in, Slack-shaped response dict out.

Each handler mirrors the documented response shape closely enough for slack_sdk and
slack_bolt; errors are raised as ApiError and become {"ok": false, "error": ...}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from bot.testing.fake_slack.workspace import Channel, Workspace

Params = dict[str, Any]


class ApiError(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass
class Outbox:
    """What the bot sent that is not a channel message."""

    ephemeral: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[dict[str, Any]] = field(default_factory=list)
    # file_id -> {"filename", "length", "alt_txt", "bytes"} until completeUploadExternal.
    pending_files: dict[str, dict[str, Any]] = field(default_factory=dict)


def require(params: Params, name: str) -> Any:
    value = params.get(name)
    if value in (None, ""):
        raise ApiError("invalid_arguments")
    return value


def as_list(value: Any) -> list[str]:
    """Slack accepts lists as comma-separated strings (form) or arrays (JSON)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


def as_bool(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def paginate(items: list[Any], cursor: str | None, limit: Any) -> tuple[list[Any], str]:
    """One page plus the next cursor ("" on the last page), like Slack's cursor pagination."""
    size = int(limit) if limit not in (None, "", 0, "0") else 100
    start = int(cursor.removeprefix("offset:")) if cursor else 0
    page = items[start : start + size]
    more = start + size < len(items)
    return page, f"offset:{start + size}" if more else ""


class WebApi:
    """The Web API methods the fake implements, dispatched by method name."""

    def __init__(self, workspace: Workspace, outbox: Outbox, base_url: Callable[[], str]) -> None:
        self.ws = workspace
        self.outbox = outbox
        self._base_url = base_url  # resolved late: the port is known only after start()
        self.handlers: dict[str, Callable[[Params], dict[str, Any]]] = {
            "auth.test": self.auth_test,
            "chat.postMessage": self.chat_post_message,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.update": self.chat_update,
            "chat.delete": self.chat_delete,
            "conversations.open": self.conversations_open,
            "conversations.info": self.conversations_info,
            "conversations.list": self.conversations_list,
            "conversations.join": self.conversations_join,
            "conversations.members": self.conversations_members,
            "users.info": self.users_info,
            "usergroups.list": self.usergroups_list,
            "usergroups.users.list": self.usergroups_users_list,
            "reactions.add": self.reactions_add,
            "views.open": self.views_open,
            "views.update": self.views_update,
            "files.getUploadURLExternal": self.files_get_upload_url,
            "files.completeUploadExternal": self.files_complete_upload,
            "apps.connections.open": self.apps_connections_open,
        }

    def _channel(self, params: Params, key: str = "channel") -> Channel:
        channel = self.ws.resolve_channel(str(require(params, key)))
        if channel is None:
            raise ApiError("channel_not_found")
        return channel

    def auth_test(self, params: Params) -> dict[str, Any]:
        return {
            "url": "https://fake-workspace.slack.com/",
            "team": "Fake Workspace",
            "user": "bot",
            "team_id": self.ws.team_id,
            "user_id": self.ws.bot_user_id,
            "bot_id": self.ws.bot_id,
            "is_enterprise_install": False,
        }

    def chat_post_message(self, params: Params) -> dict[str, Any]:
        channel = self._channel(params)
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            raise ApiError("no_text")
        message = self.ws.post(channel.id, params)
        return {"channel": channel.id, "ts": message["ts"], "message": _public(message)}

    def chat_post_ephemeral(self, params: Params) -> dict[str, Any]:
        channel = self._channel(params)
        user = require(params, "user")
        ts = self.ws.clock.next()
        entry = {"channel": channel.id, "user": user, "ts": ts, "source": "chat.postEphemeral"}
        entry.update({k: params[k] for k in ("text", "blocks", "thread_ts") if params.get(k) is not None})
        self.outbox.ephemeral.append(entry)
        return {"message_ts": ts}

    def chat_update(self, params: Params) -> dict[str, Any]:
        channel = self._channel(params)
        message = self.ws.find_message(channel.id, str(require(params, "ts")))
        if message is None:
            raise ApiError("message_not_found")
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in params and params[key] is not None:
                message[key] = params[key]
        message["edit_count"] += 1
        message["edited"] = {"user": self.ws.bot_user_id, "ts": self.ws.clock.next()}
        return {"channel": channel.id, "ts": message["ts"], "text": message["text"], "message": _public(message)}

    def chat_delete(self, params: Params) -> dict[str, Any]:
        channel = self._channel(params)
        ts = str(require(params, "ts"))
        if not self.ws.delete_message(channel.id, ts):
            raise ApiError("message_not_found")
        return {"channel": channel.id, "ts": ts}

    def conversations_open(self, params: Params) -> dict[str, Any]:
        if params.get("channel"):
            return {"channel": {"id": self._channel(params).id}}
        users = as_list(params.get("users"))
        if not users:
            raise ApiError("users_list_not_supplied")
        for user in users:
            if user not in self.ws.users and user != self.ws.bot_user_id:
                raise ApiError("user_not_found")
        channel = self.ws.open_conversation(users)
        if as_bool(params.get("return_im")):
            return {"channel": channel.to_api()}
        return {"no_op": False, "already_open": False, "channel": {"id": channel.id}}

    def conversations_info(self, params: Params) -> dict[str, Any]:
        channel = self.ws.channels.get(str(require(params, "channel")))
        if channel is None:
            raise ApiError("channel_not_found")
        return {"channel": channel.to_api()}

    def conversations_list(self, params: Params) -> dict[str, Any]:
        types = set(as_list(params.get("types")) or ["public_channel"])
        matching = [c.to_api() for c in self.ws.channels.values() if c.matches_types(types)]
        page, next_cursor = paginate(matching, params.get("cursor"), params.get("limit"))
        return {"channels": page, "response_metadata": {"next_cursor": next_cursor}}

    def conversations_join(self, params: Params) -> dict[str, Any]:
        channel = self._channel(params)
        if channel.is_private or channel.is_im or channel.is_mpim:
            raise ApiError("method_not_supported_for_channel_type")
        channel.bot_is_member = True
        if self.ws.bot_user_id not in channel.members:
            channel.members.append(self.ws.bot_user_id)
        return {"channel": channel.to_api()}

    def conversations_members(self, params: Params) -> dict[str, Any]:
        channel = self._channel(params)
        page, next_cursor = paginate(list(channel.members), params.get("cursor"), params.get("limit"))
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}

    def users_info(self, params: Params) -> dict[str, Any]:
        user = self.ws.users.get(str(require(params, "user")))
        if user is None:
            raise ApiError("user_not_found")
        return {"user": user.to_api()}

    def usergroups_list(self, params: Params) -> dict[str, Any]:
        include_users = as_bool(params.get("include_users"))
        return {"usergroups": [g.to_api(include_users) for g in self.ws.usergroups.values()]}

    def usergroups_users_list(self, params: Params) -> dict[str, Any]:
        group = self.ws.usergroups.get(str(require(params, "usergroup")))
        if group is None:
            raise ApiError("no_such_subteam")
        return {"users": list(group.users)}

    def reactions_add(self, params: Params) -> dict[str, Any]:
        channel = self._channel(params)
        name, ts = str(require(params, "name")), str(require(params, "timestamp"))
        reaction = {"channel": channel.id, "ts": ts, "name": name, "user": self.ws.bot_user_id}
        if reaction in self.ws.reactions:
            raise ApiError("already_reacted")
        self.ws.reactions.append(reaction)
        message = self.ws.find_message(channel.id, ts)
        if message is not None:
            message.setdefault("reactions", []).append({"name": name, "users": [self.ws.bot_user_id], "count": 1})
        return {}

    def views_open(self, params: Params) -> dict[str, Any]:
        require(params, "trigger_id")
        view = dict(require(params, "view"))
        view_id = self.ws.new_id("V")
        stored = self._store_view(view_id, view)
        stored["trigger_id"] = params["trigger_id"]
        return {"view": stored}

    def views_update(self, params: Params) -> dict[str, Any]:
        view = dict(require(params, "view"))
        view_id = params.get("view_id") or self._view_id_for_external(params.get("external_id"))
        if view_id not in self.ws.views:
            raise ApiError("not_found")
        stored = self._store_view(view_id, view)
        return {"view": stored}

    def _view_id_for_external(self, external_id: str | None) -> str:
        return next((k for k, v in self.ws.views.items() if external_id and v.get("external_id") == external_id), "")

    def _store_view(self, view_id: str, view: dict[str, Any]) -> dict[str, Any]:
        previous = self.ws.views.get(view_id, {})
        stored = {
            **view,
            "id": view_id,
            "team_id": self.ws.team_id,
            "bot_id": self.ws.bot_id,
            "app_id": "A0FAKE",
            "state": {"values": {}},
            "hash": f"{self.ws.clock.next()}.fake",
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "update_count": previous.get("update_count", -1) + 1,
        }
        self.ws.views[view_id] = stored
        return stored

    def files_get_upload_url(self, params: Params) -> dict[str, Any]:
        filename = str(require(params, "filename"))
        file_id = self.ws.new_id("F")
        self.outbox.pending_files[file_id] = {
            "filename": filename,
            "length": int(require(params, "length")),
            "alt_txt": params.get("alt_txt"),
            "bytes": None,
        }
        return {"upload_url": f"{self._base_url()}/upload/{file_id}", "file_id": file_id}

    def receive_upload(self, file_id: str, data: bytes) -> bool:
        pending = self.outbox.pending_files.get(file_id)
        if pending is None:
            return False
        pending["bytes"] = data
        return True

    def files_complete_upload(self, params: Params) -> dict[str, Any]:
        files = require(params, "files")
        files = json.loads(files) if isinstance(files, str) else files
        channel_ids = as_list(params.get("channel_id")) or as_list(params.get("channels"))
        completed = []
        for item in files:
            pending = self.outbox.pending_files.pop(item["id"], None)
            if pending is None or pending["bytes"] is None:
                raise ApiError("file_not_found" if pending is None else "file_upload_not_completed")
            title = item.get("title") or pending["filename"]
            for channel in channel_ids or [None]:
                self.outbox.uploads.append(
                    {
                        "file_id": item["id"],
                        "filename": pending["filename"],
                        "title": title,
                        "channel": channel,
                        "bytes": pending["bytes"],
                        "initial_comment": params.get("initial_comment"),
                        "thread_ts": params.get("thread_ts"),
                    }
                )
            completed.append(
                {
                    "id": item["id"],
                    "name": pending["filename"],
                    "title": title,
                    "size": len(pending["bytes"]),
                    "channels": [c for c in channel_ids if c.startswith("C")],
                    "groups": [c for c in channel_ids if c.startswith("G")],
                    "ims": [c for c in channel_ids if c.startswith("D")],
                    "url_private": f"{self._base_url()}/files/{item['id']}",
                }
            )
        return {"files": completed}

    def apps_connections_open(self, params: Params) -> dict[str, Any]:
        ws_base = self._base_url().replace("http://", "ws://", 1)
        return {"url": f"{ws_base}/socket?ticket={self.ws.new_id('t')}"}


def _public(message: dict[str, Any]) -> dict[str, Any]:
    """The message as Slack returns it (without the fake's bookkeeping)."""
    return {k: v for k, v in message.items() if k != "edit_count"}
