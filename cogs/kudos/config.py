"""The kudos cog's schedules.yaml section.

```yaml
kudos: {per_day: 5}     # how many kudos one member may give per day (community time zone)
participation:
  points: {kudos: 2}    # points the receiver gets per kudos (the generic override)
```
"""

from __future__ import annotations

from pydantic import Field

from bot.config import Strict


class KudosConfig(Strict):
    per_day: int = Field(default=5, ge=1, le=100)
