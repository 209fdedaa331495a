"""A real BotApp with the SlackAdapter (HTTP or Socket Mode) against a local FakeSlack.

    async with FakeSlack() as fake, SlackBot(fake, cogs=["tests.fixtures.sample_cog"], tmpdir=tmp_path) as bot:
        status = await bot.command("/sample", "echo hi", user="U1")
        await bot.idle()
        ...

(or ``bot = await SlackBot(...).start()`` ... ``await bot.stop()``). The Discord twin is bot.testing.discord.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from ..app import BotApp
from ..config import parse_config
from ..settings import Settings
from ..storage import Database
from .fake_slack import (block_actions_body, event_callback_body, signed_headers, slash_command_body,
                         view_submission_body)
from .fake_slack.server import FakeSlack
from .harness import migrated_sqlite


class SlackBot:
    def __init__(self, fake: FakeSlack, *, tmpdir: Path, yaml: str = "", cogs: list[str] | None = None,
                 socket_mode: bool = False, signing_secret: str | None = "use-fake",
                 bot_token: str | None = None, clock: Any = None) -> None:
        """``clock``: a ``bot.clock.FakeClock`` to move with ``bot.app.scheduler.advance`` (default: real time)."""
        self.fake = fake
        self.clock = clock
        self.tmpdir = Path(tmpdir)
        self.yaml = yaml
        self.cogs = cogs
        self.socket_mode = socket_mode
        self.signing_secret = fake.signing_secret if signing_secret == "use-fake" else signing_secret
        self.bot_token = bot_token or fake.bot_token
        self.app: BotApp = None  # type: ignore[assignment]
        self.adapter: Any = None
        self.db: Database | None = None
        self._http: aiohttp.ClientSession | None = None

    @property
    def http(self) -> aiohttp.ClientSession:
        """A client session for requests to the bot (created on first use, closed by stop())."""
        if self._http is None:
            self._http = aiohttp.ClientSession()
        return self._http

    def settings(self) -> Settings:
        return Settings(_env_file=None, slack_bot_token=self.bot_token,  # type: ignore[call-arg]
                        slack_signing_secret=self.signing_secret,
                        slack_app_token=self.fake.app_token if self.socket_mode else None,
                        slack_api_url=self.fake.api_url, port=0)

    async def __aenter__(self) -> "SlackBot":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> "SlackBot":
        from ..adapters.slack import SlackAdapter

        config = parse_config(self.yaml, "schedules.yaml", cogs=self.cogs)
        self.tmpdir.mkdir(parents=True, exist_ok=True)
        self.db = Database(migrated_sqlite(self.tmpdir / "slack-bot.db", config.cogs))
        self.app = BotApp(config=config, db=self.db, settings=self.settings(),
                          **({"clock": self.clock} if self.clock is not None else {}))
        self.app.load_cogs()
        self.adapter = SlackAdapter(self.app, settings=self.app.settings, host="127.0.0.1", port=0)
        await self.app.start([self.adapter])
        return self

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
        if self.app is not None:
            await self.app.stop()
        if self.db is not None:
            self.db.dispose()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.adapter.port}"

    async def idle(self) -> None:
        """Every request already sent has been handled."""
        await self.adapter.idle(timeout=10)

    # -- sending what Slack sends -------------------------------------------------------------
    async def post(self, body: str, *, secret: str | None = None, timestamp: int | None = None,
                   headers: dict[str, str] | None = None) -> tuple[int, str]:
        signed = signed_headers(secret or self.fake.signing_secret, body, timestamp)
        async with self.http.post(f"{self.url}/slack/events", data=body.encode(),
                                  headers={**signed, **(headers or {})}) as response:
            return response.status, await response.text()

    async def command(self, command: str, text: str, *, user: str, channel: str = "C0GENERAL",
                      **kwargs: Any) -> tuple[int, str]:
        body = slash_command_body(command, text, user_id=user, team_id=self.fake.team_id, channel_id=channel,
                                  response_url=self.fake.response_url(channel))
        return await self.post(body, **kwargs)

    async def click(self, action_id: str, *, user: str, channel: str, message_ts: str,
                    value: str | None = None) -> tuple[int, str]:
        # Slack sends a copy of the clicked message (blocks and all) with every click on it
        message = self.fake.workspace.find_message(channel, message_ts)
        body = block_actions_body(action_id, value=value, user_id=user, team_id=self.fake.team_id,
                                  channel_id=channel, message_ts=message_ts, message=message,
                                  response_url=self.fake.response_url(channel))
        return await self.post(body)

    async def submit(self, callback_id: str, values: dict[str, dict[str, Any]], *, user: str,
                     private_metadata: str = "") -> tuple[int, str]:
        body = view_submission_body(callback_id, values, user_id=user, team_id=self.fake.team_id,
                                    private_metadata=private_metadata)
        return await self.post(body)

    async def event(self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None,
                    team_id: str | None = None, event_time: int | None = None) -> tuple[int, str]:
        """``event_time`` defaults to now; a retry of one event carries the first delivery's (as Slack's do)."""
        body = event_callback_body(event, team_id=team_id or self.fake.team_id, event_id=event_id,
                                   bot_user_id=self.fake.bot_user_id, event_time=event_time)
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return await self.post(body, headers=headers)
