"""Debounced live updates: after clicks, at most one edit of a message per ``delay``.

A burst of 200 votes (or RSVPs) marks the item dirty 200 times but its message is edited
once per interval with the counts read at that moment, so it ends exact with a handful of
edits. Used by polls and event cards; ``refresh(item_id)`` re-renders from the database.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

log = logging.getLogger("bot.live")


class LiveUpdater:
    def __init__(self, refresh: Callable[[int], Awaitable[None]], delay: float = 1.0) -> None:
        self.refresh = refresh  # edits the poll's message from the database's current counts
        self.delay = delay
        self._dirty: set[int] = set()
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._wake: dict[int, asyncio.Event] = {}
        self._urgent = False

    def touch(self, poll_id: int) -> None:
        """A vote landed: make sure one edit of this poll's message is coming."""
        self._dirty.add(poll_id)
        if poll_id not in self._tasks:
            self._tasks[poll_id] = asyncio.ensure_future(self._run(poll_id))

    async def _run(self, poll_id: int) -> None:
        try:
            while poll_id in self._dirty:
                if not self._urgent and self.delay > 0:
                    wake = self._wake[poll_id] = asyncio.Event()
                    try:
                        await asyncio.wait_for(wake.wait(), self.delay)
                    except asyncio.TimeoutError:
                        pass
                    finally:
                        self._wake.pop(poll_id, None)
                else:
                    await asyncio.sleep(0)  # let the rest of a burst land first
                if poll_id not in self._dirty:
                    break  # settled: the poll closed meanwhile
                self._dirty.discard(poll_id)
                try:
                    await self.refresh(poll_id)
                except Exception:
                    log.exception("could not update the live message of %s", poll_id)
        finally:
            self._tasks.pop(poll_id, None)

    async def settle(self, poll_id: int) -> None:
        """The poll closed: drop a pending edit and wait out a running one, so the final
        results edit (done by the caller) is the last word."""
        self._dirty.discard(poll_id)
        event = self._wake.get(poll_id)
        if event is not None:
            event.set()
        task = self._tasks.get(poll_id)
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    async def flush(self) -> None:
        """Do every pending edit now (tests; shutdown)."""
        self._urgent = True
        try:
            while self._tasks:
                for event in list(self._wake.values()):
                    event.set()
                await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)
        finally:
            self._urgent = False

    @property
    def pending(self) -> int:
        return len(self._tasks)
