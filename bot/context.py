"""Typed contexts handed to handlers: who, where, and how to answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .access import Access
from .ports import Invocation, MessageRef
from .content import Content, Form
from .errors import PermissionDenied
from .models import Community, Member
from .options import ChannelRef

if TYPE_CHECKING:
    from .app import BotApp
    from .cog import CommandSpec
    from .config import CommunityConfig


@dataclass
class BaseContext:
    app: "BotApp"
    community: Community
    config: "CommunityConfig"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.community.timezone or "UTC")

    def now(self) -> datetime:
        return self.app.clock.now()

    async def send(self, channel: str | ChannelRef, content: Content | str, *,
                   thread_id: str | None = None) -> MessageRef:
        """Post to a channel (alias from schedules.yaml, name, or id)."""
        return await self.app.post(self.community, channel, content, thread_id=thread_id)

    async def dm(self, member: Member, content: Content | str) -> MessageRef | None:
        return await self.app.dm(self.community, member, content)


@dataclass
class CommandContext(BaseContext):
    member: Member
    access: Access
    channel: ChannelRef
    invocation: Invocation
    command: "CommandSpec | None" = None
    _replied: bool = field(default=False, repr=False)

    @property
    def is_instructor(self) -> bool:
        return self.access >= Access.INSTRUCTOR

    @property
    def thread_id(self) -> str | None:
        return self.invocation.thread_id

    async def reply(self, content: Content | str, *, ephemeral: bool | None = None) -> MessageRef | None:
        if ephemeral is None:
            ephemeral = self.command.ephemeral if self.command else True
        self._replied = True
        return await self.invocation.responder.reply(Content.of(content), ephemeral=ephemeral)

    async def defer(self, *, ephemeral: bool = True) -> None:
        await self.invocation.responder.defer(ephemeral=ephemeral)

    async def open_form(self, form: Form) -> None:
        self._replied = True
        await self.invocation.responder.open_form(form)

    async def resolve_member(self, ref: Any) -> Member:
        return await self.app.resolve_member(self.community, ref)

    async def resolve_channel(self, ref: str | ChannelRef) -> ChannelRef:
        return await self.app.resolve_channel(self.community, ref)

    async def target_channel(self, ref: str | ChannelRef) -> ChannelRef:
        """A channel the caller asked the bot to post in: instructors may name any; a member only
        one they can post in themselves (so the bot is no way into the staff channel)."""
        channel = await self.resolve_channel(ref)
        if not self.is_instructor and not await self.app.can_post(self.community, channel, self.member):
            raise PermissionDenied(f"you can't post in #{channel.name or channel.id} yourself, "
                                   "so I won't post there for you — pick a channel you can write in")
        return channel


# Typed into a form, these only hide or reorder text: every C0/C1 control but line breaks and tabs,
# bidi embeddings/overrides/isolates, zero-width space and BOM.
_INVISIBLE = dict.fromkeys([*(c for c in range(0x20) if c not in (0x09, 0x0A)), *range(0x7F, 0xA0),
                            *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0xFEFF])


@dataclass
class ActionContext(CommandContext):
    """A button click or form submission."""

    @property
    def message(self) -> MessageRef | None:
        return self.invocation.message

    @property
    def values(self) -> dict[str, str]:
        """A submitted form's fields; control characters (NUL: PostgreSQL text cannot hold it),
        bidi overrides and zero-width spaces removed, so a field of only those reads as empty."""
        return {key: str(value).translate(_INVISIBLE) for key, value in self.invocation.values.items()}

    async def update(self, content: Content | str) -> None:
        """Replace the message the button is on."""
        self._replied = True
        await self.invocation.responder.update(Content.of(content))


@dataclass
class EventContext(BaseContext):
    member: Member | None


@dataclass
class JobContext:
    """A scheduled firing: ``due_at`` is the time it was due (not when it ran)."""

    app: "BotApp"
    due_at: datetime
