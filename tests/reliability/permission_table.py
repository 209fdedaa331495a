"""The table of guarded commands and buttons, derived from what the loaded cogs declare."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

from bot.access import Access
from bot.cog import ActionSpec, CommandSpec
from bot.config import BUILTIN_COGS, _has_setup
from bot.options import OptionSpec

from .helpers import LEDGER

COGS = ["tests.fixtures.sample_cog", LEDGER, *BUILTIN_COGS]
DUMMY = {"string": "x", "integer": "1", "number": "1", "boolean": "true", "duration": "1h", "date": "2026-01-12",
         "time": "09:00", "timezone": "UTC", "channel": "#general", "member": "@alice"}


def present_cogs() -> list[str]:
    return [c for c in COGS if _has_setup(c)]


class Spy:
    """Wraps a handler to count that it ran (the permission check must stop it first)."""

    def __init__(self, handler: Callable[..., Any]) -> None:
        self.handler, self.calls = handler, 0

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return await self.handler(*args, **kwargs)


@dataclass
class Guarded:
    kind: str  # "command" | "button"
    cog: str
    spec: CommandSpec | ActionSpec
    spy: Spy

    @property
    def needed(self) -> Access:
        return self.spec.access

    @property
    def what(self) -> str:
        return f"/{self.spec.full_name}" if isinstance(self.spec, CommandSpec) else "this button"

    @property
    def refusal(self) -> str:
        return f"only {self.needed.label}s can use {self.what}"

    @property
    def action_id(self) -> str:
        assert isinstance(self.spec, ActionSpec)
        return ":".join([self.cog, self.spec.name, *("1" if t is int else "x" for _, t in self.spec.arg_types)])

    def __str__(self) -> str:
        return self.what if self.kind == "command" else f"button {self.action_id}"


def guarded(app: Any, monkeypatch: pytest.MonkeyPatch) -> list[Guarded]:
    """Every command and button above member level, each handler wrapped in a Spy."""
    table = []
    for cog, spec in list(app.tree.specs()):
        if spec.access > Access.MEMBER:
            table.append(Guarded("command", cog.name, spec, Spy(spec.handler)))
    for cog in list(app.cogs.values()):
        for action in cog.actions.values():
            if action.access > Access.MEMBER:
                table.append(Guarded("button", cog.name, action, Spy(action.handler)))
    for row in table:
        monkeypatch.setattr(row.spec, "handler", row.spy)
    return table


def dummy_value(option: OptionSpec, upload: Path) -> str:
    if option.kind == "choice":
        return option.choices[0]
    if option.kind == "file":
        return f"@{upload}"
    if option.kind in ("integer", "number") and option.min_value is not None:
        return str(int(option.min_value))
    return DUMMY[option.kind]


def option_text(spec: CommandSpec, upload: Path) -> str:
    """Plausible values for the required options, as typed on Slack or the console."""
    return " ".join(f"{o.name}:{dummy_value(o, upload)}" for o in spec.options if o.required)
