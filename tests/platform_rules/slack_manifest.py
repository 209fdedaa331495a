"""What Slack documents for an app manifest (https://docs.slack.dev/reference/app-manifest), as a
JSON Schema for the parts the bot uses, plus the rules a schema cannot say.

Written from Slack's reference, not from our generator: the keys each object may have (a key
Slack does not know is refused on import), which ones are required, and the documented limits
(app name 35 characters, short description 140, slash command 32 with its "/", its description
2,000, usage hint 1,000, bot display name 80). Each event we subscribe to needs its scope
(the event's "Required scopes" in Slack's Events API reference).
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

_STR = {"type": "string"}
_BOOL = {"type": "boolean"}
_URL = {"type": "string", "pattern": r"^https://\S+$"}


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


SLASH_COMMAND = _object({
    "command": {"type": "string", "pattern": r"^/[a-z0-9_-]+$", "maxLength": 32},
    "description": {"type": "string", "minLength": 1, "maxLength": 2000},
    "usage_hint": {"type": "string", "maxLength": 1000},
    "url": _URL,
    "should_escape": _BOOL,
}, ("command", "description"))

SCHEMA: dict[str, Any] = _object({
    "_metadata": _object({"major_version": {"type": "integer"}, "minor_version": {"type": "integer"}}),
    "display_information": _object({
        "name": {"type": "string", "minLength": 1, "maxLength": 35},
        "description": {"type": "string", "maxLength": 140},
        "long_description": {"type": "string", "minLength": 174, "maxLength": 4000},
        "background_color": {"type": "string", "pattern": r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"},
    }, ("name",)),
    "features": _object({
        "app_home": _object({"home_tab_enabled": _BOOL, "messages_tab_enabled": _BOOL,
                             "messages_tab_read_only_enabled": _BOOL}),
        "bot_user": _object({"display_name": {"type": "string", "minLength": 1, "maxLength": 80},
                             "always_online": _BOOL}, ("display_name",)),
        "shortcuts": {"type": "array", "maxItems": 10},
        "slash_commands": {"type": "array", "items": SLASH_COMMAND, "maxItems": 50},
        "unfurl_domains": {"type": "array", "items": _STR, "maxItems": 5},
    }),
    "oauth_config": _object({
        "redirect_urls": {"type": "array", "items": _URL, "maxItems": 1000},
        "scopes": _object({
            "bot": {"type": "array", "items": {"type": "string", "pattern": r"^[a-z_]+(:[a-z_.]+)?$"},
                    "maxItems": 255, "uniqueItems": True},
            "user": {"type": "array", "items": _STR, "maxItems": 255, "uniqueItems": True},
        }),
    }),
    "settings": _object({
        "allowed_ip_address_ranges": {"type": "array", "items": _STR, "maxItems": 10},
        "event_subscriptions": _object({
            "request_url": _URL,
            "bot_events": {"type": "array", "items": _STR, "maxItems": 100, "uniqueItems": True},
            "user_events": {"type": "array", "items": _STR, "maxItems": 100},
        }),
        "interactivity": _object({"is_enabled": _BOOL, "request_url": _URL, "message_menu_options_url": _URL},
                                 ("is_enabled",)),
        "org_deploy_enabled": _BOOL,
        "socket_mode_enabled": _BOOL,
        "token_rotation_enabled": _BOOL,
        "is_hosted": _BOOL,
        "function_runtime": _STR,
    }),
}, ("display_information",))

# The scope each Events API event needs, from Slack's event reference.
EVENT_SCOPES = {
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "message.mpim": "mpim:history",
    "reaction_added": "reactions:read",
    "reaction_removed": "reactions:read",
    "member_joined_channel": "channels:read",
    "member_left_channel": "channels:read",
    "team_join": "users:read",
    "app_mention": "app_mentions:read",
    "channel_created": "channels:read",
}
# The bot scopes each Web API method needs (Slack's method reference, "Required scopes"); None: no
# scope (auth.test; views.open works with the trigger id of the command or click).
METHOD_SCOPES: dict[str, tuple[str, ...] | None] = {
    "auth.test": None,
    "send.socket_mode_response": None,  # Socket Mode's websocket, not a Web API method
    "views.open": None,
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "conversations.info": ("channels:read", "groups:read"),
    "conversations.list": ("channels:read", "groups:read"),
    "conversations.members": ("channels:read", "groups:read"),
    "conversations.join": ("channels:join",),
    "conversations.open": ("im:write", "mpim:write"),
    "files.upload_v2": ("files:write",),  # slack_sdk's helper: files.getUploadURLExternal + completeUploadExternal
    "users.info": ("users:read",),
    "usergroups.list": ("usergroups:read",),
    "usergroups.users.list": ("usergroups:read",),
}
PLACEHOLDER = "YOUR-HOST"


def manifest_problems(manifest: Any) -> list[str]:
    """Everything Slack would refuse or that would silently not work, as readable lines."""
    problems = [f"{'.'.join(str(p) for p in error.absolute_path) or 'manifest'}: {error.message}"
                for error in Draft202012Validator(SCHEMA).iter_errors(manifest)]
    if problems:
        return problems
    features, settings = manifest.get("features", {}), manifest.get("settings", {})
    scopes = set(manifest.get("oauth_config", {}).get("scopes", {}).get("bot", []))
    commands = features.get("slash_commands", [])
    names = [c["command"] for c in commands]
    problems += [f"slash command {n} declared twice" for n in sorted({n for n in names if names.count(n) > 1})]
    if commands and "commands" not in scopes:
        problems.append("slash commands need the commands scope")
    events = settings.get("event_subscriptions", {}).get("bot_events", [])
    for event in events:
        needed = EVENT_SCOPES.get(event)
        if needed is None:
            problems.append(f"bot event {event}: unknown to these rules — add its required scope to EVENT_SCOPES")
        elif needed not in scopes:
            problems.append(f"bot event {event} needs the {needed} scope")
    if not settings.get("socket_mode_enabled", False):  # HTTP mode: Slack calls these URLs
        urls = [("event_subscriptions.request_url", settings.get("event_subscriptions", {}).get("request_url")),
                ("interactivity.request_url", settings.get("interactivity", {}).get("request_url")),
                *((f"slash command {c['command']} url", c.get("url")) for c in commands)]
        for where, url in urls:
            if where.startswith("event") and not events:
                continue
            if not url or PLACEHOLDER in url:
                problems.append(f"{where}: HTTP mode needs the bot's public URL (got {url!r})")
    return problems
