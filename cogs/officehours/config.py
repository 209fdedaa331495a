"""The office-hours cog's schedules.yaml section.

```yaml
office_hours: {with_events: [office-hours]}   # these recurring sessions (events: ids) open the
                                              # queue when check-in starts and close it at the end
```
"""

from __future__ import annotations

from pydantic import Field

from bot import Strict


class OfficeHoursConfig(Strict):
    with_events: list[str] = Field(default_factory=list)
