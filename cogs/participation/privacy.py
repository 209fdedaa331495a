"""/privacy — opt out of tracking, opt back in, or erase everything the bot holds about you.

``forget`` asks for a confirmation (the button carries the member's id, so nobody else can
confirm it), then calls ``delete_member_data`` on every loaded cog, deletes the member row
and keeps only a salted hash (tombstones.py) so that if the same account shows up again it
starts opted out rather than being tracked anew. ``optin`` clears that mark.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import Session

from bot import ActionContext, Button, Cog, CommandContext, Content, UserError, action, command
from bot.models import Member

from .models import ErasedMember
from .tombstones import Tombstones

OPTOUT_TEXT = ("You're opted out: from now on I record nothing about your activity here, and you won't "
               "appear on leaderboards. What was recorded before is kept — use /privacy forget to erase it, "
               "or /privacy optin to be counted again.")
FORGET_TEXT = ("This erases everything I hold about you in this community — activity, poll votes, prompt "
               "responses, mentoring profile and matches — and can't be undone. Afterwards you stay opted out.")


def _set_opt_out(session: Session, member_id: int, value: bool, community_id: int, erased_hash: str | None) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise UserError("I don't have a record of you yet")
    member.opted_out = value
    session.add(member)
    if erased_hash is not None:  # opting back in clears an earlier "forget" mark
        session.execute(delete(ErasedMember.__table__).where(ErasedMember.__table__.c.community_id == community_id,
                                                             ErasedMember.__table__.c.external_hash == erased_hash))
    session.flush()
    session.refresh(member)
    return member


def _erase_member(session: Session, community_id: int, member_id: int, erased_hash: str) -> int:
    if session.get(ErasedMember, (community_id, erased_hash)) is None:
        session.add(ErasedMember(community_id=community_id, external_hash=erased_hash))
    result = session.execute(delete(Member.__table__).where(Member.__table__.c.id == member_id))
    return result.rowcount or 0


class Privacy(Cog, name="privacy"):
    """Your data: opt out of tracking, opt back in, or erase it."""

    def __init__(self, app: Any, tombstones: Tombstones | None = None) -> None:
        super().__init__(app)
        self.tombstones = tombstones or Tombstones()

    @command("optout", ephemeral=True)
    async def optout(self, ctx: CommandContext) -> None:
        """Stop tracking my activity (nothing is deleted)."""
        member = await self.db.run(_set_opt_out, ctx.member.id, True, ctx.community.id, None)
        self.app.directory.refresh(member)
        await ctx.reply(OPTOUT_TEXT, ephemeral=True)

    @command("optin", ephemeral=True)
    async def optin(self, ctx: CommandContext) -> None:
        """Track my activity again."""
        assert ctx.community.id is not None
        erased = self.tombstones.discard(ctx.community.id, ctx.member.external_id)
        member = await self.db.run(_set_opt_out, ctx.member.id, False, ctx.community.id, erased)
        self.app.directory.refresh(member)
        await ctx.reply("You're opted in: your activity counts again (never what you write). "
                        "/stats me shows what I see.", ephemeral=True)

    @command("forget", ephemeral=True)
    async def forget(self, ctx: CommandContext) -> None:
        """Erase all my data in every feature (asks to confirm)."""
        content = Content(title="Erase all your data?", text=FORGET_TEXT).add_buttons([
            Button("Erase everything", self.action_id("forget", ctx.member.id), style="danger"),
            Button("Cancel", self.action_id("cancel", ctx.member.id)),
        ])
        await ctx.reply(content, ephemeral=True)

    @action("cancel", owner="member_id")
    async def cancel(self, ctx: ActionContext, member_id: int) -> None:
        await ctx.update(Content(text="Nothing was erased."))

    @action("forget", owner="member_id")  # the core lets only that member press it
    async def confirm_forget(self, ctx: ActionContext, member_id: int) -> None:
        community_id = ctx.community.id
        assert community_id is not None
        erased: dict[str, int] = {}
        for name, cog in list(self.app.cogs.items()):
            try:
                erased[name] = int(await cog.delete_member_data(community_id, member_id) or 0)
            except Exception:
                self.log.exception("cog %s failed to erase member %s", name, member_id)
                raise UserError(f"erasing your {name} data failed, so nothing more was erased — please try "
                                "again later or ask an instructor") from None
        digest = self.tombstones.add(community_id, ctx.member.external_id)
        self.tombstones.checked.discard(member_id)
        try:
            await self.db.run(_erase_member, community_id, member_id, digest)
        except Exception:
            self.log.exception("could not delete member row %s", member_id)
            raise UserError("your feature data was erased, but your member record could not be — "
                            "please ask an instructor") from None
        self.app.directory.forget(community_id, ctx.member.external_id)
        lines = [f"• {name}: {count} row{'s' if count != 1 else ''}" for name, count in erased.items() if count]
        await ctx.update(Content(title="Your data was erased",
                                 text="\n".join(["Removed:", *lines, "• your member record"])
                                 + "\n\nYou stay opted out here; /privacy optin to be counted again."))
