"""/privacy — opt out of tracking, opt back in, or erase everything the bot holds about you.

A core cog (loaded whatever cogs are configured). ``forget`` asks for a confirmation (the
button carries the member's id, so nobody else can confirm it), then erases the member's
rows in every loaded cog and the member row in one transaction (bot/privacy.py) and keeps
only a salted hash, so a returning account starts opted out. ``optin`` clears that mark.
"""

from __future__ import annotations

from typing import Any

from .cog import Cog, action, command
from .content import Button, Content
from .context import ActionContext, CommandContext

OPTOUT_TEXT = ("You're opted out: from now on I record nothing about your activity here, and you won't "
               "appear on leaderboards. What was recorded before is kept — use /privacy forget to erase it, "
               "or /privacy optin to be counted again.")
FORGET_TEXT = ("This erases everything I hold about you in this community, in every feature, and can't be "
               "undone. Afterwards you stay opted out.")


class PrivacyCog(Cog, name="privacy"):
    """Your data: opt out of tracking, opt back in, or erase it."""

    @command("optout", ephemeral=True)
    async def optout(self, ctx: CommandContext) -> None:
        """Stop tracking my activity (nothing is deleted)."""
        await self.app.privacy.opt(ctx.member, out=True)
        await ctx.reply(OPTOUT_TEXT, ephemeral=True)

    @command("optin", ephemeral=True)
    async def optin(self, ctx: CommandContext) -> None:
        """Track my activity again."""
        await self.app.privacy.opt(ctx.member, out=False)
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
        erased = await self.app.privacy.forget(ctx.member)
        lines = [f"• {name}: {count} row{'s' if count != 1 else ''}" for name, count in erased.per_cog.items() if count]
        await ctx.update(Content(title="Your data was erased",
                                 text="\n".join(["Removed:", *lines, "• your member record"])
                                 + "\n\nYou stay opted out here; /privacy optin to be counted again."))


def setup(app: Any) -> None:
    app.add_cog(PrivacyCog(app))
