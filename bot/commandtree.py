"""The command registry: ``/top sub [group sub]`` -> the cog and command spec that handle it."""

from __future__ import annotations

from typing import Iterable

from .cog import Cog, CommandSpec
from .errors import UserError


class CommandTree:
    """Top-level command name -> {subcommand path -> (cog, spec)}."""

    def __init__(self) -> None:
        self.groups: dict[str, dict[str, tuple[Cog, CommandSpec]]] = {}

    def add(self, cog: Cog) -> None:
        group = self.groups.setdefault(cog.name, {})
        for name, spec in cog.commands.items():
            group[name] = (cog, spec)

    def remove(self, cog: Cog) -> None:
        self.groups.pop(cog.name, None)

    def find(self, top: str, words: list[str]) -> tuple[Cog, CommandSpec, list[str]]:
        """Resolve ``/top sub [group sub] args...``; raises UserError with what exists."""
        group = self.groups.get(top)
        if group is None:
            raise UserError(f'unknown command "/{top}" — try /help')
        for take in (2, 1):  # "bank add" before "bank"
            if len(words) >= take:
                name = " ".join(words[:take]).lower()
                if name in group:
                    return (*group[name], words[take:])
        if "" in group:
            return (*group[""], words)
        subs = ", ".join(sorted(n for n in group if n))
        given = f' "{words[0]}"' if words else ""
        raise UserError(f"/{top}: unknown subcommand{given} — choose one of: {subs}")

    def specs(self) -> Iterable[tuple[Cog, CommandSpec]]:
        for group in self.groups.values():
            yield from group.values()
