"""The one check both platforms' rules repeat: a text over a documented length."""

from __future__ import annotations

from typing import Any


def too_long(where: str, value: Any, limit: int, platform: str) -> list[str]:
    """[] when ``value`` is not a string or fits; else the problem, in the rules' words."""
    if isinstance(value, str) and len(value) > limit:
        return [f"{where}: {len(value)} characters, {platform} allows {limit}"]
    return []
