"""Welcome new members: a message with first steps, an introduction form, mentoring and rules buttons."""

from typing import Any

from .cog import Welcome


def setup(app: Any) -> None:
    app.add_cog(Welcome(app))


__all__ = ["Welcome", "setup"]
