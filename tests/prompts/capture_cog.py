"""A tiny cog for the tests: records the PromptResponded events other cogs would consume."""

from __future__ import annotations

from typing import Any

from bot import Cog, on_event
from bot.events import PromptResponded


class Capture(Cog, name="capture"):
    """Records prompt responses (tests only)."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.events: list[PromptResponded] = []

    @on_event(PromptResponded)
    async def on_response(self, ctx: Any, event: PromptResponded) -> None:
        self.events.append(event)


def setup(app: Any) -> None:
    app.add_cog(Capture(app))
