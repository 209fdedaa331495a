"""SlackAdapter: start-up checks, the transport (HTTP or Socket Mode), and outgoing messages."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from ...content import Content
from ...errors import ConfigError
from ...options import ChannelRef
from ...plain_errors import unreachable
from ...ports import Adapter, MessageRef
from .access import SlackAccess
from .app import SlackDispatch, inbox_kind
from .channels import ChannelDirectory
from .events import PLATFORM
from .gate import RequestGate
from .http import EVENTS_PATH, add_events_route
from .outgoing import SlackPoster, api_error
from .socket import SlackSocketConnection

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
MISSING_SIGNING_SECRET = ("SLACK_SIGNING_SECRET is required in HTTP mode "
                          "(or set SLACK_APP_TOKEN for Socket Mode)")
CONNECT_ATTEMPTS = 3


def _secret(value: Any) -> str | None:
    if value is None:
        return None
    text = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
    return text.strip() or None


def api_base(url: str | None) -> str:
    """slack_sdk wants the Web API base with a trailing slash ("https://slack.com/api/")."""
    url = (url or "").strip() or DEFAULT_API_URL
    return url if url.endswith("/") else url + "/"


class SlackAdapter(Adapter):
    platform = PLATFORM

    def __init__(self, app: Any, *, settings: Any, host: str | None = None, port: int | None = None) -> None:
        super().__init__(app)
        self.settings = settings
        # HTTP mode answers on the core's web server; host/port here override its settings.
        if host is not None:
            app.web.host = host
        if port is not None:
            app.web.port = port
        self.api_url = api_base(getattr(settings, "slack_api_url", None))
        self.mode = "socket" if _secret(getattr(settings, "slack_app_token", None)) else "http"
        self.client: AsyncWebClient | None = None
        self.session: aiohttp.ClientSession | None = None
        self.poster: SlackPoster | None = None
        self.dispatch: SlackDispatch | None = None
        self.channels: ChannelDirectory | None = None
        self.team_names: dict[str, str] = {}
        self.bot_user_id: str | None = None
        self.gate: RequestGate | None = None
        self._socket: SlackSocketConnection | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def _check_settings(self) -> tuple[str, str | None, str | None]:
        token = _secret(self.settings.slack_bot_token)
        app_token = _secret(self.settings.slack_app_token)
        signing_secret = _secret(self.settings.slack_signing_secret)
        problems = []
        if not token:
            problems.append("SLACK_BOT_TOKEN is not set")
        if not app_token and not signing_secret:
            problems.append(MISSING_SIGNING_SECRET)
        if problems:
            raise ConfigError(problems)
        return token, app_token, signing_secret  # type: ignore[return-value]

    async def start(self) -> None:
        token, app_token, signing_secret = self._check_settings()
        # One session for every Web API call: without it slack_sdk opens (and closes) a new
        # session, hence a new TCP+TLS connection, per call.
        self.session = aiohttp.ClientSession()
        self.client = AsyncWebClient(token=token, base_url=self.api_url, session=self.session,
                                     retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2),
                                                     AsyncServerErrorRetryHandler(max_retry_count=2)])
        await self._identify()
        self.poster = SlackPoster(self.client)
        self.channels = ChannelDirectory(self.client)
        access = SlackAccess(self.client, self.app.community_config)
        self.dispatch = SlackDispatch(self.app, self.client, self.poster, access,
                                      signing_secret=None if app_token else signing_secret,
                                      team_names=self.team_names)
        if app_token:
            self._socket = SlackSocketConnection(self.dispatch.bolt, app_token, self.client)
            try:
                await self._socket.start()
            except SlackApiError as error:
                raise ConfigError([f"Slack refused SLACK_APP_TOKEN ({api_error(error)}): check it is an "
                                   "app-level token (xapp-...) with the connections:write scope"]) from None
            log.info("Slack: Socket Mode connected as %s", self.bot_user_id)
        else:
            assert signing_secret is not None
            self.gate = RequestGate(signing_secret, claim=self._take_request)
            add_events_route(self.app.web, self.dispatch.bolt, self.gate,  # the core starts listening after us
                             self.app.inbox.finished)
            log.info("Slack: HTTP mode (POST %s on PORT)", EVENTS_PATH)
        self.app.web.add_health(lambda: {"mode": self.mode})

    async def member_info(self, server_id: str, user_id: str) -> tuple[str, bool] | None:
        dispatch = getattr(self, "dispatch", None)
        if dispatch is None or not user_id[:1] in ("U", "W"):
            return None
        user = await dispatch.access.user(server_id, user_id)  # users.info, cached
        return (user.name, user.is_bot) if user.name else None

    async def signin_access(self, server_id: str, user_id: str, role_ids: list[str]) -> Any:
        """Dashboard sign-in with Slack: the same rules (admins, instructor user groups) as a command."""
        dispatch = getattr(self, "dispatch", None)
        if dispatch is None or (self.team_names and server_id not in self.team_names):
            return None  # not started, or another workspace than this token's
        return await dispatch.access.access(server_id, user_id)

    async def _take_request(self, signature: str, timestamp: float, body: dict[str, Any],
                            text: str | None = None) -> Any:
        """A signed request is taken once across every HTTP worker: its signature is claimed in the
        database (the scheduler's unique claims table), keyed on its own timestamp. A request a
        listener will store is claimed in the same transaction as its inbox row (one write before
        the ack): the answer is its receipt, or False when the signature was claimed before.

        The key starts with the request's own timestamp (a replay repeats it: the signature covers
        it), so claims arrive in key order: each insert goes to the end of the claims' unique index
        (kept 30 days) instead of a random page of it — a group commit of 20 requests wrote ~20
        index pages more, about half the commit's CPU on a big claims table."""
        sent = datetime.fromtimestamp(timestamp, tz=timezone.utc)
        key = f"slack:request:{int(timestamp)}:{signature.removeprefix('v0=')}"
        kind = inbox_kind(body)
        if kind is None:  # url_verification, events no listener stores...: the claim alone
            return await self.app.scheduler.claim(key, sent)
        # the JSON text Slack sent is stored as it is (it reads back as this body): not encoded again
        receipt = self.app.inbox.submit(PLATFORM, kind, body, text=text, claim=(key, sent))
        await receipt.stored()
        return False if receipt.duplicate else receipt

    async def finish_unfinished(self) -> int:
        """Requests a crashed process acknowledged and left in the inbox (the core calls this)."""
        return await self.dispatch.finish_unfinished() if self.dispatch is not None else 0

    async def _identify(self) -> None:
        """auth.test: a clear start-up error for a wrong token or API URL instead of a traceback later."""
        assert self.client is not None
        for attempt in range(1, CONNECT_ATTEMPTS + 1):
            try:
                response = await self.client.auth_test()
                break
            except SlackApiError as error:
                raise ConfigError([f"Slack rejected SLACK_BOT_TOKEN ({api_error(error)}) at {self.api_url} — "
                                   "check the bot token (xoxb-...) and SLACK_API_URL"]) from None
            except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as error:
                if attempt == CONNECT_ATTEMPTS:
                    raise ConfigError([f"cannot reach the Slack Web API at {self.api_url}: {unreachable(error)} "
                                       "— check SLACK_API_URL and the network"]) from None
                await asyncio.sleep(attempt)
        self.bot_user_id = response.get("user_id")
        if response.get("team_id"):
            self.team_names[str(response["team_id"])] = str(response.get("team") or response["team_id"])

    async def stop(self) -> None:
        if self.dispatch is not None:
            try:
                await self.dispatch.inflight.wait_idle(timeout=10)
            except asyncio.TimeoutError:
                log.warning("Slack: stopping with %d handler(s) still running", self.dispatch.inflight.count)
        if self._socket is not None:
            await self._socket.stop()
            self._socket = None
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def idle(self, timeout: float = 10) -> None:
        """Wait until every request already received has been handled (tests; clean shutdown)."""
        if self.dispatch is not None:
            await self.dispatch.inflight.wait_idle(timeout)

    @property
    def host(self) -> str:
        return str(self.app.web.host)

    @property
    def port(self) -> int:
        """Where HTTP mode listens (the core's web server; the bound port once started)."""
        return int(self.app.web.port)

    # -- outgoing -----------------------------------------------------------------------------
    def _poster(self) -> SlackPoster:
        if self.poster is None:
            raise RuntimeError("the Slack adapter has not started")
        return self.poster

    def message_link(self, server_id: str, channel_id: str, message_id: str) -> str:
        """Slack's archive link (slack.com sends a signed-in member on to their workspace)."""
        return f"https://slack.com/archives/{channel_id}/p{message_id.replace('.', '')}"

    async def send(self, server_id: str, channel_id: str, content: Content, *,
                   thread_id: str | None = None) -> MessageRef:
        return await self._poster().send(server_id, channel_id, content, thread_ts=thread_id)

    async def edit(self, ref: MessageRef, content: Content) -> None:
        await self._poster().edit(ref, content)

    async def dm(self, server_id: str, user_id: str, content: Content) -> MessageRef | None:
        return await self._poster().dm(server_id, user_id, content)

    async def start_thread(self, ref: MessageRef, name: str) -> str:
        # In Slack a thread is the replies to a message: its id is the parent's ts.
        return ref.thread_id or ref.message_id

    async def open_group(self, server_id: str, user_ids: list[str], name: str, content: Content) -> MessageRef:
        return await self._poster().open_group(server_id, user_ids, content)

    async def can_post(self, server_id: str, channel_id: str, user_id: str) -> bool:
        if self.channels is None:
            raise RuntimeError("the Slack adapter has not started")
        return await self.channels.can_post(channel_id, user_id)

    async def resolve_channel(self, server_id: str, text: str) -> ChannelRef | None:
        if self.channels is None:
            raise RuntimeError("the Slack adapter has not started")
        return await self.channels.resolve(server_id, text)
