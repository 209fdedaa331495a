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

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator

from bot import DurationText, Strict

from .logic import parse_working_hours


def _id_as_text(value: Any) -> Any:
    """A channel may be given by its numeric id (Discord): kept as text, like a name."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


ChannelText = Annotated[str, BeforeValidator(_id_as_text)]
HelpChannels = list[ChannelText]


class HelpdeskConfig(Strict):
    unanswered_after: DurationText = "4h"
    working_hours: str | None = Field(default=None, max_length=100)
    notify: ChannelText = Field(default="staff", min_length=1, max_length=100)

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is not None:
            parse_working_hours(value)
        return value
