"""The schedules.yaml sections this package owns: ``participation:`` and ``digest:``.

```yaml
participation:
  points: {message: 1, thread_reply: 2, prompt_response: 5, reaction: 0.5, poll_vote: 1,
           quiz_correct: 3, survey_answer: 2, mentor_meeting: 10}   # any subset; the rest keep defaults
  cooldown: 60s        # message / thread_reply / reaction points at most once per member per cooldown
  leaderboard: true    # per-community opt-in (default off)
  retention: 365d      # raw events older than this are pruned; daily rollups are kept
digest: {channel: staff, when: "fri 17:00"}
```
"""

from __future__ import annotations

import math
from datetime import timedelta

from pydantic import field_validator

from bot.config import DurationText, Strict, WhenText
from bot.when import parse_duration

from .logic import DEFAULT_POINTS, KINDS


class ParticipationConfig(Strict):
    points: dict[str, float] = {}
    cooldown: DurationText = "60s"
    leaderboard: bool = False
    retention: DurationText = "365d"

    @field_validator("points")
    @classmethod
    def _known_kinds(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(k for k in value if k not in KINDS)
        if unknown:
            raise ValueError(f"unknown point kind(s) {', '.join(unknown)} — valid kinds: {', '.join(KINDS)}")
        for kind, points in value.items():
            if not math.isfinite(points) or points < 0 or points > 1000:
                raise ValueError(f"points for {kind} must be a number from 0 to 1000")
        return value

    @field_validator("retention")
    @classmethod
    def _positive_retention(cls, value: str) -> str:
        if parse_duration(value) < timedelta(days=1):
            raise ValueError("retention must be at least 1d")
        return value

    def weights(self) -> dict[str, float]:
        return {**DEFAULT_POINTS, **self.points}

    @property
    def cooldown_period(self) -> timedelta:
        return parse_duration(self.cooldown)

    @property
    def retention_period(self) -> timedelta:
        return parse_duration(self.retention)


DEFAULT_PARTICIPATION = ParticipationConfig()


class DigestConfig(Strict):
    channel: str | int
    when: WhenText


def participation_of(community_config: object) -> ParticipationConfig:
    value = getattr(community_config, "participation", None)
    return value if isinstance(value, ParticipationConfig) else DEFAULT_PARTICIPATION
