"""An in-process platform: channels, messages, threads and DMs held in memory.

The console adapter prints it; ``bot.testing`` inspects it. Interactions go through the
same ``BotApp.handle_*`` entry points every real adapter uses.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from ..access import Access
from ..content import Content, Form
from ..events import MemberJoined, MemberLeft, MessagePosted, Origin, ReactionAdded, ReactionRemoved
from ..options import ChannelRef, FileUpload
from ..ports import Adapter, Invocation, MessageRef, Responder

DEFAULT_CHANNELS = ("general", "random", "announcements", "instructors", "staff", "mentoring")


@dataclass
class Posted:
    ref: MessageRef
    content: Content
    author: str  # "bot" or a user id
    edits: int = 0
    history: list[Content] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.content.plain_text()

    @property
    def buttons(self) -> list[Any]:
        return self.content.buttons


@dataclass
class Reply:
    content: Content
    ephemeral: bool
    ref: MessageRef | None = None

    @property
    def text(self) -> str:
        return self.content.plain_text()


class MemoryResponder(Responder):
    def __init__(self, adapter: "MemoryAdapter", inv_origin: Origin, message: MessageRef | None = None,
                 thread_id: str | None = None) -> None:
        self.adapter = adapter
        self.origin = inv_origin
        self.message = message
        self.thread_id = thread_id
        self.replies: list[Reply] = []
        self.forms: list[Form] = []
        self.deferred = False

    async def reply(self, content: Content, *, ephemeral: bool) -> MessageRef | None:
        ref = None
        if not ephemeral:
            ref = await self.adapter.send(self.origin.server_id, self.origin.channel_id or "general", content,
                                          thread_id=self.thread_id)
        self.replies.append(Reply(content, ephemeral, ref))
        self.adapter.on_reply(self.origin, content, ephemeral)
        return ref

    async def defer(self, *, ephemeral: bool) -> None:
        self.deferred = True

    async def update(self, content: Content) -> None:
        if self.message is None:
            await self.reply(content, ephemeral=True)
            return
        await self.adapter.edit(self.message, content)

    async def open_form(self, form: Form) -> None:
        self.forms.append(form)
        await self.adapter.on_form(self, form)


class MemoryAdapter(Adapter):
    platform = "console"

    def __init__(self, app: Any, *, platform: str = "console") -> None:
        super().__init__(app)
        self.platform = platform
        self._ids = itertools.count(1)
        self.messages: dict[str, Posted] = {}
        self.channels: dict[str, set[str]] = {}
        self.writers: dict[tuple[str, str], set[str]] = {}  # (server, channel) -> who may post there
        self.closed_dms: set[str] = set()
        self.groups: dict[str, list[str]] = {}

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    def known_channels(self, server_id: str) -> set[str]:
        if server_id not in self.channels:
            cfg = self.app.community_config(self.platform, server_id)
            # the terminal's world has every channel the setup names (help channels, introductions...)
            self.channels[server_id] = {*DEFAULT_CHANNELS, *cfg.named_channels()}
        return self.channels[server_id]

    def add_channel(self, server_id: str, name: str, *, writers: set[str] | None = None) -> None:
        """``writers``: only these users may post there (a private channel); None: everyone."""
        self.known_channels(server_id).add(name.lstrip("#"))
        if writers is not None:
            self.writers[(server_id, name.lstrip("#"))] = set(writers)

    async def can_post(self, server_id: str, channel_id: str, user_id: str) -> bool:
        """Channels are open, except those given writers and the community's staff channel
        (the terminal's stand-in for a channel only instructors can see)."""
        writers = self.writers.get((server_id, channel_id))
        if writers is not None:
            return user_id in writers
        staff = self.app.community_config(self.platform, server_id).channels.get("staff")
        return staff is None or str(staff).lstrip("#") != channel_id

    # -- outgoing -------------------------------------------------------------------------
    def _new_id(self) -> str:
        return f"m{next(self._ids)}"

    async def send(self, server_id: str, channel_id: str, content: Content, *,
                   thread_id: str | None = None) -> MessageRef:
        ref = MessageRef(self.platform, server_id, channel_id, self._new_id(), thread_id)
        self.messages[ref.message_id] = Posted(ref, content, "bot")
        self.on_post(self.messages[ref.message_id])
        return ref

    async def edit(self, ref: MessageRef, content: Content) -> None:
        posted = self.messages.get(ref.message_id)
        if posted is None:
            raise LookupError(f"no message {ref.message_id}")
        posted.history.append(posted.content)
        posted.content = content
        posted.edits += 1
        self.on_edit(posted)

    async def dm(self, server_id: str, user_id: str, content: Content) -> MessageRef | None:
        if user_id in self.closed_dms:
            return None
        return await self.send(server_id, f"dm-{user_id}", content)

    async def start_thread(self, ref: MessageRef, name: str) -> str:
        return f"t{ref.message_id}"

    async def open_group(self, server_id: str, user_ids: list[str], name: str, content: Content) -> MessageRef:
        channel = f"group-{'-'.join(sorted(user_ids))}"
        self.groups[channel] = list(user_ids)
        self.known_channels(server_id).add(channel)
        return await self.send(server_id, channel, content)

    async def resolve_channel(self, server_id: str, text: str) -> ChannelRef | None:
        name = text.strip().lstrip("#")
        known = self.known_channels(server_id)
        if name in known or name.startswith("dm-"):
            return ChannelRef(name, name)
        return None

    # -- hooks for subclasses (the console prints) ----------------------------------------
    def on_post(self, posted: Posted) -> None:
        pass

    def on_edit(self, posted: Posted) -> None:
        pass

    def on_reply(self, origin: Origin, content: Content, ephemeral: bool) -> None:
        pass

    async def on_form(self, responder: MemoryResponder, form: Form) -> None:
        pass

    # -- acting as a person ---------------------------------------------------------------
    def origin(self, user: str, channel: str = "general", server: str = "console",
               name: str | None = None) -> Origin:
        return Origin(platform=self.platform, server_id=server, user_id=user, user_name=name or user,
                      channel_id=channel, channel_name=channel)

    async def command(self, text: str, *, user: str, access: Access = Access.MEMBER, channel: str = "general",
                      server: str = "console", thread_id: str | None = None,
                      files: dict[str, FileUpload] | None = None) -> MemoryResponder:
        origin = self.origin(user, channel, server)
        responder = MemoryResponder(self, origin, thread_id=thread_id)
        inv = Invocation(origin=origin, access=access, responder=responder, thread_id=thread_id,
                         files=dict(files or {}))
        await self.app.handle_command_text(inv, text)
        return responder

    async def click(self, action_id: str, *, user: str, access: Access = Access.MEMBER,
                    message: MessageRef | None = None, values: dict[str, str] | None = None,
                    server: str = "console") -> MemoryResponder:
        channel = message.channel_id if message else "general"
        origin = self.origin(user, channel, server)
        responder = MemoryResponder(self, origin, message=message)
        inv = Invocation(origin=origin, access=access, responder=responder, message=message,
                         values=dict(values or {}))
        await self.app.handle_action(inv, action_id)
        return responder

    async def post_as(self, user: str, *, channel: str = "general", server: str = "console", length: int = 20,
                      thread_id: str | None = None, reply_to: str | None = None) -> MessageRef:
        """A member writes a message (its text is never handed to the bot's cogs)."""
        self.known_channels(server).add(channel)
        ref = MessageRef(self.platform, server, channel, self._new_id(), thread_id)
        self.messages[ref.message_id] = Posted(ref, Content(text=f"({length} characters)"), user)
        event = MessagePosted(message_id=ref.message_id, channel_id=channel, thread_id=thread_id,
                              reply_to=reply_to, thread_parent_id=self.thread_parent(thread_id), length=length,
                              at=self.app.clock.now())
        await self.app.handle_event(self.origin(user, channel, server), event)
        return ref

    def thread_parent(self, thread_id: str | None) -> str | None:
        """The message a thread hangs off: ``start_thread`` names its threads "t<message id>"."""
        if thread_id is None:
            return None
        if thread_id.startswith("t") and thread_id[1:] in self.messages:
            return thread_id[1:]
        return thread_id if thread_id in self.messages else None

    async def react_as(self, user: str, message_id: str, *, emoji: str = "👍", removed: bool = False,
                       server: str = "console") -> None:
        posted = self.messages.get(message_id)
        channel = posted.ref.channel_id if posted else "general"
        author = posted.author if posted is not None and posted.author != "bot" else None
        kind = ReactionRemoved if removed else ReactionAdded
        await self.app.handle_event(self.origin(user, channel, server),
                                    kind(message_id=message_id, emoji=emoji, channel_id=channel,
                                         message_author=author, at=self.app.clock.now()))

    async def join_as(self, user: str, *, server: str = "console", left: bool = False) -> None:
        """The user joins (or leaves) the community itself: the event names no channel."""
        kind = MemberLeft if left else MemberJoined
        origin = Origin(platform=self.platform, server_id=server, user_id=user, user_name=user)
        await self.app.handle_event(origin, kind(at=self.app.clock.now()))

    # -- reading what happened ------------------------------------------------------------
    def channel_messages(self, channel: str, server: str = "console") -> list[Posted]:
        return [p for p in self.messages.values()
                if p.ref.channel_id == channel and p.ref.server_id == server and p.author == "bot"]

    def thread_messages(self, thread_id: str) -> list[Posted]:
        return [p for p in self.messages.values() if p.ref.thread_id == thread_id]
