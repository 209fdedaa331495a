"""Discord request bodies against Discord's published OpenAPI spec, plus the documented limits it omits.

The spec is discord/discord-api-spec's specs/openapi.json (API v10, commit 74fda0f of
2026-07-18), vendored whole as tests/data/discord-openapi-v10.json (1.2 MB).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any, Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from .limits import too_long

SPEC_FILE = Path(__file__).resolve().parents[1] / "data" / "discord-openapi-v10.json"

# Limits from Discord's docs (Embed Limits, Message Components, Create Message) that the
# spec does not state; the spec's own maxLength values (title 256, ...) are checked by the schema.
MAX_CONTENT = 2000  # the spec says 4,000: that is for Nitro users, bots get 2,000
MAX_EMBED_TOTAL = 6000
MAX_ACTION_ROWS = 5
MAX_MODAL_TITLE = 45
MAX_COMMAND_TOTAL = 8000  # name + description + every option's name, description and choices


@cache
def spec() -> dict[str, Any]:
    return json.loads(SPEC_FILE.read_text())


@cache
def _templates() -> list[tuple[re.Pattern[str], int, str]]:
    """(regex, number of literal segments, template) for every path, most literal first."""
    rows = []
    for template in spec()["paths"]:
        parts = template.strip("/").split("/")
        regex = "/" + "/".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
        rows.append((re.compile(regex + "$"), sum(not p.startswith("{") for p in parts), template))
    return sorted(rows, key=lambda row: -row[1])


def path_template(path: str) -> str | None:
    return next((template for regex, _, template in _templates() if regex.match(path)), None)


@cache
def _validator(template: str, method: str) -> Draft202012Validator | None:
    operation = spec()["paths"][template].get(method.lower())
    if operation is None or "requestBody" not in operation:
        return None
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    # The whole document is the root, so the schema's "#/components/..." references resolve.
    return Draft202012Validator({**spec(), "$ref": "#/x-request-body", "x-request-body": body_schema})


def _string_ids(attachments: Any) -> Any:
    if not isinstance(attachments, list):
        return attachments
    return [{**a, "id": str(a["id"])} if isinstance(a, dict) and isinstance(a.get("id"), int) else a
            for a in attachments]


def tolerate_known_deviations(template: str, body: Any) -> Any:
    """discord.py sends two snowflakes as integers where the spec says strings (Discord accepts
    them, see PERFORMANCE-NOTES.md): attachment ids in message bodies and a DM's recipient_id.
    Exactly those become strings; any other integer snowflake is still an error."""
    if not isinstance(body, dict):
        return body
    body = dict(body)
    if template == "/users/@me/channels" and isinstance(body.get("recipient_id"), int):
        body["recipient_id"] = str(body["recipient_id"])
    if "attachments" in body:
        body["attachments"] = _string_ids(body["attachments"])
    if isinstance(body.get("data"), dict) and "attachments" in body["data"]:
        body["data"] = {**body["data"], "attachments": _string_ids(body["data"]["attachments"])}
    return body


def schema_problems(method: str, path: str, body: Any) -> list[str]:
    template = path_template(path.split("?")[0])
    if template is None:
        return [f"no such endpoint in Discord's API: {method} {path}"]
    if method.lower() not in spec()["paths"][template]:
        return [f"{method} is not a method of {template}"]
    validator = _validator(template, method)
    if validator is None or body is None:
        return []
    body = tolerate_known_deviations(template, body)
    errors = [_most_relevant(e) for e in validator.iter_errors(body)]
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message[:300]}" for e in errors)


def _most_relevant(error: Any) -> Any:
    """For a oneOf/anyOf miss, the error inside the branch the body meant: Discord's unions are
    told apart by their "type" field, so branches whose "type" did not match are skipped."""
    if not error.context:
        return error
    branches: dict[Any, list[Any]] = {}
    for inner in error.context:
        branches.setdefault(inner.relative_schema_path[0], []).append(inner)
    meant = [errors for errors in branches.values()
             if not any(list(e.relative_path) == ["type"] or (not e.relative_path and e.validator == "type")
                        for e in errors)]
    if not meant:
        return best_match(error.context)
    return _most_relevant(best_match(min(meant, key=len)))


# -- documented limits -----------------------------------------------------------------------

def message_bodies(path: str, body: Any) -> Iterator[dict[str, Any]]:
    """The message-shaped parts of a request: the body, or an interaction callback's data."""
    if not isinstance(body, dict):
        return
    if path.endswith("/callback"):
        if isinstance(body.get("data"), dict) and body.get("type") in (4, 7):
            yield body["data"]
    elif "/messages" in path or path.startswith("/webhooks/"):
        yield body


def embed_length(embed: dict[str, Any]) -> int:
    def text(value: Any) -> int:
        return len(value) if isinstance(value, str) else 0

    total = text(embed.get("title")) + text(embed.get("description"))
    total += sum(text(f.get("name")) + text(f.get("value")) for f in embed.get("fields") or [])
    total += text((embed.get("footer") or {}).get("text")) + text((embed.get("author") or {}).get("name"))
    return total


def message_limit_problems(message: dict[str, Any]) -> list[str]:
    problems = too_long("content", message.get("content"), MAX_CONTENT, "Discord")
    embeds = message.get("embeds") or []
    total = sum(embed_length(e) for e in embeds if isinstance(e, dict))
    if total > MAX_EMBED_TOTAL:
        problems.append(f"embeds: {total} characters in all, Discord allows {MAX_EMBED_TOTAL}")
    rows = [c for c in message.get("components") or [] if isinstance(c, dict) and c.get("type") == 1]
    if len(rows) > MAX_ACTION_ROWS:
        problems.append(f"components: {len(rows)} action rows, Discord allows {MAX_ACTION_ROWS}")
    return problems


def modal_problems(path: str, body: Any) -> list[str]:
    if not (path.endswith("/callback") and isinstance(body, dict) and body.get("type") == 9):
        return []
    data = body.get("data") or {}
    problems = too_long("modal title", data.get("title"), MAX_MODAL_TITLE, "Discord")
    if len(data.get("components") or []) > MAX_ACTION_ROWS:
        problems.append(f"modal: {len(data['components'])} rows, Discord allows {MAX_ACTION_ROWS}")
    return problems


def command_length(command: dict[str, Any]) -> int:
    def walk(option: dict[str, Any]) -> int:
        size = len(option.get("name") or "") + len(option.get("description") or "")
        size += sum(len(str(c.get("name") or "")) + len(str(c.get("value") or "")) for c in option.get("choices") or [])
        return size + sum(walk(o) for o in option.get("options") or [])

    return walk(command)


def command_problems(method: str, path: str, body: Any) -> list[str]:
    if not (method == "PUT" and path.endswith("/commands") and isinstance(body, list)):
        return []
    return [f"command {c.get('name')}: {command_length(c)} characters in all, Discord allows {MAX_COMMAND_TOTAL}"
            for c in body if isinstance(c, dict) and command_length(c) > MAX_COMMAND_TOTAL]


def check_discord(platform: str, operation: str, body: Any) -> list[str]:
    if platform != "discord":
        return []
    method, _, path = operation.partition(" ")
    problems = schema_problems(method, path, body)
    for message in message_bodies(path, body):
        problems += message_limit_problems(message)
    return problems + modal_problems(path, body) + command_problems(method, path, body)
