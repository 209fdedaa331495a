"""Sealed payloads never share a nonce: AES-GCM under one key with a repeated nonce leaks the XOR
of two plaintexts (who voted for what). Nonces come from a buffer of OS randomness, so the
buffer must not be shared by two threads taking at once nor by a forked child."""

from __future__ import annotations

import base64
import os
import threading

import pytest

from bot.sealing import NONCE, PREFIX, Nonces, TextSeal


def nonce_of(sealed: str) -> bytes:
    return base64.b64decode(sealed[len(PREFIX):])[:NONCE]


def test_seals_open_and_never_repeat_a_nonce_across_threads_and_refills() -> None:
    seal = TextSeal(b"k" * 32, "inbox")
    sealed: list[str] = []

    def work() -> None:
        sealed.extend(seal.seal("alice voted 2") for _ in range(Nonces.BATCH * 3))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({nonce_of(s) for s in sealed}) == len(sealed) == 4 * 3 * Nonces.BATCH
    assert {seal.open(s) for s in sealed} == {"alice voted 2"}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_draws_its_own_nonces() -> None:
    seal = TextSeal(b"k" * 32, "inbox")
    seal.seal("warm the buffer")  # the parent's buffer now holds the next nonces
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next nonces, to the parent
        try:
            os.write(write, b"".join(nonce_of(seal.seal("x")) for _ in range(8)))
        finally:
            os._exit(0)
    os.close(write)
    child = os.read(read, 8 * NONCE)
    os.waitpid(pid, 0)
    parent = b"".join(nonce_of(seal.seal("x")) for _ in range(8))
    assert len(child) == 8 * NONCE
    child_nonces = {child[i:i + NONCE] for i in range(0, len(child), NONCE)}
    parent_nonces = {parent[i:i + NONCE] for i in range(0, len(parent), NONCE)}
    assert not child_nonces & parent_nonces
