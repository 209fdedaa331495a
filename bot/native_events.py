"""A platform's own calendar entry for a session (Discord: a Guild Scheduled Event).

Optional adapter capability: cogs ask the core (``app.create_native_event`` ...) and get
``None`` back where the platform has no such thing (Slack, the console) or the bot lacks
the permission (Discord: Manage Events). Cogs never import a platform library for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class NativeEvent:
    title: str
    starts_at: datetime  # aware
    ends_at: datetime
    location: str = ""
    description: str = ""
