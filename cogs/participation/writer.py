"""The one batched writer for participation events.

Listeners never touch the database: they ``put`` a small tuple (rollups.Item) on a bounded
queue. One task drains it every ``interval`` (~200 ms) or as soon as 10,000 events wait, up
to ``batch_size`` at a time, and writes each batch in ONE transaction off the event loop
(batches.BatchStore: the events, the daily rollups, counts by kind, the weekly trend ring
and last-seen state, the batch aggregated in memory first). ``stop()`` drains everything, so a clean shutdown loses
nothing. A full queue drops the event, counts it and logs (at most once per ``log_every``
seconds): back-pressure never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Any, Mapping

from bot import TemporarilyUnavailable

from .batches import BatchStore
from .rollups import Item

__all__ = ["BatchStore", "EventBuffer", "EventWriter", "Item"]

log = logging.getLogger("cogs.stats.writer")


class EventBuffer:
    """A bounded FIFO for the event loop's side of the writer.

    Only the loop thread touches it, so a deque is enough: asyncio.Queue's futures and
    bookkeeping cost more per event (~3 µs) than the rest of the listener's work.
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: deque[Any] = deque()

    def put_nowait(self, item: Any) -> None:
        if len(self._items) >= self.maxsize:
            raise asyncio.QueueFull
        self._items.append(item)

    def get_nowait(self) -> Any:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.popleft()

    def take(self, limit: int) -> list[Any]:
        """Up to ``limit`` items, oldest first."""
        items = self._items
        if len(items) <= limit:
            batch = list(items)
            items.clear()
            return batch
        return [items.popleft() for _ in range(limit)]

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def full(self) -> bool:
        return len(self._items) >= self.maxsize


# --- the asynchronous part: queue, timer, flush -------------------------------------------
class EventWriter:
    def __init__(self, db: Any, *, max_queue: int = 200_000, batch_size: int = 100_000,
                 interval: float = 0.2, log_every: float = 10.0, signal_of: Mapping[str, str] | None = None) -> None:
        self.db = db
        self.store = BatchStore(db, signal_of)
        self.queue = EventBuffer(max_queue)
        self.batch_size = batch_size
        # wake at 10k queued, then take all that waits (up to batch_size): under a burst a batch
        # folds more events into each member-day upsert (50k: 1.6x the events/s of 10k batches;
        # each batch upserts every member-day it touches again, so 100k: 1.1-1.3x 50k's on PostgreSQL)
        self.wake_at = min(batch_size, 10_000)
        self.interval = interval
        self.log_every = log_every
        self.dropped = 0  # events refused because the queue was full (back-pressure)
        self.written = 0
        self.failed = 0
        self._last_warning = float("-inf")
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._failing_since: float | None = None  # when the database went away (logged once)

    @property
    def rejected(self) -> int:
        """Events dropped because the database refused their row (isolated from their batch)."""
        return self.store.rejected

    def put(self, item: Item) -> bool:
        """Queue one event without waiting; False (counted, logged) when the queue is full."""
        queue = self.queue
        if len(queue._items) < queue.maxsize:  # the hot path: every message and reaction
            queue._items.append(item)
            if len(queue._items) >= self.wake_at:
                self._wake.set()
            return True
        try:
            queue.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped += 1
            now = time.monotonic()
            if now - self._last_warning >= self.log_every:
                self._last_warning = now
                log.warning("participation queue full (%d waiting): %d events dropped so far",
                            self.queue.qsize(), self.dropped)
            return False
        if self.queue.qsize() >= self.wake_at:
            self._wake.set()
        return True

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="participation-writer")

    async def stop(self) -> None:
        """Stop the timer and write every queued event."""
        task, self._task = self._task, None
        if task is not None:
            # let the loop finish a batch it is writing (cancelling would abandon its await)
            self._stopping = True
            self._wake.set()
            await task
        await self.flush()

    async def flush(self) -> int:
        """Write everything queued so far; returns how many events were written."""
        async with self._lock:
            total = 0
            while not self.queue.empty():
                total += await self._write_one_batch()
            return total

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await asyncio.wait_for(self._wake.wait(), self.interval)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.flush()
                if self._failing_since is not None:
                    log.warning("participation writer recovered after %.0f s", time.monotonic() - self._failing_since)
                    self._failing_since = None
            except TemporarilyUnavailable:
                # The database is away: say so once (not every 200 ms), keep the events queued.
                if self._failing_since is None:
                    self._failing_since = time.monotonic()
                    log.warning("database unavailable: participation events wait in the queue (%d now)",
                                self.queue.qsize())
            except Exception:
                log.exception("participation writer failed; will retry")

    async def _write_one_batch(self) -> int:
        batch: list[Item] = self.queue.take(self.batch_size)
        try:
            written = await self.db.call(self.store.write, batch)
        except Exception:
            # keep the events for the next attempt unless the queue has no room left for them
            self.failed += 1
            requeued = 0
            for item in batch:
                if self.queue.full():
                    break
                self.queue.put_nowait(item)
                requeued += 1
            self.dropped += len(batch) - requeued
            raise
        self.written += written
        return written
