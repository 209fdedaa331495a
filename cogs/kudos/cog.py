"""/kudos: thank a peer in public.

The receiver gets a ``kudos`` participation activity (points from ``participation.points``,
default 2); /stats me shows it as "kudos received" through the generic activity labels. A
member gives at most ``kudos.per_day`` (default 5) per community day, never to themselves or
a bot. The reason is posted, never stored.
"""

from __future__ import annotations

from typing import Annotated, Any

from bot import ActivityKind, Cog, CommandContext, Help, MaxLen, MemberRef, MinLen, UserError, command
from bot.content import escape_mentions

from . import store
from .config import KudosConfig


class Kudos(Cog, name="kudos"):
    """Thank a peer in public: kudos count towards their participation."""

    config_sections = {"kudos": KudosConfig}
    activities = [ActivityKind("kudos", points=2, label="kudos received")]

    def delete_member_data(self, session: Any, community_id: int, member_id: int) -> int:
        return store.erase_member(session, community_id, member_id)

    @command("", ephemeral=False)
    async def kudos(self, ctx: CommandContext,
                    member: Annotated[MemberRef, Help("Who you want to thank")],
                    reason: Annotated[str, Help("What for (posted publicly)"), MinLen(1), MaxLen(300)]) -> None:
        """Thank a peer publicly (5 a day); it counts towards their participation."""
        receiver = await ctx.resolve_member(member)
        if receiver.id == ctx.member.id:
            raise UserError("you can't give kudos to yourself — thank someone who helped you")
        if receiver.is_bot:
            raise UserError("bots don't take kudos — thank a person")
        cfg = ctx.config.section("kudos", KudosConfig())
        left = await self.db.run(store.give, ctx.community.id, ctx.member.id, receiver.id, ctx.now(), ctx.tz,
                                 cfg.per_day)
        if not receiver.opted_out:
            await self.publish_activity("kudos", community_id=ctx.community.id, member_id=receiver.id,
                                        channel_id=ctx.channel.id, subject=f"kudos:{ctx.member.id}")
        await ctx.reply(f"🙏 {ctx.member.mention} gives kudos to {receiver.mention}: {escape_mentions(reason.strip())}",
                        ephemeral=False)
        await ctx.reply(f"Kudos sent ({left} left today).", ephemeral=True)
