"""Peer kudos (``/kudos``): a public thank-you that counts as participation for the receiver."""

from typing import Any

from .board import KudosBoard
from .cog import Kudos


def setup(app: Any) -> None:
    app.add_cog(Kudos(app))
    app.add_cog(KudosBoard(app))


__all__ = ["Kudos", "KudosBoard", "setup"]
