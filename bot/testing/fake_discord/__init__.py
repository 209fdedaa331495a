"""A local fake Discord (REST API v10 + gateway) that the real discord.py 2.7 client runs against.

Wiring discord.py to it — two class attributes, both read at call time:

* ``discord.http.Route.BASE = fake.api_base`` (``http://127.0.0.1:PORT/api/v10``). Every REST
  call, including interaction callbacks and webhook follow-ups, builds its URL from it.
* ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)``. A plain
  ``discord.Client`` never calls ``GET /gateway/bot``; it connects straight to DEFAULT_GATEWAY
  (and returns to it after an INVALID_SESSION). After READY it reconnects/RESUMEs to READY's
  ``resume_gateway_url``, which the fake sets to its own url. ``AutoShardedClient`` does call
  ``GET /gateway/bot``, which answers with the fake's ws url, so an adapter that only knows
  ``DISCORD_API_BASE`` can discover the gateway with one GET and then set DEFAULT_GATEWAY.

Compression: discord.py appends ``?v=10&encoding=json&compress=zlib-stream`` (``zstd-stream``
when zstandard is importable) but decodes TEXT frames as plain JSON, so the fake sends text
frames and ignores ``compress``. :func:`discord_py_pointed_at` does both patches and undoes them.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

from .server import FakeDiscord
from .state import RecordedFile, RecordedRequest


@contextlib.contextmanager
def discord_py_pointed_at(api_base: str, gateway_url: str) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at a (fake) server, restoring them after."""
    import discord.gateway
    import discord.http
    import yarl

    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


__all__ = ["FakeDiscord", "RecordedFile", "RecordedRequest", "discord_py_pointed_at"]
