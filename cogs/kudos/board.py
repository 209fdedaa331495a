"""/kudos-board: this week's most thanked members, among those who chose to appear on it.

Nobody is on the board unless they joined it (``/kudos-board join``; ``leave`` takes them off,
forget erases the choice). It ranks kudos received since Monday 00:00 in the community's
time zone — written kudos first, then reaction kudos — and never shows an opted-out member.
A separate top-level command because Discord cannot have both a root command (/kudos member
reason) and subcommands under one name. ``kudos: {board: false}`` turns it off.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from bot import Cog, CommandContext, Content, Help, command, plural

from . import store
from .config import KudosConfig
from .logic import board_order

BOARD_SIZE = 10
DEFAULT = KudosConfig()


class KudosBoard(Cog, name="kudos-board"):
    """The weekly kudos board: who was thanked most (only members who joined it)."""

    def delete_member_data(self, session: Any, community_id: int, member_id: int) -> int:
        return 0  # the kudos cog's erase takes the board row with the rest

    @command("", ephemeral=False)
    async def board(self, ctx: CommandContext,
                    choice: Annotated[Literal["show", "join", "leave"],
                                      Help("show the board, join it (appear on it) or leave it")] = "show") -> None:
        """This week's kudos board; join or leave it (only members who joined are shown)."""
        if not ctx.config.section("kudos", DEFAULT).board:
            await ctx.reply("The kudos board is off in this community (`kudos: {board: true}` turns it on).",
                            ephemeral=True)
            return
        if choice == "join":
            joined = await self.db.run(store.board_join, ctx.community.id, ctx.member.id, ctx.now())
            note = " (you opted out of tracking, so you stay hidden until /privacy optin)" if ctx.member.opted_out else ""
            await ctx.reply(("You're on the kudos board" if joined else "You're already on the kudos board")
                            + f"{note}. /kudos-board leave takes you off.", ephemeral=True)
            return
        if choice == "leave":
            left = await self.db.run(store.board_leave, ctx.community.id, ctx.member.id)
            await ctx.reply("You're off the kudos board." if left
                            else "You're not on the kudos board — /kudos-board join puts you on it.", ephemeral=True)
            return
        since = store.start_of_local_week(ctx.now(), ctx.tz)
        rows = board_order(await self.db.read(store.board_rows, ctx.community.id, since), BOARD_SIZE)
        lines = [f"{i}. {r.name} — {plural(r.kudos, 'kudos', 'kudos')}"
                 + (f" + {r.reactions} 🙏" if r.reactions else "") for i, r in enumerate(rows, 1)]
        on_board = await self.db.read(store.board_size, ctx.community.id)
        empty = ("Nobody on the board has been thanked yet this week — /kudos someone who helped you!" if on_board
                 else "Nobody has joined the board yet — /kudos-board join to appear on it.")
        await ctx.reply(Content(title="Kudos board — this week", text="\n".join(lines) or empty,
                                footer=f"Only members who joined are shown ({on_board} so far): "
                                       "/kudos-board join or leave."), ephemeral=False)
