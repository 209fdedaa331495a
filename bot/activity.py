"""Activity kinds: what a cog declares it can award, so participation scores any cog by name.

A cog lists the kinds it publishes in its class body::

    class Queue(Cog, name="queue"):
        activities = [ActivityKind("queue_help", points=3, label="office-hours visits")]

and publishes one ``bot.Activity`` event per occurrence (``await self.publish_activity(...)``).
The participation cog scores a kind by its declared points unless schedules.yaml
``participation.points`` overrides them; ``bot check`` rejects a points key no loaded cog
declares. The core never knows a kind by name.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

KIND_NAME = re.compile(r"^[a-z][a-z0-9_]{0,15}$")  # stored in a 16-character column


@dataclass(frozen=True)
class ActivityKind:
    """One kind of activity a cog awards.

    ``points``: default points per occurrence (YAML overrides). ``label``: how reports name
    it (plural, lower case). ``signal``: the at-risk signal it feeds — "" = its own label,
    None = none (e.g. "join"); kinds sharing a signal are summed (messages and reactions are
    one "messages" signal). ``cooldown``: points at most once per member per
    ``participation.cooldown`` (cheap, repeatable kinds). ``active``: whether it makes a
    member "active" that day (streaks, active-member counts) — joining does not. ``of``:
    another kind this one is a share of (quiz_correct of quiz_answer): reports show a ratio.
    """

    name: str
    points: float = 0.0
    label: str = ""
    signal: str | None = ""
    cooldown: bool = False
    active: bool = True
    of: str | None = None

    def __post_init__(self) -> None:
        if not KIND_NAME.match(self.name):
            raise ValueError(f"activity kind {self.name!r}: use 1-16 lower-case letters, digits or _, "
                             "starting with a letter")
        if not isinstance(self.points, (int, float)) or not math.isfinite(self.points) or not 0 <= self.points <= 1000:
            raise ValueError(f"activity kind {self.name!r}: points must be a number from 0 to 1000")
        if not self.label:
            object.__setattr__(self, "label", self.name.replace("_", " ") + "s")

    @property
    def signal_name(self) -> str | None:
        return self.label if self.signal == "" else self.signal


def collect_kinds(declared: Iterable[Any], owner: str) -> dict[str, ActivityKind]:
    """A cog's ``activities`` list as {name: kind}; duplicates and non-kinds are errors."""
    kinds: dict[str, ActivityKind] = {}
    for kind in declared:
        if not isinstance(kind, ActivityKind):
            raise TypeError(f"{owner}.activities must list ActivityKind(...) values, not {kind!r}")
        if kind.name in kinds:
            raise ValueError(f"{owner} declares activity kind {kind.name!r} twice")
        kinds[kind.name] = kind
    return kinds


def merge_kinds(per_cog: Mapping[str, Mapping[str, ActivityKind]]) -> dict[str, ActivityKind]:
    """{cog: {kind: ...}} -> {kind: ...}; two cogs declaring one kind is an error."""
    merged: dict[str, ActivityKind] = {}
    owner: dict[str, str] = {}
    for cog, kinds in per_cog.items():
        for name, kind in kinds.items():
            if name in merged:
                raise ValueError(f"activity kind {name!r} is declared by both {owner[name]} and {cog}")
            merged[name], owner[name] = kind, cog
    return merged
