"""The bad-input corpus as Discord delivers it: typed option values within what the client lets a
member pick or type (its max_length, min/max and choices), taken from the commands the bot itself
registered, so every command and option is swept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .corpus import DISCORD_STRING_MAX, MARKUP, many_items, words

STRING, INTEGER, BOOLEAN, USER, CHANNEL, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 10, 11
DISCORD_INT = 2**53  # the largest integer a Discord integer option carries

# A channel and a user a member can pick in the client that are bad targets for most commands.
STAFF = 512
STRANGER = 990  # a user who is not (or no longer) a member of the guild


@dataclass
class DiscordLine:
    command: str  # "poll create"
    case: str
    options: list[dict[str, Any]]  # the subcommand's own options
    resolved: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"/{self.command} [{self.case}] (Discord)"


def subcommands(registered: list[dict[str, Any]]) -> Iterable[tuple[list[str], list[dict[str, Any]]]]:
    """(["prompt", "bank", "add"], its options) for every leaf command the bot registered."""
    for top in registered:
        inner = top.get("options") or []
        if not any(o.get("type") in (1, 2) for o in inner):
            yield [top["name"]], inner
            continue
        for sub in inner:
            if sub["type"] == 1:
                yield [top["name"], sub["name"]], sub.get("options") or []
            elif sub["type"] == 2:
                for leaf in sub.get("options") or []:
                    yield [top["name"], sub["name"], leaf["name"]], leaf.get("options") or []


def nest(path: list[str], options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The interaction's options payload for a leaf at ``path`` (top name excluded)."""
    if len(path) == 1:
        return options
    if len(path) == 2:
        return [{"type": 1, "name": path[1], "options": options}]
    return [{"type": 2, "name": path[1], "options": [{"type": 1, "name": path[2], "options": options}]}]


def bad_values(option: dict[str, Any], fake: Any, guild: int, user: int) -> list[tuple[str, Any, dict[str, Any]]]:
    """(case, value, resolved) for one option: only what Discord's client would let through."""
    kind = option["type"]
    if kind == STRING and not option.get("choices"):
        limit = option.get("max_length") or DISCORD_STRING_MAX
        return [(case, value[:limit], {}) for case, value in [
            ("at_limit", words(limit)), ("many", many_items()), ("unknown", "no-such-thing-4049"),
            ("huge", str(10**40)), ("blank", "   "), ("markup", MARKUP), ("junk", "\u202e\x1b[31m💥")]]
    if kind in (INTEGER, NUMBER):
        top, low = option.get("max_value", DISCORD_INT), option.get("min_value", -DISCORD_INT)
        cast = int if kind == INTEGER else float
        return [("at_limit", cast(top), {}), ("lowest", cast(low), {}), ("unknown", cast(min(top, 987654)), {})]
    if kind == USER:
        stranger = fake.state.user(STRANGER, "stranger")
        me = fake.state.user(user)
        return [("the bot", fake.state.bot_user["id"], {"users": {fake.state.bot_user["id"]: fake.state.bot_user}}),
                ("not a member", str(STRANGER), {"users": {str(STRANGER): stranger}}),
                ("themselves", str(user), {"users": {str(user): me}, "members": {str(user): {}}})]
    if kind == CHANNEL:
        return [(name, str(cid), {"channels": {str(cid): {**fake.state.channels[str(cid)], "permissions": "0"}}})
                for name, cid in (("the staff room", STAFF),)]  # the picker offers text channels only
    return []


def valid_value(path: list[str], option: dict[str, Any], ids: dict[str, int]) -> tuple[Any, dict[str, Any]] | None:
    from .corpus import ONE_OF, VALID_FOR

    name = " ".join(path)
    preset = VALID_FOR.get(f"{name}.{option['name']}") or ONE_OF.get(name, {}).get(option["name"])
    kind = option["type"]
    if kind == STRING:
        if option.get("choices"):
            return option["choices"][0]["value"], {}
        return preset or "Week 3 recap", {}
    if kind in (INTEGER, NUMBER):
        return max(1, option.get("min_value", 1)), {}
    if kind == BOOLEAN:
        return True, {}
    if kind == USER:
        return str(ids["member"]), {"users": {str(ids["member"]): ids["member_payload"]}, "members": {str(ids["member"]): {}}}
    if kind == CHANNEL:
        return str(ids["channel"]), {"channels": {str(ids["channel"]): {**ids["channel_payload"], "permissions": "0"}}}
    return None


def merge(*resolved: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for r in resolved:
        for key, values in r.items():
            out.setdefault(key, {}).update(values)
    return out


def discord_lines(registered: list[dict[str, Any]], fake: Any, guild: int, user: int,
                  ids: dict[str, int]) -> Iterable[tuple[list[str], DiscordLine]]:
    from .corpus import ONE_OF

    for path, options in subcommands(registered):
        name = " ".join(path)
        yield path, DiscordLine(name, "nothing required given", [])
        one_of = ONE_OF.get(name, {})
        for option in options:
            for case, bad, resolved in bad_values(option, fake, guild, user):
                sent, extra = [], [resolved]
                for other in options:
                    wanted = other.get("required") or (other["name"] in one_of and option["name"] not in one_of
                                                       and other["name"] == next(iter(one_of)))
                    if other is option or not wanted:
                        continue
                    valid = valid_value(path, other, ids)
                    if valid is not None:
                        sent.append({"type": other["type"], "name": other["name"], "value": valid[0]})
                        extra.append(valid[1])
                sent.append({"type": option["type"], "name": option["name"], "value": bad})
                yield path, DiscordLine(name, f"{option['name']}={case}", sent, merge(*extra))
