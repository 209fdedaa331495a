"""Office-hours help queue (``/queue``)."""

from typing import Any

from .cog import OfficeHours


def setup(app: Any) -> None:
    app.add_cog(OfficeHours(app))


__all__ = ["OfficeHours", "setup"]
