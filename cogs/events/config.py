"""The events cog's schedules.yaml sections.

```yaml
events:                       # recurring sessions: each occurrence gets its own card
  - {id: office-hours, title: "Office hours", when: "tue 16:00", duration: 1h, where: "https://meet.example/oh",
     channel: discussion, capacity: 12, post_ahead: 2d}
event_settings: {remind_maybe: true}   # reminders also go to "Maybe" (default: Going only)
```
Occurrences on days outside the term, or on a break, are skipped.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot import ChannelName, DurationText, SomeText, Strict, WhenText, parse_duration

from .logic import MAX_DURATION


class EventSeriesConfig(Strict):
    id: str = Field(min_length=1, max_length=60)
    title: SomeText = Field(min_length=1, max_length=200)
    when: WhenText
    duration: DurationText = "1h"
    where: str = Field(default="", max_length=300)
    channel: ChannelName = "general"
    capacity: int | None = Field(default=None, ge=1)
    description: str = Field(default="", max_length=1000)
    post_ahead: DurationText = "2d"  # the card is posted this long before each occurrence


class EventSettingsConfig(Strict):
    remind_maybe: bool = False


def validate_sections(community: Any) -> list[tuple[tuple[Any, ...], str]]:
    problems: list[tuple[tuple[Any, ...], str]] = []
    seen: set[str] = set()
    for index, entry in enumerate(getattr(community, "events", None) or []):
        if entry.id in seen:
            problems.append((("events", index, "id"), f'duplicate id "{entry.id}"'))
        seen.add(entry.id)
        length = parse_duration(entry.duration)
        if not 0 < length.total_seconds() <= MAX_DURATION.total_seconds():
            problems.append((("events", index, "duration"), "duration must be more than 0 and at most 24h"))
        if parse_duration(entry.post_ahead).total_seconds() > 14 * 86400:
            problems.append((("events", index, "post_ahead"), "post_ahead is at most 14d"))
    return problems
