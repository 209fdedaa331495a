"""/kudos: thank a peer in public, or react with the kudos emoji on their message.

The receiver gets a ``kudos`` participation activity (points from ``participation.points``,
default 2), or a ``kudos_reaction`` for a reaction (default 0.5). A member gives at most
``kudos.per_day`` (default 5) per community day, /kudos and reactions together, never to
themselves or a bot. The reason is posted, never stored. A reaction kudos counts once per
giver and message (a repeated event, or un-reacting and reacting again, changes nothing) and
is silent: nobody is pinged; removing the reaction does not take it back. Opted-out members'
reactions are not watched, and a reaction on an opted-out member's message is not counted.
/stats me shows what a member received (``member_stats``); /kudos-board is board.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from bot import (ActivityKind, Cog, CommandContext, EventContext, Field, Help, MaxLen, Member, MemberRef, MinLen,
                 ReactionAdded, UserError, command, escape_mentions, on_event, plural)

from . import store
from .config import KudosConfig
from .logic import is_kudos_emoji

DEFAULT = KudosConfig()


class Kudos(Cog, name="kudos"):
    """Thank a peer in public: kudos count towards their participation."""

    config_sections = {"kudos": KudosConfig}
    activities = [ActivityKind("kudos", points=2, label="kudos received"),
                  ActivityKind("kudos_reaction", points=0.5, label="reaction kudos received", signal="kudos received")]

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
        cfg = ctx.config.section("kudos", DEFAULT)
        left = await self.db.run(store.give, ctx.community.id, ctx.member.id, receiver.id, ctx.now(), ctx.tz,
                                 cfg.per_day)
        if not receiver.opted_out:
            await self.publish_activity("kudos", community_id=ctx.community.id, member_id=receiver.id,
                                        channel_id=ctx.channel.id, subject=f"kudos:{ctx.member.id}")
        await ctx.reply(f"🙏 {ctx.member.mention} gives kudos to {receiver.mention}: {escape_mentions(reason.strip())}",
                        ephemeral=False)
        await ctx.reply(f"Kudos sent ({left} left today).", ephemeral=True)

    @on_event(ReactionAdded)
    async def reacted(self, ctx: EventContext, event: ReactionAdded) -> None:
        """The kudos emoji on someone's message: a small, silent kudos for its author."""
        cfg = ctx.config.section("kudos", DEFAULT)
        giver = ctx.member
        receiver_id = event.message_author_id  # the reacted message's author (0: unknown or a bot)
        if (not cfg.emoji or giver is None or giver.id is None or giver.is_bot or giver.opted_out
                or not receiver_id or receiver_id == giver.id or not is_kudos_emoji(event.emoji, cfg.emoji)):
            return
        receiver = await self.db.read(lambda s: s.get(Member, receiver_id))
        if receiver is None or receiver.is_bot or receiver.opted_out or receiver.community_id != ctx.community.id:
            return
        recorded = await self.db.run(store.give_by_reaction, ctx.community.id, giver.id, receiver_id,
                                     event.message_id, event.at, ctx.tz, cfg.per_day)
        if recorded:
            await self.publish_activity("kudos_reaction", community_id=ctx.community.id, member_id=receiver_id,
                                        channel_id=event.channel_id, subject=f"kudos:{giver.id}", at=event.at)

    def digest_fields(self, session: Any, community_id: int, since: Any, until: Any) -> list[Field]:
        """The instructors' weekly digest: how much thanking went on (no names, no reasons)."""
        kudos, reactions, givers, receivers = store.week_counts(session, community_id, since, until)
        if not (kudos or reactions):
            return []
        given = plural(kudos, "kudos", "kudos") + (f" + {reactions} by reaction" if reactions else "")
        return [Field("Kudos", f"{given}, from {plural(givers, 'member')} to {plural(receivers, 'member')}")]

    def member_stats_fields(self, session: Any, community_id: int, member_id: int, week_start: datetime) -> list[Field]:
        """/stats me: kudos received this week and in all."""
        got = store.received(session, community_id, member_id, week_start)
        if not (got.kudos_total or got.reactions_total):
            return []

        def count(kudos: int, reactions: int) -> str:
            return plural(kudos, "kudos", "kudos") + (f" + {reactions} by reaction" if reactions else "")

        return [Field("Kudos received", f"this week: {count(got.kudos_week, got.reactions_week)} · "
                                         f"in all: {count(got.kudos_total, got.reactions_total)}", inline=False)]
