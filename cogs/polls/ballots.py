"""Sealed ballots: how an anonymous vote is stored so that no database reader can link it to its voter.

An anonymous vote commits two rows in one transaction: the voter's "has voted" guard and a
*sealed* ballot (the option, AES-GCM encrypted under a key the database never holds, with a
random nonce, so equal choices look different). Counts do not move then. They move when the
poll's ballot box holds at least ``2k`` ballots: a random ``n - k`` of them are opened, added
to the counts and deleted in one transaction, so every change of a count is the sum of at
least ``k`` ballots — and at least ``k`` stay sealed for the next batch or the close. At close
every ballot left is opened.

A reader who links each guard to its sealed ballot (same transaction: xmin, the WAL, old row
versions) learns nothing from the ciphertext; a reader who watches the counts learns only sums
of at least ``k`` votes, the same thing the final result tells everyone. See docs/anonymity.md.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from pathlib import Path
from typing import Any, Iterable, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot import deployment_key

log = logging.getLogger(__name__)

BATCH = 5  # k: the fewest votes one change of an anonymous poll's counts may stand for
NONCE = 12
PAD = 512


class BallotSeal:
    """Seals and opens one option number for one poll (the poll id is bound in as associated data)."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(hashlib.sha256(b"cohort-bot ballots v1\0" + key).digest())

    def seal(self, poll_id: int, position: int) -> bytes:
        return self._seal(poll_id, position.to_bytes(2, "big"))

    def open(self, poll_id: int, sealed: bytes) -> int | None:
        """The option, or None when the ballot was sealed under another key (or tampered with)."""
        plain = self._open(poll_id, sealed)
        return None if plain is None else int.from_bytes(plain, "big")

    def seal_answers(self, poll_id: int, answers: Sequence[str]) -> bytes:
        """A survey response; padded to a multiple of PAD bytes, so its length says little of the answers."""
        data = json.dumps(list(answers)).encode()
        padded = len(data).to_bytes(4, "big") + data
        return self._seal(poll_id, padded + b"\0" * (-len(padded) % PAD))

    def open_answers(self, poll_id: int, sealed: bytes) -> list[str] | None:
        plain = self._open(poll_id, sealed)
        if plain is None:
            return None
        size = int.from_bytes(plain[:4], "big")
        return [str(a) for a in json.loads(plain[4:4 + size])]

    def _seal(self, poll_id: int, plain: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE)
        return nonce + self._aead.encrypt(nonce, plain, str(poll_id).encode())

    def _open(self, poll_id: int, sealed: bytes) -> bytes | None:
        try:
            return self._aead.decrypt(sealed[:NONCE], sealed[NONCE:], str(poll_id).encode())
        except (InvalidTag, ValueError):
            return None


def batch_to_open(sealed_ids: Sequence[int], k: int, *, closing: bool,
                  rng: secrets.SystemRandom | None = None) -> list[int]:
    """Which ballots to open now: all at close; otherwise, once there are at least 2k, a random
    n - k of them (each batch ≥ k, and ≥ k left for the next one); otherwise none."""
    if closing:
        return list(sealed_ids)
    if len(sealed_ids) < 2 * k:
        return []
    return (rng or secrets.SystemRandom()).sample(list(sealed_ids), len(sealed_ids) - k)


def random_id(taken: Iterable[int] = ()) -> int:
    """A row id that says nothing about when the row was made (no sequence, no autoincrement).
    Negative, so it can never collide with the ids a sequence hands to other rows of the table."""
    used = set(taken)
    while True:
        candidate = -secrets.randbelow(2**31 - 1) - 1
        if candidate not in used:
            return candidate


def ballot_key(settings: Any, sqlite_path: Path | None) -> bytes:
    """The key the ballots are sealed with; never stored in the database (the core's deployment key:
    bot/sealing.py, which also seals the inbox)."""
    return deployment_key(settings, sqlite_path)
