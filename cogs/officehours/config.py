"""The office-hours cog's schedules.yaml section.

```yaml
office_hours: {with_events: [office-hours]}   # these recurring sessions (events: ids) open the
                                              # queue when check-in starts and close it at the end
```
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot import Strict


class OfficeHoursConfig(Strict):
    with_events: list[str] = Field(default_factory=list)


def validate_office_hours(community: Any) -> list[tuple[tuple[Any, ...], str]]:
    """Each ``with_events`` id must name one of the community's ``events:`` (a typo would
    leave the queue closed at every session, silently)."""
    cfg = getattr(community, "office_hours", None)
    if cfg is None or not cfg.with_events:
        return []
    if not hasattr(community, "events"):
        return [(("office_hours", "with_events"), "with_events names sessions of the events cog — add cogs.events "
                                                  "to cogs:")]
    known = [entry.id for entry in community.events or []]
    shown = f"the events are {', '.join(known)}" if known else "there are no events: to name"
    return [(("office_hours", "with_events", index), f'no event "{name}" under events: ({shown})')
            for index, name in enumerate(cfg.with_events) if name not in known]
