"""Access levels: member < instructor < admin. The core enforces them before any handler runs."""

from __future__ import annotations

import enum


class Access(enum.IntEnum):
    MEMBER = 0
    INSTRUCTOR = 1
    ADMIN = 2

    @classmethod
    def parse(cls, text: str) -> "Access":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f'unknown role "{text}" — use member, instructor or admin') from None

    @property
    def label(self) -> str:
        return self.name.lower()
