"""Socket Mode: a websocket to Slack (apps.connections.open); no public URL needed."""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


class SlackSocketConnection:
    def __init__(self, bolt: AsyncApp, app_token: str, client: AsyncWebClient) -> None:
        # web_client: apps.connections.open goes to the same (possibly non-default) API base URL.
        self.handler = AsyncSocketModeHandler(bolt, app_token, web_client=client)

    async def start(self) -> None:
        """Open the connection (raises SlackApiError for a bad app token); envelopes are then acked and handled."""
        await self.handler.connect_async()

    async def stop(self) -> None:
        try:
            await self.handler.close_async()
        except Exception:
            log.exception("Socket Mode connection did not close cleanly")
