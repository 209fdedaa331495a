"""A test-only cog that records the events the polls cog publishes."""

from typing import Any

from bot import Cog, on_event
from bot.events import PollVoted, QuizAnswered, SurveyAnswered


class Recorder(Cog, name="recorder"):
    """Records poll events."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.events: list[Any] = []

    @on_event(PollVoted, QuizAnswered, SurveyAnswered)
    async def record(self, ctx: Any, event: Any) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


def setup(app: Any) -> None:
    app.add_cog(Recorder(app))
