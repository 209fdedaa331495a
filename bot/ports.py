"""The core's ports: the types the core, the adapters and the cogs share.

An adapter turns platform traffic into calls on the app (``AppPort``: an ``Invocation``
carrying who/where, their access level and a ``Responder`` for the reply) and renders
``Content`` for outgoing messages; cogs keep ``MessageRef``s to edit what they posted.
This module depends on no adapter, cog, app, context or config module: arrows point into it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from .access import Access
from .content import Content, Form
from .events import Event, Origin
from .options import ChannelRef


@dataclass(frozen=True)
class MessageRef:
    """Where a message lives on its platform; cogs keep it in their tables (``bot.message_ref``) to edit it later."""

    platform: str
    server_id: str
    channel_id: str
    message_id: str
    thread_id: str | None = None


class Responder(ABC):
    """Answers one interaction (slash command, click, form)."""

    @abstractmethod
    async def reply(self, content: Content, *, ephemeral: bool) -> MessageRef | None: ...

    async def defer(self, *, ephemeral: bool) -> None:
        """Acknowledge now, answer later (the platforms' 3-second deadline)."""

    async def update(self, content: Content) -> None:
        """Replace the message the clicked button is on."""
        await self.reply(content, ephemeral=True)

    async def open_form(self, form: Form) -> None:
        raise NotImplementedError("this platform cannot show forms here")

    def detach(self) -> None:
        """Forget the clicked message (its button was not on it): ``update`` then answers only the
        clicker. Adapters whose platform vouches for the message never need this."""


@dataclass
class Invocation:
    """One request from a person: who, where, how much they may do, and how to answer."""

    origin: Origin
    access: Access
    responder: Responder
    thread_id: str | None = None
    message: MessageRef | None = None  # for clicks: the message the button is on
    # For clicks: the action ids the platform says that message carries; None when the platform
    # itself guarantees the button is on it (Discord builds the interaction from the message).
    message_actions: frozenset[str] | None = None
    values: dict[str, str] = field(default_factory=dict)  # for form submissions
    files: dict[str, Any] = field(default_factory=dict)  # option name -> FileUpload


class ClockPort(Protocol):
    def now(self) -> datetime: ...


class AppPort(Protocol):
    """What an adapter may call on the app (BotApp provides it)."""

    clock: ClockPort
    tree: Any  # the command tree: ``find(top, words)`` and ``groups`` (slash-command registration)
    settings: Any
    web: Any  # the core HTTP server (Slack events, /healthz)

    def community_config(self, platform: str, server_id: str) -> Any: ...

    async def handle_command_text(self, inv: Invocation, text: str) -> None: ...

    async def handle_command(self, inv: Invocation, top: str, sub: str, values: dict[str, Any]) -> None: ...

    async def handle_action(self, inv: Invocation, action_id: str) -> None: ...

    async def handle_event(self, origin: Origin, event: Event) -> None: ...


class Adapter(ABC):
    """A platform: delivers its traffic to the app and carries the app's messages out."""

    platform: str = ""

    def __init__(self, app: AppPort) -> None:
        self.app = app

    @abstractmethod
    async def start(self) -> None:
        """Connect and begin delivering traffic to the app; return once running."""

    @abstractmethod
    async def stop(self) -> None: ...

    async def wait_closed(self) -> None:
        """Block until the adapter ends on its own (console: end of input)."""
        import asyncio

        await asyncio.Event().wait()

    @abstractmethod
    async def send(self, server_id: str, channel_id: str, content: Content, *,
                   thread_id: str | None = None) -> MessageRef: ...

    @abstractmethod
    async def edit(self, ref: MessageRef, content: Content) -> None: ...

    @abstractmethod
    async def dm(self, server_id: str, user_id: str, content: Content) -> MessageRef | None:
        """Direct message; ``None`` when the member does not accept DMs."""

    @abstractmethod
    async def start_thread(self, ref: MessageRef, name: str) -> str:
        """Open a thread on a message and return the thread id."""

    @abstractmethod
    async def open_group(self, server_id: str, user_ids: list[str], name: str,
                         content: Content) -> MessageRef:
        """A private space for a few members (Discord private thread, Slack group DM)."""

    @abstractmethod
    async def resolve_channel(self, server_id: str, text: str) -> ChannelRef | None:
        """A channel by id, mention or name; ``None`` when there is no such channel."""

    # -- optional: the platform's own scheduled events (see bot/native_events.py) ------------
    async def create_native_event(self, server_id: str, event: Any) -> str | None:
        """Create one; its id, or ``None`` when the platform has none or the bot may not."""
        return None

    async def cancel_native_event(self, server_id: str, native_id: str) -> None:
        return None

    async def can_post(self, server_id: str, channel_id: str, user_id: str) -> bool:
        """Whether that person may post in that channel themselves (the platform's own rules);
        the core lets a member send the bot only where they could post."""
        return True

    async def member_info(self, server_id: str, user_id: str) -> tuple[str, bool] | None:
        """(display name, is a bot) of a member of that server the platform knows, whether or not
        they have done anything the bot saw; ``None`` when there is no such member (or it cannot tell)."""
        return None

    async def signin_access(self, server_id: str, user_id: str, role_ids: list[str]) -> Access | None:
        """The access level of someone signing in to the dashboard with the platform's own
        sign-in (role ids as the provider told them, Discord), by the same rules as chat;
        ``None`` when this adapter cannot tell (the dashboard then uses the configured role ids)."""
        return None

    def serves(self, server_id: str) -> bool:
        """Whether this process handles that server (Discord shards)."""
        return True

    def message_link(self, server_id: str, channel_id: str, message_id: str) -> str:
        """A link (or, where the platform has none, a reference) that opens that message."""
        return f"#{channel_id} message {message_id}"
