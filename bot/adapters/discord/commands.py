"""Cog commands -> Discord application command payloads, hashing, and the sync that skips no-ops.

One top-level command per cog (``/poll`` with ``create``/``close``... as subcommands,
``/prompt bank add`` as a subcommand group); a cog's root command (``/help``) is a plain
top-level command. The JSON is built here and PUT in bulk, so interactions are handled by
the adapter itself (no discord.py CommandTree, no state in memory).
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import discord

from ...access import Access
from ...models import BotState
from ...options import INT_LIMIT, OptionSpec

if TYPE_CHECKING:
    from ...app import BotApp
    from ...cog import Cog, CommandSpec

log = logging.getLogger(__name__)

# Discord option types
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = (
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
CHAT_INPUT = 1
GUILD_CONTEXT = 0
GUILD_INSTALL = 0
MAX_DESCRIPTION = 100
MAX_CHOICES = 25
MAX_NAME = 32
TEXT_CHANNEL_TYPES = [0, 5, 10, 11, 12]  # text, announcement, and their threads

OPTION_TYPE = {
    "string": STRING, "integer": INTEGER, "number": NUMBER, "boolean": BOOLEAN, "choice": STRING,
    "channel": CHANNEL, "member": USER, "file": ATTACHMENT,
    "duration": STRING, "date": STRING, "time": STRING, "timezone": STRING,
}
FORMAT_HINT = {
    "duration": "e.g. 30m, 2h, 1d", "date": "YYYY-MM-DD", "time": "HH:MM", "timezone": "e.g. Europe/Berlin",
}
PERMISSION_FOR = {
    Access.INSTRUCTOR: discord.Permissions(manage_guild=True).value,
    Access.ADMIN: discord.Permissions(administrator=True).value,
}


def describe(text: str, fallback: str) -> str:
    """Discord wants 1-100 characters."""
    text = " ".join((text or fallback).split()) or fallback
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1] + "…"


def option_payload(option: OptionSpec) -> dict[str, Any]:
    kind = OPTION_TYPE.get(option.kind, STRING)
    help_text = option.help or option.name.replace("_", " ")
    if option.kind in FORMAT_HINT:
        help_text = f"{help_text} ({FORMAT_HINT[option.kind]})"
    payload: dict[str, Any] = {"type": kind, "name": option.name.lower()[:MAX_NAME],
                               "description": describe(help_text, option.name), "required": option.required}
    if option.kind == "choice" and len(option.choices) <= MAX_CHOICES:
        payload["choices"] = [{"name": c[:100], "value": c[:100]} for c in option.choices]
    if kind in (INTEGER, NUMBER):
        # the core's bounds, or the whole numbers it takes (the client would let 2^53 through)
        cast = int if kind == INTEGER else float
        low, high = option.min_value, option.max_value
        payload["min_value"] = cast(low if low is not None else -INT_LIMIT)
        payload["max_value"] = cast(high if high is not None else INT_LIMIT)
    if kind == STRING and option.kind in ("string", "duration", "date", "time", "timezone"):
        if option.max_length is not None:
            payload["max_length"] = min(option.max_length, 6000)
        if option.min_length is not None:
            payload["min_length"] = min(option.min_length, 6000)
    if kind == CHANNEL:
        payload["channel_types"] = TEXT_CHANNEL_TYPES
    return payload


def options_payload(options: Iterable[OptionSpec]) -> list[dict[str, Any]]:
    """Discord requires required options before optional ones (the core binds by name anyway)."""
    built = [option_payload(o) for o in options]
    return [o for o in built if o["required"]] + [o for o in built if not o["required"]]


def subcommand_payload(name: str, spec: "CommandSpec") -> dict[str, Any]:
    return {"type": SUB_COMMAND, "name": name, "description": describe(spec.help or spec.description, name),
            "options": options_payload(spec.options)}


def default_permissions(specs: Iterable["CommandSpec"]) -> int | None:
    """Discord applies this to the whole top-level command: set it only if EVERY subcommand needs it.

    An integer, as Discord's OpenAPI spec and discord.py have it (the docs' string form is
    accepted too, but the spec is what a request is checked against)."""
    lowest = min((s.access for s in specs), default=Access.MEMBER)
    return PERMISSION_FOR.get(lowest)


def top_command_payload(top: str, group: Mapping[str, tuple["Cog", "CommandSpec"]]) -> dict[str, Any]:
    specs = [spec for _, spec in group.values()]
    cog = next(iter(group.values()))[0]
    cog_help = (cog.description or "").strip().splitlines()
    payload: dict[str, Any] = {"type": CHAT_INPUT, "name": top.lower()[:MAX_NAME],
                               "contexts": [GUILD_CONTEXT], "integration_types": [GUILD_INSTALL],
                               "default_member_permissions": default_permissions(specs)}
    subs = {name: spec for name, (_, spec) in group.items() if name}
    if not subs:
        root = group[""][1]
        payload["description"] = describe(root.help or root.description or (cog_help[0] if cog_help else ""), top)
        payload["options"] = options_payload(root.options)
        return payload
    if "" in group:
        log.warning("/%s: Discord cannot have both a root command and subcommands; the root is not registered",
                    top)
    payload["description"] = describe(cog_help[0] if cog_help else "", top)
    payload["options"] = subcommand_options(top, subs)
    return payload


def subcommand_options(top: str, subs: Mapping[str, "CommandSpec"]) -> list[dict[str, Any]]:
    """Flat subcommands, plus one level of groups for two-word names ("bank add")."""
    options: dict[str, dict[str, Any]] = {}
    groups: dict[str, dict[str, Any]] = {}
    for name, spec in sorted(subs.items()):
        words = name.lower().split()
        if len(words) == 1:
            options[words[0]] = subcommand_payload(words[0], spec)
        else:
            group = groups.setdefault(words[0], {"type": SUB_COMMAND_GROUP, "name": words[0][:MAX_NAME],
                                                 "description": describe(f"{words[0].capitalize()} commands", words[0]),
                                                 "options": []})
            group["options"].append(subcommand_payload(" ".join(words[1:])[:MAX_NAME], spec))
    for name in set(options) & set(groups):
        log.warning("/%s %s: Discord cannot have both a subcommand and a group of that name; "
                    "the subcommand is not registered", top, name)
        del options[name]
    return sorted([*options.values(), *groups.values()], key=lambda o: o["name"])


def build_commands(groups: Mapping[str, Mapping[str, tuple["Cog", "CommandSpec"]]]) -> list[dict[str, Any]]:
    """The full application command payload for ``app.tree.groups``, in a stable order."""
    return [top_command_payload(top, group) for top, group in sorted(groups.items()) if group]


def commands_hash(application_id: int | str, payload: list[dict[str, Any]]) -> str:
    canonical = json.dumps({"application": str(application_id), "commands": payload},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def state_key(scope: str) -> str:
    return f"discord:commands:{scope}"


async def stored_hash(app: "BotApp", scope: str) -> str | None:
    row = await app.db.read(lambda s: s.get(BotState, state_key(scope)))
    return row.value if row else None


async def store_hash(app: "BotApp", scope: str, value: str) -> None:
    def save(session: Any) -> None:
        row = session.get(BotState, state_key(scope)) or BotState(key=state_key(scope))
        row.value = value
        row.updated_at = app.clock.now()
        session.add(row)

    await app.db.run(save)


async def sync_commands(app: "BotApp", http: Any, application_id: int, guild_ids: list[int]) -> list[str]:
    """PUT the command set to each guild (instant) or globally, only where it changed.

    Returns the scopes that were uploaded. A refused upload is logged and retried next start.
    """
    payload = build_commands(app.tree.groups)
    digest = commands_hash(application_id, payload)
    scopes: list[str] = [str(g) for g in guild_ids] or ["global"]
    uploaded: list[str] = []
    for scope in scopes:
        if await stored_hash(app, scope) == digest:
            log.info("Discord commands unchanged for %s; not re-registering", scope)
            continue
        try:
            if scope == "global":
                await http.bulk_upsert_global_commands(application_id, payload)
            else:
                await http.bulk_upsert_guild_commands(application_id, int(scope), payload)
        except discord.HTTPException as error:
            where = "globally" if scope == "global" else f"in server {scope}"
            log.error("could not register the slash commands %s: %s (is the bot invited with the "
                      "applications.commands scope?)", where, error)
            continue
        await store_hash(app, scope, digest)
        uploaded.append(scope)
        log.info("registered %d Discord commands %s", len(payload),
                 "globally (may take up to an hour to appear)" if scope == "global" else f"in server {scope}")
    return uploaded
