"""The kudos cog's schedules.yaml section.

```yaml
kudos:
  per_day: 5            # kudos one member may give per day (community time zone), /kudos and reactions together
  emoji: ["🙏"]          # reacting with one of these on someone's message is a small kudos; [] turns it off
  board: true           # /kudos-board (members opt in to appear on it)
participation:
  points: {kudos: 2, kudos_reaction: 0.5}   # points the receiver gets (the generic override)
```
"""

from __future__ import annotations

from pydantic import Field, field_validator

from bot import Strict


class KudosConfig(Strict):
    per_day: int = Field(default=5, ge=1, le=100)
    emoji: list[str] = Field(default_factory=lambda: ["🙏"], max_length=20)
    board: bool = True

    @field_validator("emoji")
    @classmethod
    def _emoji(cls, value: list[str]) -> list[str]:
        cleaned = [e.strip() for e in value]
        if any(not e or len(e) > 100 for e in cleaned):
            raise ValueError('each emoji must be 1-100 characters, e.g. "🙏" or a custom emoji\'s name')
        return cleaned
