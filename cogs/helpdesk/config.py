"""The helpdesk cog's schedules.yaml sections.

```yaml
help_channels: [help, questions]     # each new top-level message here is watched
helpdesk:
  unanswered_after: 4h               # then the staff channel gets one notice (default 4h)
  working_hours: "mon-fri 09:00-17:00"   # count only these hours (community time zone); default: all
  notify: staff                      # where the notice goes (a channel alias or name)
participation:
  points: {helped_peer: 3}           # an answer by someone else (the generic override)
```
"""

from __future__ import annotations

from pydantic import Field, field_validator

from bot import ChannelName, DurationText, Strict

from .logic import parse_working_hours


HelpChannels = list[ChannelName]


class HelpdeskConfig(Strict):
    unanswered_after: DurationText = "4h"
    working_hours: str | None = Field(default=None, max_length=100)
    notify: ChannelName = Field(default="staff", min_length=1, max_length=100)

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is not None:
            parse_working_hours(value)
        return value
