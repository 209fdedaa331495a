"""/queue: an office-hours help queue.

Instructors open it; members join (with a few words about what they need) and see their
place and the typical wait; ``/queue next`` calls the first in line ("@member, you're up",
plus a DM) with Done / No-show buttons that record how the visit went. Everything is in the
database: the queue survives restarts, and two instructors pressing next at once call two
different people.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from zoneinfo import ZoneInfo
from typing import Annotated, Any

from bot import (PAGE_CHARS, Access, ActionContext, ActivityKind, Button, Cog, CommandContext, Community, Content,
                 EventContext, Field, Help, Max, MaxLen, Min, SessionEnded, SessionOpened, UserError, action, command,
                 escape_mentions, on_event, pack_lines, plural)

from . import store
from .config import OfficeHoursConfig, validate_office_hours
from .logic import queue_stats, session_line, short, typical_wait

STATS_DAYS = 30
DIGEST_LINES = 12  # a digest field holds 1,024 characters on Discord


class OfficeHours(Cog, name="queue"):
    """Office-hours help queue: join, wait your turn, get helped."""

    config_sections = {"office_hours": OfficeHoursConfig}
    activities = [ActivityKind("officehours_help", points=3, label="office-hours visits")]

    @classmethod
    def validate_community(cls, community: Any) -> list[tuple[tuple[Any, ...], str]]:
        return validate_office_hours(community)

    def digest_fields(self, session: Any, community_id: int, since: Any, until: Any) -> list[Any]:
        """One line per queue opening this week: joined, helped, typical wait and time helped, no-shows."""
        items = store.sessions(session, community_id, since, until)
        if not items:
            return []
        community = session.get(Community, community_id)
        tz = ZoneInfo(community.timezone or "UTC")

        def local(moment: Any) -> str:
            moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
            return f"{moment.astimezone(tz):%a %d %b %H:%M}"

        lines = [session_line(s, local(s.opened_at)) for s in items[:DIGEST_LINES]]
        if len(items) > DIGEST_LINES:
            lines.append(f"and {len(items) - DIGEST_LINES} more — /queue stats for the totals")
        return [Field("Office hours", "\n".join(lines)[:1024], inline=False)]

    def delete_member_data(self, session: Any, community_id: int, member_id: int) -> int:
        return store.erase_member(session, community_id, member_id)

    # -- instructors ----------------------------------------------------------------------
    @command("open", access=Access.INSTRUCTOR, ephemeral=False)
    async def open(self, ctx: CommandContext,
                   topic: Annotated[str | None, Help("What these office hours are about"), MaxLen(200)] = None) -> None:
        """Open the help queue in this channel (instructors)."""
        await self.db.run(store.open_new, ctx.community.id, (topic or "").strip(), ctx.channel.id, ctx.now())
        about = f" — {escape_mentions(topic)}" if topic else ""
        await ctx.reply(f"🙋 Office hours are open{about}. Join the queue with `/queue join`.", ephemeral=False)

    @command("close", access=Access.INSTRUCTOR, ephemeral=False)
    async def close(self, ctx: CommandContext) -> None:
        """Close the queue; anyone still waiting is taken off it (instructors)."""
        _, taken = await self.db.run(store.close, ctx.community.id, ctx.now())
        note = f" {plural(taken, 'member')} still waiting {'was' if taken == 1 else 'were'} taken off the queue." if taken else ""
        await ctx.reply(f"Office hours are closed.{note}", ephemeral=False)

    @command("next", access=Access.INSTRUCTOR, ephemeral=False)
    async def next(self, ctx: CommandContext) -> None:
        """Call the next member in line: posts "you're up" and DMs them (instructors)."""
        taken = await self.db.run(store.pop_next, ctx.community.id, ctx.member.id, ctx.now())
        if taken is None:
            raise UserError("nobody is waiting in the queue")
        entry, member = taken
        about = f" ({escape_mentions(entry.topic)})" if entry.topic else ""
        content = Content(text=f"{member.mention}, you're up with {ctx.member.mention}{about}.")
        content.add_buttons([Button("Done", self.action_id("done", entry.id), style="success"),
                             Button("No-show", self.action_id("noshow", entry.id), style="danger")])
        await ctx.reply(content, ephemeral=False)
        try:
            await ctx.dm(member, f"🙋 You're up! {ctx.member.display_name or 'An instructor'} is ready for you "
                                 f"in #{ctx.channel.name or ctx.channel.id}.")
        except Exception:
            self.log.exception("could not DM member %s", member.id)

    @command("clear", access=Access.INSTRUCTOR, ephemeral=True)
    async def clear(self, ctx: CommandContext) -> None:
        """Take everyone waiting off the queue, keeping it open (instructors)."""
        def run(session: Any) -> int:
            queue = store.require_open(session, ctx.community.id)
            return store.clear_waiting(session, queue.id, ctx.now())

        cleared = await self.db.run(run)
        await ctx.reply(f"Cleared the queue ({plural(cleared, 'member')} {'was' if cleared == 1 else 'were'} waiting).", ephemeral=True)

    @command("stats", access=Access.INSTRUCTOR, ephemeral=True)
    async def stats(self, ctx: CommandContext,
                    days: Annotated[int, Help("Over the last N days"), Min(1), Max(365)] = STATS_DAYS) -> None:
        """Waiting times, time helped and no-shows (instructors)."""
        figures = queue_stats(await self.db.read(store.visits, ctx.community.id, ctx.now() - timedelta(days=days)))
        content = Content(title=f"Office hours — last {days} days", fields=[
            Field("Helped", str(figures.helped)), Field("No-shows", str(figures.no_shows)),
            Field("Left the queue", str(figures.left)), Field("Waiting now", str(figures.waiting)),
            Field("Typical wait", short(figures.median_wait)), Field("Longest wait", short(figures.longest_wait)),
            Field("Typical time helped", short(figures.median_help))])
        await ctx.reply(content, ephemeral=True)

    # -- with live sessions (schedules.yaml office_hours: {with_events: [...]}) -----------
    @on_event(SessionOpened, SessionEnded)
    async def follow_session(self, ctx: EventContext, event: SessionOpened | SessionEnded) -> None:
        cfg = ctx.config.section("office_hours", OfficeHoursConfig())
        if event.series is None or event.series not in cfg.with_events or not event.channel_id:
            return
        try:
            if isinstance(event, SessionOpened):
                await self.db.run(store.open_new, ctx.community.id, event.title, event.channel_id, ctx.now(),
                                  event.session_id)
                text = f"🙋 {escape_mentions(event.title)}: the help queue is open. Join it with `/queue join`."
            else:
                _, taken = await self.db.run(store.close, ctx.community.id, ctx.now(), event.session_id)
                text = "The help queue is closed for today." + (f" ({taken} still waiting were taken off.)"
                                                               if taken else "")
        except UserError:
            return  # already open (an instructor opened one) / not the queue this session opened
        await self.app.post(ctx.community, event.channel_id, text)

    # -- members --------------------------------------------------------------------------
    @command("join", ephemeral=True)
    async def join(self, ctx: CommandContext,
                   topic: Annotated[str | None, Help("What you need help with (a few words)"), MaxLen(200)] = None) -> None:
        """Join the help queue."""
        position = await self.db.run(store.join, ctx.community.id, ctx.member.id, (topic or "").strip(), ctx.now())
        ahead = "you're next" if position == 1 else f"{position - 1} ahead of you"
        await ctx.reply(f"You're #{position} in the queue ({ahead}). I'll DM you when it's your turn.", ephemeral=True)

    @command("leave", ephemeral=True)
    async def leave(self, ctx: CommandContext) -> None:
        """Leave the help queue."""
        await self.db.run(store.leave, ctx.community.id, ctx.member.id, ctx.now())
        await ctx.reply("You left the queue.", ephemeral=True)

    @command("list", ephemeral=True)
    async def list_queue(self, ctx: CommandContext) -> None:
        """Your place in the queue, how many are ahead, and the typical wait."""
        def read(session: Any) -> tuple[Any, list[Any], Any, Any]:
            queue = store.require_open(session, ctx.community.id)
            line = store.waiting(session, queue.id)
            mine = store.my_entry(session, queue.id, ctx.member.id)
            wait = typical_wait(store.visits(session, ctx.community.id, ctx.now() - timedelta(days=STATS_DAYS)))
            return queue, line, mine, wait

        queue, line, mine, wait = await self.db.read(read)
        if mine is not None and mine.status == "helping":
            you = "You're being helped now."
        elif mine is not None:
            place = [e.id for e, _ in line].index(mine.id) + 1
            you = f"You're #{place} — {place - 1} ahead of you."
        else:
            you = "You're not in the queue — `/queue join` to join."
        lines = [f"{len(line)} waiting. {you} Typical wait: {short(wait)}."]
        if ctx.is_instructor:  # everyone waiting, in as many messages as a long queue needs
            lines += [f"{n}. {m.display_name or m.external_id}" + (f" — {escape_mentions(e.topic)}" if e.topic else "")
                      for n, (e, m) in enumerate(line, 1)]
        title = "Office hours queue" + (f" — {escape_mentions(queue.topic)}" if queue.topic else "")
        pages = pack_lines([[text] for text in lines], PAGE_CHARS)
        for n, page in enumerate(pages, 1):
            await ctx.reply(Content(title=title if len(pages) == 1 else f"{title} ({n}/{len(pages)})", text=page),
                            ephemeral=True)

    # -- buttons on "you're up" -----------------------------------------------------------
    @action("done", access=Access.INSTRUCTOR)
    async def done(self, ctx: ActionContext, entry_id: int) -> None:
        entry, member = await self.db.run(store.finish, ctx.community.id, entry_id, "done", ctx.now())
        helped = short(entry.finished_at - entry.called_at) if entry.called_at and entry.finished_at else "—"
        await ctx.update(Content(text=f"✅ {member.mention} was helped by {ctx.member.mention} ({helped})."))
        await self.publish_activity("officehours_help", community_id=ctx.community.id, member_id=member.id,
                                    channel_id=ctx.message.channel_id if ctx.message else None,
                                    subject=f"queue:{entry.id}")

    @action("noshow", access=Access.INSTRUCTOR)
    async def noshow(self, ctx: ActionContext, entry_id: int) -> None:
        _, member = await self.db.run(store.finish, ctx.community.id, entry_id, "no_show", ctx.now())
        await ctx.update(Content(text=f"🚫 {member.mention} didn't show up."))
