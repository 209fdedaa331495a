"""Slack messages and views through slack_sdk's Block Kit models, plus the limits they omit.

slack_sdk's `Block.parse(...).validate_json()` knows each block's own limits (header 150
characters, section text 3,000, 10 fields, action ids 255, ...); a message's block count
(50; 100 in a view) and its text (40,000) are Slack's documented limits on top. A key the
model does not know is dropped by slack_sdk and refused by Slack, so it is reported too.
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block, BlockElement, Option
from slack_sdk.models.views import View

from .limits import too_long

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT = 40_000
MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage", "response_url"}
VIEW_METHODS = {"views.open", "views.update", "views.push", "views.publish"}


def _decoded(value: Any) -> Any:
    """Form-encoded calls carry blocks and views as JSON strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def dropped_keys(given: Any, kept: Any, where: str) -> list[str]:
    """Keys in what the bot sent that slack_sdk's model does not carry (Slack refuses them)."""
    if isinstance(given, dict) and isinstance(kept, dict):
        problems = [f"{where}.{key}: not a Block Kit property" for key in given if key not in kept]
        return problems + [p for key in given if key in kept for p in dropped_keys(given[key], kept[key], f"{where}.{key}")]
    if isinstance(given, list) and isinstance(kept, list) and len(given) == len(kept):
        return [p for i, (g, k) in enumerate(zip(given, kept)) for p in dropped_keys(g, k, f"{where}[{i}]")]
    return []


def block_problems(blocks: Any, limit: int) -> list[str]:
    if not isinstance(blocks, list):
        return [f"blocks: not a list ({type(blocks).__name__})"]
    problems = [f"blocks: {len(blocks)} blocks, Slack allows {limit}"] if len(blocks) > limit else []
    for index, raw in enumerate(blocks):
        where = f"blocks[{index}]"
        block = Block.parse(raw) if isinstance(raw, dict) else None
        if block is None:
            problems.append(f"{where}: not a Block Kit block: {str(raw)[:80]}")
            continue
        try:
            kept = block.to_dict()  # validates, then serialises what the model knows
        except SlackObjectFormationError as error:
            problems.append(f"{where} ({raw.get('type')}): {error}")
            continue
        problems += dropped_keys(raw, kept, where) + nested_problems(raw, where)
    return problems


def nested_problems(raw: Any, where: str) -> list[str]:
    """What slack_sdk leaves unchecked inside a block: a select's options stay plain dicts (their
    75-character text is never validated), so every option and element found inside is parsed
    and validated on its own."""
    problems: list[str] = []
    if isinstance(raw, list):
        for index, item in enumerate(raw):
            problems += nested_problems(item, f"{where}[{index}]")
        return problems
    if not isinstance(raw, dict):
        return problems
    for key, value in raw.items():
        inside = f"{where}.{key}"
        candidates = value if key == "options" and isinstance(value, list) else [value] if key == "initial_option" else []
        for index, option in enumerate(candidates):
            try:
                Option(**option).to_dict() if isinstance(option, dict) else None
            except (SlackObjectFormationError, TypeError) as error:
                problems.append(f"{inside}[{index}]: {error}")
        if isinstance(value, dict) and value.get("type") and (element := BlockElement.parse(value)) is not None:
            try:
                element.to_dict()
            except SlackObjectFormationError as error:
                problems.append(f"{inside} ({value.get('type')}): {error}")
        problems += nested_problems(value, inside)
    return problems


def message_problems(params: dict[str, Any]) -> list[str]:
    problems = too_long("text", params.get("text"), MAX_TEXT, "Slack")
    if params.get("blocks") not in (None, "", []):
        problems += block_problems(_decoded(params["blocks"]), MAX_MESSAGE_BLOCKS)
    return problems


def view_problems(params: dict[str, Any]) -> list[str]:
    view = _decoded(params.get("view"))
    if not isinstance(view, dict):
        return ["view: missing or not an object"]
    problems = block_problems(view.get("blocks") or [], MAX_VIEW_BLOCKS)
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError) as error:
        problems.append(f"view: {error}")
    return problems


def check_slack(platform: str, operation: str, body: Any) -> list[str]:
    if platform != "slack" or not isinstance(body, dict):
        return []
    if operation in MESSAGE_METHODS:
        return message_problems(body)
    if operation in VIEW_METHODS:
        return view_problems(body)
    return []
