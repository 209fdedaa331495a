"""A saved message: where a cog's post lives, kept in its own table to edit the post later.

A table keeps a ``MessageRef`` in five plain columns — ``platform``, ``server_id``,
``channel_id``, ``message_id``, ``thread_id`` (with a prefix for a second message) — so each
part stays queryable and indexable (a prompt's replies are found by ``thread_id``); the
composite ``message_ref()`` reads and writes them as one value:

    class Poll(SQLModel, table=True):
        ...
        platform: str | None = Field(default=None, max_length=16)   # where the poll message is
        server_id: str | None = Field(default=None, max_length=64)
        channel_id: str | None = Field(default=None, max_length=64)
        message_id: str | None = Field(default=None, max_length=64)
        thread_id: str | None = Field(default=None, max_length=64)
        message = message_ref()

    poll.message = await self.app.post(...)     # writes the five columns (None clears them)
    if poll.message is not None:                # None until the post is saved
        await self.app.edit(poll.message, content)

Nothing about the schema changes: the columns are the table's own (declared, migrated and
dropped like any other), so adopting it needs no migration. Set it on a loaded row, not as a
constructor keyword (SQLModel ignores unknown keywords).
"""

from __future__ import annotations

from typing import Any

from .ports import MessageRef

PARTS = ("platform", "server_id", "channel_id", "message_id", "thread_id")


def message_ref(prefix: str = "") -> Any:
    """A property over the ``<prefix>platform`` ... ``<prefix>thread_id`` columns: the saved
    ``MessageRef``, or ``None`` while any of platform/server/channel/message is empty. A table
    without a ``thread_id`` column keeps none (assigning a threaded ref there is an error)."""
    names = [prefix + part for part in PARTS]

    def read(row: Any) -> MessageRef | None:
        platform, server_id, channel_id, message_id = (getattr(row, n) for n in names[:4])
        if not (platform and server_id and channel_id and message_id):
            return None
        return MessageRef(platform, server_id, channel_id, message_id, getattr(row, names[4], None) or None)

    def write(row: Any, ref: MessageRef | None) -> None:
        if ref is not None and not isinstance(ref, MessageRef):
            raise TypeError(f"a saved message must be a MessageRef or None, not {type(ref).__name__}")
        has_thread = names[4] in type(row).model_fields
        if ref is not None and ref.thread_id and not has_thread:
            raise ValueError(f"{type(row).__name__} has no {names[4]} column for the message's thread")
        for name, part in zip(names, PARTS):
            if name != names[4] or has_thread:
                setattr(row, name, getattr(ref, part) if ref is not None else None)

    return property(read, write, doc=f"The saved message in the {', '.join(names)} columns.")
