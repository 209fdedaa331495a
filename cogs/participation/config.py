"""The schedules.yaml sections this package owns: ``participation:`` and ``digest:``.

```yaml
participation:
  points: {message: 1, thread_reply: 2, prompt_response: 5, reaction: 0.5, poll_vote: 1,
           quiz_correct: 3, survey_answer: 2, mentor_meeting: 10}   # any declared kinds; the rest keep
                                                                    # the points their cog declares
  cooldown: 60s        # message / thread_reply / reaction points at most once per member per cooldown
  leaderboard: true    # per-community opt-in (default off)
  retention: 365d      # raw events older than this are pruned; daily rollups are kept
digest: {channel: staff, when: "fri 17:00"}
```
"""

from __future__ import annotations

import math
from datetime import timedelta

from pydantic import ValidationInfo, field_validator

from bot import ChannelName, DurationText, Strict, WhenText, parse_duration



class ParticipationConfig(Strict):
    points: dict[str, float] = {}
    cooldown: DurationText = "60s"
    leaderboard: bool = False
    retention: DurationText = "365d"

    @field_validator("points")
    @classmethod
    def _known_kinds(cls, value: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        # the kinds the configured cogs declare (the core passes them in; None = not known here)
        known = (info.context or {}).get("activity_kinds")
        unknown = sorted(k for k in value if known is not None and k not in known)
        if unknown:
            raise ValueError(f"unknown point kind(s) {', '.join(unknown)} — no loaded cog declares "
                             f"{'it' if len(unknown) == 1 else 'them'}; known kinds: {', '.join(known) or 'none'}")
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

    @property
    def cooldown_period(self) -> timedelta:
        return parse_duration(self.cooldown)

    @property
    def retention_period(self) -> timedelta:
        return parse_duration(self.retention)


DEFAULT_PARTICIPATION = ParticipationConfig()


class DigestConfig(Strict):
    channel: ChannelName
    when: WhenText


def participation_of(community_config: object) -> ParticipationConfig:
    value = getattr(community_config, "participation", None)
    return value if isinstance(value, ParticipationConfig) else DEFAULT_PARTICIPATION
