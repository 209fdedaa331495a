"""A tiny cog for tests: records the MentorMeetingConfirmed events the mentor cog publishes."""

from __future__ import annotations

from typing import Any

from bot import Cog, on_event
from bot.events import MentorMeetingConfirmed


class MeetingSpy(Cog, name="meetingspy"):
    """Records mentor meetings."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.events: list[MentorMeetingConfirmed] = []

    @on_event(MentorMeetingConfirmed)
    async def seen(self, ctx: Any, event: MentorMeetingConfirmed) -> None:
        self.events.append(event)


def setup(app: Any) -> None:
    app.add_cog(MeetingSpy(app))
