"""The activity kinds the built-in cogs declare, as the benches generate them."""

from __future__ import annotations

from bot import ActivityKind
from cogs.mentors.cog import Mentors
from cogs.participation.logic import PLATFORM_KINDS
from cogs.polls.cog import Polls
from cogs.prompts.cog import Prompts

DECLARED: dict[str, ActivityKind] = {k.name: k for k in (*PLATFORM_KINDS, *Prompts.activities, *Polls.activities,
                                                           *Mentors.activities)}
POINTS: dict[str, float] = {name: float(k.points) for name, k in DECLARED.items()}
