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


class TextSeal:
    """Seals text for one purpose (the purpose is bound into the derived key)."""

    def __init__(self, key: bytes, purpose: str) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # loaded when first needed

        self._aead = AESGCM(hashlib.sha256(f"cohort-bot {purpose} v1\0".encode() + key).digest())

    def seal(self, text: str) -> str:
        nonce = secrets.token_bytes(NONCE)
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
