"""What every local fake platform shares: an aiohttp app on 127.0.0.1 at a free port."""

from __future__ import annotations

from typing import Any

from aiohttp import web


class LocalServer:
    """Subclasses build their app in ``start()`` and call ``serve``; ``stop()`` calls ``shutdown``."""

    _runner: web.AppRunner | None = None

    async def serve(self, app: web.Application, **runner_options: Any) -> int:
        """Listen on 127.0.0.1 at a port the OS picks; returns the port."""
        self._runner = web.AppRunner(app, handle_signals=False, **runner_options)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        return int(self._runner.addresses[0][1])

    async def shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        await self.shutdown()

    async def __aenter__(self) -> Any:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
