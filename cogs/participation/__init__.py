"""Participation tracking (/stats) and privacy (/privacy): two cogs sharing one erase registry."""

from typing import Any

from .cog import Stats
from .privacy import Privacy
from .tombstones import Tombstones


def setup(app: Any) -> None:
    tombstones = Tombstones()
    app.add_cog(Stats(app, tombstones))
    app.add_cog(Privacy(app, tombstones))
