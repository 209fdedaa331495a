"""Cogs for the Discord adapter tests: an instructor-only group, forms, slow handlers, event probes."""

from __future__ import annotations

import asyncio
from typing import Annotated

from bot import (Access, ActionContext, Cog, CommandContext, FileUpload, Form, FormField, Help, MaxLen, MemberRef,
                 UserError, action, command, on_event)
from bot.events import MemberJoined, MemberLeft, ReactionAdded, ReactionRemoved
from bot.options import ChannelRef


class Staff(Cog, name="staff"):
    """Tools for the teaching team."""

    @command("bank add", access=Access.INSTRUCTOR)
    async def bank_add(self, ctx: CommandContext, bank: Annotated[str, Help("Bank name")],
                       question: Annotated[str, MaxLen(300)], upload: FileUpload | None = None) -> None:
        """Add a question to a bank."""
        size = f" ({upload.filename}, {len(upload.data)} bytes)" if upload else ""
        await ctx.reply(f"added to {bank}: {question}{size}", ephemeral=True)

    @command("note", access=Access.INSTRUCTOR)
    async def note(self, ctx: CommandContext, who: MemberRef, where: ChannelRef | None = None) -> None:
        """Note something about a member."""
        await ctx.reply(f"noted {who.external_id}/{who.name} in {where.id if where else '-'}", ephemeral=True)


class Probe(Cog, name="probe"):
    """Adapter probes."""

    def __init__(self, app):  # type: ignore[no-untyped-def]
        super().__init__(app)
        self.events: list[object] = []
        self.release = asyncio.Event()

    @command("slow", defer=True)
    async def slow(self, ctx: CommandContext) -> None:
        """Declared slow: the adapter defers first."""
        await ctx.reply("slow done")

    @command("slowfail", defer=True)
    async def slowfail(self, ctx: CommandContext) -> None:
        """Deferred publicly, then fails: the error must stay private."""
        raise UserError("that did not work")

    @command("wait")
    async def wait(self, ctx: CommandContext) -> None:
        """Takes as long as the test wants."""
        await self.release.wait()
        await ctx.reply("waited")

    @command("form")
    async def form(self, ctx: CommandContext) -> None:
        """Open a form."""
        await ctx.open_form(Form("Feedback", self.action_id("answer", 7), fields=(FormField("q1", "How was it?"),)))

    @action("answer")
    async def answer(self, ctx: ActionContext, survey: int) -> None:
        await ctx.reply(f"got {ctx.values.get('q1')} for {survey}", ephemeral=True)

    @action("hold")
    async def hold(self, ctx: ActionContext, number: int) -> None:
        await self.release.wait()
        await ctx.update(f"held {number}")

    @on_event(ReactionAdded, ReactionRemoved, MemberJoined, MemberLeft)
    async def record(self, ctx, event) -> None:  # type: ignore[no-untyped-def]
        self.events.append(event)


def setup(app):  # type: ignore[no-untyped-def]
    app.add_cog(Staff(app))
    app.add_cog(Probe(app))
