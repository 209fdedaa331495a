"""Who holds an inbox row (bot/inbox.py): this process, a live one, or one that died and left it."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

__all__ = ["FOREIGN_AFTER", "make_owner", "owner_is_gone"]

FOREIGN_AFTER = timedelta(minutes=2)  # a process on another host is presumed dead after this long


def make_owner() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def owner_is_gone(owner: str, me: str, received_at: datetime, now: datetime) -> bool:
    """Whether the process that took a row can no longer finish it."""
    if owner == me:
        return False
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    my_host, _, my_rest = me.partition(":")
    if host != my_host or not pid_text.isdigit():
        return now - received_at >= FOREIGN_AFTER
    pid = int(pid_text)
    if pid == int(my_rest.partition(":")[0]):
        return True  # our pid, another instance: the old one is dead (e.g. pid 1 in a container)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, someone else's
    return False
