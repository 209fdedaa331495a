"""Posting to Slack: messages (Block Kit), edits, files, DMs and group DMs."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from ...content import Content
from ...ports import MessageRef
from .events import PLATFORM
from .render import has_message_part, message_payload

log = logging.getLogger(__name__)

# conversations.open / chat.postMessage errors that mean "this person cannot be messaged".
DM_REFUSALS = {"cannot_dm_bot", "user_disabled", "user_not_found", "user_not_visible", "not_allowed",
               "messages_tab_disabled", "channel_not_found", "is_archived", "restricted_action",
               "not_in_channel", "cannot_dm_self"}


def api_error(error: SlackApiError) -> str:
    return str(error.response.get("error", "")) if error.response is not None else ""


class SlackPoster:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def send(self, team_id: str, channel_id: str, content: Content, *,
                   thread_ts: str | None = None) -> MessageRef:
        message_ts = None
        if has_message_part(content) or not content.files:
            response = await self._post(channel_id, content, thread_ts)
            message_ts = str(response["ts"])
            channel_id = str(response.get("channel") or channel_id)
        file_id = await self.upload_files(channel_id, content, thread_ts=thread_ts)
        return MessageRef(PLATFORM, team_id, channel_id, message_ts or file_id or "", thread_ts)

    async def _post(self, channel_id: str, content: Content, thread_ts: str | None) -> Any:
        kwargs = dict(channel=channel_id, thread_ts=thread_ts, unfurl_links=False, unfurl_media=False,
                      **message_payload(content))
        try:
            return await self.client.chat_postMessage(**kwargs)
        except SlackApiError as error:
            if api_error(error) != "not_in_channel":
                raise
        # A private channel or one chat:write.public does not cover: join (public only), then retry.
        await self.client.conversations_join(channel=channel_id)
        return await self.client.chat_postMessage(**kwargs)

    async def edit(self, ref: MessageRef, content: Content) -> None:
        await self.client.chat_update(channel=ref.channel_id, ts=ref.message_id, **message_payload(content))
        if content.files:
            # Slack cannot attach files to an existing message: they go beside it, in its thread.
            await self.upload_files(ref.channel_id, content, thread_ts=ref.thread_id or ref.message_id)

    async def upload_files(self, channel_id: str, content: Content, *, thread_ts: str | None = None) -> str | None:
        """files_upload_v2 for each attachment (images too); returns the first file's id."""
        first: str | None = None
        for attachment in content.files:
            response = await self.client.files_upload_v2(
                channel=channel_id, thread_ts=thread_ts, content=attachment.data, filename=attachment.filename,
                title=attachment.description or attachment.filename,
                alt_txt=(attachment.description or attachment.filename) if attachment.is_image else None)
            files = response.get("files") or [response.get("file") or {}]
            first = first or (str(files[0].get("id")) if files and files[0].get("id") else None)
        return first

    async def open_dm(self, user_ids: list[str]) -> str:
        response = await self.client.conversations_open(users=",".join(user_ids))
        return str(response["channel"]["id"])

    async def dm(self, team_id: str, user_id: str, content: Content) -> MessageRef | None:
        try:
            return await self.send(team_id, await self.open_dm([user_id]), content)
        except SlackApiError as error:
            if api_error(error) in DM_REFUSALS:
                log.info("cannot DM %s: %s", user_id, api_error(error))
                return None
            raise

    async def open_group(self, team_id: str, user_ids: list[str], content: Content) -> MessageRef:
        return await self.send(team_id, await self.open_dm(user_ids), content)

    async def ephemeral(self, channel_id: str, user_id: str, content: Content, *,
                        thread_ts: str | None = None) -> None:
        """Only-you message without a response_url (form submissions); DMs when the bot is not in the channel."""
        try:
            await self.client.chat_postEphemeral(channel=channel_id, user=user_id, thread_ts=thread_ts,
                                                 **message_payload(content))
        except SlackApiError as error:
            log.info("chat.postEphemeral failed (%s); sending a DM instead", api_error(error))
            await self.dm("", user_id, content)


async def post_response(response_url: str, payload: dict[str, Any], *,
                        session: aiohttp.ClientSession | None = None) -> None:
    """POST to an interaction's response_url (valid 30 minutes, five times); pass the adapter's
    session to reuse its connections (without one, slack_sdk opens a session per call)."""
    response = await AsyncWebhookClient(response_url, session=session).send_dict(payload)
    if response.status_code >= 400:
        log.warning("response_url answered %s: %s", response.status_code, response.body[:200])
