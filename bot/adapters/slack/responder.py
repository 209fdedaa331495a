"""Answering one slash command, click or form submission on Slack.

Public replies go through chat.postMessage (so they have a ts the cog can edit later:
live poll results); only-you replies through the interaction's response_url, which works
in any channel, even one the bot is not in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from ...content import Content, Form
from ...ports import MessageRef, Responder
from .outgoing import SlackPoster, api_error, post_response
from .render import message_payload, render_modal

log = logging.getLogger(__name__)

NO_POST_ERRORS = {"not_in_channel", "channel_not_found", "method_not_supported_for_channel_type",
                  "restricted_action", "is_archived"}


@dataclass
class Where:
    """Where the interaction happened and how Slack lets us answer it."""

    team_id: str
    user_id: str
    channel_id: str | None
    response_url: str | None = None
    trigger_id: str | None = None
    thread_ts: str | None = None
    message: MessageRef | None = None  # the message a clicked button is on
    message_is_ephemeral: bool = False


class SlackResponder(Responder):
    def __init__(self, poster: SlackPoster, where: Where) -> None:
        self.poster = poster
        self.where = where
        self.detached = False

    def detach(self) -> None:
        self.detached = True

    async def reply(self, content: Content, *, ephemeral: bool) -> MessageRef | None:
        if ephemeral or not self.where.channel_id:
            await self._only_you(content)
            return None
        try:
            return await self.poster.send(self.where.team_id, self.where.channel_id, content,
                                          thread_ts=self.where.thread_ts)
        except SlackApiError as error:
            if api_error(error) not in NO_POST_ERRORS or not self.where.response_url:
                raise
        # A DM between two people, or a private channel without the bot: Slack still lets
        # us answer in place through the response_url (but then the message has no ts for us).
        log.info("posting in %s is not allowed; answering through the response_url", self.where.channel_id)
        await post_response(self.where.response_url, {"response_type": "in_channel", **message_payload(content)},
                            session=self.poster.client.session)
        return None

    async def _only_you(self, content: Content) -> None:
        where = self.where
        if content.files:
            # Slack has no ephemeral files: they go to the person's DM with the bot.
            sent = await self.poster.dm(where.team_id, where.user_id, Content(files=content.files))
            note = "I sent the file(s) to your direct messages." if sent else "I could not send you the file(s)."
            content = Content(text=f"{content.text}\n_{note}_".strip(), title=content.title, fields=content.fields,
                              rows=content.rows, footer=content.footer)
        if where.response_url:
            await post_response(where.response_url, {"response_type": "ephemeral", "replace_original": False,
                                                     **message_payload(content)}, session=self.poster.client.session)
        elif where.channel_id:
            await self.poster.ephemeral(where.channel_id, where.user_id, content, thread_ts=where.thread_ts)
        else:
            await self.poster.dm(where.team_id, where.user_id, content)

    async def defer(self, *, ephemeral: bool) -> None:
        """Bolt already acknowledged the request before the core ran; nothing more is needed."""

    async def update(self, content: Content) -> None:
        where = self.where
        if self.detached:
            await self.reply(content, ephemeral=True)
        elif where.message is not None and not where.message_is_ephemeral:
            await self.poster.edit(where.message, content)
        elif where.response_url:
            await post_response(where.response_url, {"replace_original": True, **message_payload(content)},
                                session=self.poster.client.session)
        else:
            await self.reply(content, ephemeral=True)

    async def open_form(self, form: Form) -> None:
        if not self.where.trigger_id:
            raise NotImplementedError("a form can only open in answer to a command or a button")
        metadata = {"channel": self.where.channel_id or "", "thread": self.where.thread_ts or ""}
        if self.where.message is not None and not self.detached:
            metadata["message"] = self.where.message.message_id
        await self.poster.client.views_open(trigger_id=self.where.trigger_id, view=render_modal(form, metadata))
