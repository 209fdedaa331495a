"""The deployment's sealing key, and text sealed under it, for what must not be readable in the database.

Two things the bot stores would tell a database reader (a dump, a backup, the SQLite WAL, old
PostgreSQL row versions) more than it may know: an anonymous poll's ballot before it is counted
(cogs/polls/ballots.py) and a request waiting in the inbox (bot/inbox.py), which holds what the
platform sent — who clicked which button (``poll:vote:<poll>:<option>``), a message's text. Both
are sealed (AES-GCM, random nonce) under a key the database never holds; docs/anonymity.md.

The key: ``BALLOT_KEY`` when set (every process of a deployment must share it); else, for
SQLite, a random key in a file beside the database file (a copy of the database alone cannot
open it); else one derived from the platform secrets. With none of those, a key for this process
only — what is still sealed when it stops cannot be opened (said at start).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

KEY_FILE_SUFFIX = ".ballot-key"
NONCE = 12
PREFIX = "s1:"  # sealed text; anything else was stored in clear (before sealing existed)


def deployment_key(settings: Any, sqlite_path: Path | None) -> bytes:
    """The key things are sealed with; never stored in the database."""
    configured = getattr(settings, "ballot_key", None)
    if configured is not None:
        text = configured.get_secret_value() if hasattr(configured, "get_secret_value") else str(configured)
        if text.strip():
            return text.strip().encode()
    if sqlite_path is not None:
        return _key_file(Path(str(sqlite_path) + KEY_FILE_SUFFIX))
    platform = [getattr(settings, name, None) for name in ("slack_signing_secret", "slack_bot_token", "discord_token")]
    values = [v.get_secret_value() if hasattr(v, "get_secret_value") else str(v) for v in platform if v]
    if values:
        return "\0".join(sorted(values)).encode()
    log.warning("no BALLOT_KEY: anonymous votes still sealed when this process stops will not be counted")
    return secrets.token_bytes(32)


def _key_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: two processes starting together agree on whichever key was written first
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(100):  # the other process may not have written it yet
            key = path.read_bytes()
            if key:
                return key
            time.sleep(0.01)
        raise RuntimeError(f"{path} is empty: delete it (no sealed ballot can be open under it yet)") from None
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


class Nonces:
    """Random 96-bit nonces drawn from the OS a few hundred at a time (one getrandom call per
    nonce was ~1/10 of sealing an interaction). The buffer is the process's own: a forked child
    refills before its first nonce, so parent and child never use the same one."""

    BATCH = 256

    def __init__(self) -> None:
        self._pid = -1
        self._buffer = b""
        self._at = 0
        self._lock = threading.Lock()

    def take(self) -> bytes:
        with self._lock:
            if self._at >= len(self._buffer) or self._pid != os.getpid():
                self._pid, self._buffer, self._at = os.getpid(), os.urandom(NONCE * self.BATCH), 0
            at = self._at
            self._at = at + NONCE
            return self._buffer[at:at + NONCE]


class TextSeal:
    """Seals text for one purpose (the purpose is bound into the derived key)."""

    def __init__(self, key: bytes, purpose: str) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # loaded when first needed

        self._aead = AESGCM(hashlib.sha256(f"cohort-bot {purpose} v1\0".encode() + key).digest())
        self._nonces = Nonces()

    def seal(self, text: str) -> str:
        nonce = self._nonces.take()
        return PREFIX + base64.b64encode(nonce + self._aead.encrypt(nonce, text.encode(), None)).decode()

    def open(self, stored: str) -> str | None:
        """The text; stored text without the prefix is returned as it is; None when it cannot be opened
        (sealed under another key: BALLOT_KEY or the platform secrets changed)."""
        if not stored.startswith(PREFIX):
            return stored
        from cryptography.exceptions import InvalidTag

        try:
            raw = base64.b64decode(stored[len(PREFIX):])
            return self._aead.decrypt(raw[:NONCE], raw[NONCE:], None).decode()
        except (InvalidTag, ValueError):
            return None
