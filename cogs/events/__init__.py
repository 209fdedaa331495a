"""Live sessions: webinars, workshops and office hours with RSVP, reminders, calendars and
attendance (``/event``)."""

from typing import Any

from .cog import Events


def setup(app: Any) -> None:
    app.add_cog(Events(app))


__all__ = ["Events", "setup"]
