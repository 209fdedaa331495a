"""/stats — participation tracking and reports.

Every neutral event becomes a participation event (community, member, kind, channel, time —
never text): the platform's message or thread_reply, reaction and join, and every
``bot.Activity`` another cog publishes, by its kind (prompt_response, poll_vote, ... — each
cog declares its kinds and their default points). A removed reaction
records nothing: reactions are a light signal with a cooldown already, and taking points
back would let un-reacting be used to game (or grief) the counts. Members who opted out,
bots and erased members are never recorded. The listener does no database work: it queues
a tuple for the batched writer (writer.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import uuid
from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from bot import (Access, Activity, Attachment, Cog, CommandContext, Community, Content, Event, EventContext, Field,
                 Help, JobContext, Max, Member, MemberJoined, MemberRef, MessagePosted, Min, ReactionAdded,
                 ScheduleView, UserError, command, fire_times_between, job, on_event, parse_when, plural)

from . import reports
from .chart import render_chart
from .config import DigestConfig, ParticipationConfig, participation_of
from .digest import DigestRunner
from .logic import PLATFORM_KINDS, Cooldown, format_number, iter_csv, signal_columns, to_csv, week_start, weights_of
from .panels import member_columns, member_timeline, overview_parts
from .erase import delete_member_rows, prune_events
from .export import unknown_community
from .trend import claim_or_settle, keep_ring, signal_map
from .writer import EventWriter, Item

LEADERBOARD_OFF = "Leaderboards are off in this community (an instructor can turn them on with `participation: {leaderboard: true}`)."


def kinds_for(event: Event) -> tuple[str, ...]:
    """The participation kinds one neutral event records."""
    if isinstance(event, Activity):
        return (event.kind,)
    if isinstance(event, MessagePosted):
        return ("thread_reply",) if event.is_thread_reply else ("message",)
    if isinstance(event, ReactionAdded):
        return ("reaction",)
    if isinstance(event, MemberJoined):
        return ("join",)
    return ()


class Stats(Cog, name="stats"):
    """Participation: your activity, leaderboards, and engagement reports for instructors."""

    config_sections = {"participation": ParticipationConfig, "digest": DigestConfig}
    activities = PLATFORM_KINDS

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.writer = EventWriter(self.db)
        self.cooldown = Cooldown()
        self.digests = DigestRunner(self)
        self._zones: dict[str, ZoneInfo] = {}
        self._weights: dict[int, dict[str, float]] = {}  # id(config section) -> merged weights
        self.ring_task: asyncio.Task[bool] | None = None  # the trend ring's rebuild (trend.keep_ring)
        self.ring_chunk, self.ring_poll = 500, 30.0  # members per rebuild transaction (~0.3 s on 10M events); s between looks
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    # -- lifecycle ------------------------------------------------------------------------
    async def cog_load(self) -> None:
        self._weights.clear()  # the loaded cogs' kinds are final now
        self._unknown_kinds: set[str] = set()
        signal_of = signal_map(signal_columns(self.app.activity_kinds))
        self.writer.store.signal_of = signal_of  # before the first batch: the ring is keyed by these signals
        self.writer.start()
        # The ring is rebuilt in the background when it holds other signals (the first start after
        # participation_0004: ~a minute on 10M events): the bot serves meanwhile and the at-risk
        # report reads the daily counts until it is done (trend.py). A new database: done here.
        try:
            state = await self.db.run(claim_or_settle, signal_of, self._owner)
            if state == "unkept":
                self.log.warning("%d at-risk signals, more than the trend ring keeps: the at-risk report reads the "
                                 "daily counts (slower on big communities)", len(set(signal_of.values())))
            if state in ("done", "unkept"):
                return
        except Exception as error:
            self.log.warning("could not check the at-risk trend ring (%s); retrying in the background",
                             type(error).__name__)
        self.ring_task = asyncio.create_task(self._keep_ring(signal_of), name="participation-trend-ring")

    async def _keep_ring(self, signal_of: dict[str, str]) -> bool:
        try:
            rebuilt = await keep_ring(self.db, signal_of, self._owner, chunk=self.ring_chunk, poll=self.ring_poll)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # safe: until the ring matches these signals, the at-risk report reads the daily counts
            self.log.warning("could not rebuild the at-risk trend ring (%s: %s); the report reads the daily counts",
                             type(error).__name__, str(error).splitlines()[0][:200] if str(error) else "")
            return False
        if rebuilt:
            self.log.info("rebuilt the at-risk trend ring for signals %s", sorted(set(signal_of.values())))
        return rebuilt

    async def on_community(self, community: Any, config: Any) -> None:
        await self.digests.register(community, config)

    async def cog_unload(self) -> None:
        task, self.ring_task = self.ring_task, None
        if task is not None and not task.done():
            task.cancel()  # its claim is given up: the next start (or another process) rebuilds
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.writer.stop()  # drains the queue: no event lost on a clean stop

    async def flush(self) -> int:
        """Write every queued event now (reports and tests call this first)."""
        return await self.writer.flush()

    async def before_forget(self, community_id: int, member_id: int) -> None:
        await self.flush()  # queued events of the member are written, then erased with the rest
        self.cooldown.forget_member(community_id, member_id)

    def delete_member_data(self, session: Session, community_id: int, member_id: int) -> int:
        return delete_member_rows(session, community_id, member_id)

    # -- tracking (hot path: no database work) ----------------------------------------------
    @on_event(MessagePosted, ReactionAdded, MemberJoined, Activity)
    async def track(self, ctx: EventContext, event: Event) -> None:
        member = ctx.member
        if member is None or member.id is None or member.opted_out or member.is_bot:
            return
        cfg = participation_of(ctx.config)
        weights = self._weights.get(id(cfg))
        if weights is None:
            weights = self._weights[id(cfg)] = weights_of(self.app.activity_kinds, cfg.points)
        at = event.at if event.at.tzinfo else event.at.replace(tzinfo=timezone.utc)
        day = at.astimezone(self._zone(ctx.community.timezone)).date()
        period = cfg.cooldown_period
        scale = event.weight if isinstance(event, Activity) else 1.0
        declared = self.app.activity_kinds
        for kind in kinds_for(event):
            info = declared.get(kind)
            if info is None and kind not in self._unknown_kinds:  # recorded, scored by YAML points or 0
                self._unknown_kinds.add(kind)
                self.log.warning("activity kind %r is declared by no loaded cog; recording it with %s points",
                                 kind, weights.get(kind, 0))
            points = self.cooldown.points(ctx.community.id or 0, member.id, kind, at, weights.get(kind, 0.0) * scale,
                                          period, cooled=bool(info and info.cooldown))
            self.writer.put(Item(ctx.community.id or 0, member.id, kind, event.channel_id, at, day, points,
                                 info.active if info else True))

    def _kind_order(self) -> list[str]:
        """The platform kinds first, then every other cog's, in load order."""
        return [*self.activity_kinds, *(k for k in self.app.activity_kinds if k not in self.activity_kinds)]

    def _labels(self) -> dict[str, str]:
        kinds = self.app.activity_kinds
        return {name: kinds[name].label for name in self._kind_order()}

    def _zone(self, name: str | None) -> ZoneInfo:
        zone = self._zones.get(name or "UTC")
        if zone is None:
            zone = self._zones[name or "UTC"] = ZoneInfo(name or "UTC")
        return zone

    async def dashboard_panels(self, community: Community, config: Any, today: date, *, since: date) -> list[Any]:
        """The Overview's numbers, daily active members and the at-risk list (bot/dashboard)."""
        await self.flush()
        parts = overview_parts(community.id, today, since, config.term.start,
                               signal_columns(self.app.activity_kinds), self._labels())
        found = await asyncio.gather(*(self.db.read(lambda s, part=part: part(s.connection())) for part in parts))
        return [panel for panels in found for panel in panels]

    async def dashboard_schedules(self, community: Community, config: Any, now: datetime,
                                  until: datetime) -> list[Any]:
        digest = getattr(config, "digest", None)
        if digest is None:
            return []
        firings = fire_times_between(parse_when(str(digest.when), config.tz), now, until)
        return [ScheduleView("digest", "weekly digest", str(digest.when), str(digest.channel), firings)]

    async def dashboard_member_columns(self, community: Community, config: Any, today: date) -> list[Any]:
        return await self._read(member_columns, community.id, today)

    async def dashboard_member_panels(self, community: Community, config: Any, today: date, member: Member) -> list[Any]:
        return await self._read(member_timeline, community.id, member.id, today, self._labels())

    # -- commands -------------------------------------------------------------------------
    async def _read(self, fn: Any, *args: Any) -> Any:
        await self.flush()
        return await self.db.read(lambda s: fn(s.connection(), *args))

    def _today(self, ctx: CommandContext) -> date:
        return ctx.now().astimezone(ctx.tz).date()

    @command("me", ephemeral=True)
    async def me(self, ctx: CommandContext) -> None:
        """Your activity this week vs last week, streak, points and rank."""
        assert ctx.community.id is not None and ctx.member.id is not None
        if ctx.member.opted_out:
            note = "You have opted out, so nothing new is recorded (/privacy optin to resume)."
        else:
            note = "I count what you do, never what you write. /privacy to opt out or erase it."
        stats = await self._read(reports.member_stats, ctx.community.id, ctx.member.id, self._today(ctx))
        leaderboard = participation_of(ctx.config).leaderboard
        rank = await self._read(reports.rank_of, ctx.community.id, ctx.member.id) if leaderboard else None
        extra = await self._other_cogs_stats(ctx.community, ctx.member, ctx)
        await ctx.reply(render_member(f"Your activity in {ctx.community.name}", stats, rank, leaderboard, note,
                                      self._labels(), ctx.tz, extra), ephemeral=True)

    async def _other_cogs_stats(self, community: Community, member: Member, ctx: CommandContext) -> list[Field]:
        """The fields every other loaded cog adds to a member's stats (``Cog.member_stats_fields``)."""
        today = self._today(ctx)
        week = datetime.combine(week_start(today), time(0), tzinfo=ctx.tz).astimezone(timezone.utc)
        fields: list[Field] = []
        for name, cog in list(self.app.cogs.items()):
            if cog is self or type(cog).member_stats_fields is Cog.member_stats_fields:
                continue
            try:
                fields += await self.db.read(cog.member_stats_fields, community.id, member.id, week)
            except Exception:
                self.log.exception("cog %s failed to add its lines to /stats for member %s", name, member.id)
        return fields

    @command("leaderboard")
    async def leaderboard(self, ctx: CommandContext,
                          days: Annotated[Literal["7", "30", "all"], Help("7, 30 days or all time")] = "7") -> None:
        """Top members by points (if this community has leaderboards on)."""
        if not participation_of(ctx.config).leaderboard:
            await ctx.reply(LEADERBOARD_OFF, ephemeral=True)
            return
        today = self._today(ctx)
        since = None if days == "all" else today - timedelta(days=int(days) - 1)
        top = await self._read(reports.leaderboard, ctx.community.id, since, today, 10)
        title = "Leaderboard — all time" if since is None else f"Leaderboard — last {days} days"
        lines = [f"{i}. {r.name} — {plural(r.points, 'pt')}" for i, r in enumerate(top, 1)]
        await ctx.reply(Content(title=title, text="\n".join(lines) or "No points yet — say hello!",
                                footer="Members who opted out are never shown."))

    @command("member", access=Access.INSTRUCTOR, ephemeral=True)
    async def member(self, ctx: CommandContext, user: Annotated[MemberRef, Help("The member to look at")]) -> None:
        """A member's activity."""
        target = await ctx.resolve_member(user)
        assert target.id is not None
        stats = await self._read(reports.member_stats, ctx.community.id, target.id, self._today(ctx))
        note = "This member opted out of tracking." if target.opted_out else ""
        extra = await self._other_cogs_stats(ctx.community, target, ctx)
        await ctx.reply(render_member(f"Activity of {target.display_name}", stats, None, False, note,
                                      self._labels(), ctx.tz, extra), ephemeral=True)

    @command("inactive", access=Access.INSTRUCTOR, ephemeral=True)
    async def inactive(self, ctx: CommandContext,
                       days: Annotated[int, Help("Silent for at least this many days"), Min(1), Max(365)] = 14) -> None:
        """Members silent for N days, and members at risk of drifting away."""
        cutoff = ctx.now() - timedelta(days=days)
        total, silent = await self._read(reports.silent_members, ctx.community.id, cutoff, 30)
        risky = await self._read(reports.at_risk, ctx.community.id, self._today(ctx), ctx.config.term.start,
                                 signal_columns(self.app.activity_kinds))
        silent_text = "\n".join(f"{s.name} — last seen {s.last_seen.astimezone(ctx.tz):%Y-%m-%d}"
                                for s in silent) or "nobody"
        if total > len(silent):
            silent_text += f"\n… and {total - len(silent)} more"
        risky_text = "\n".join(f"{r.name} — {r.earlier_weekly:.1f}/week before, {r.recent_weekly:.1f}/week now"
                               for r in risky[:30]) or "nobody"
        await ctx.reply(Content(title=f"Silent for {days}+ days: {total}", text=silent_text,
                                fields=[Field(f"At risk ({len(risky)})" if risky else "At risk", risky_text,
                                              inline=False)],
                                footer="At risk = active earlier in the term, now at half or less in every "
                                       "signal (messages, prompt responses, votes, meetings) this week and last."),
                        ephemeral=True)

    @command("export", access=Access.INSTRUCTOR, ephemeral=True)
    async def export(self, ctx: CommandContext, since: Annotated[date, Help("First day, YYYY-MM-DD")],
                     until: Annotated[date | None, Help("Last day (default today)")] = None) -> None:
        """CSV of per-member totals by kind for a date range."""
        today = self._today(ctx)
        if until is None and since > today:
            raise UserError(f"since: {since} is in the future (today is {today}) — nothing to export yet")
        until = until or today
        if until < since:
            raise UserError(f"until: {until} is before since ({since}) — give a last day on or after the first")
        header, rows = await self._read(reports.export_rows, ctx.community.id, since, until, self._kind_order())
        data = to_csv(header, rows).encode()
        name = f"participation-{since.isoformat()}-{until.isoformat()}.csv"
        await ctx.reply(Content(text=f"{plural(len(rows), 'member')}, {since} to {until}.",
                                files=[Attachment(name, data, "text/csv")]), ephemeral=True)

    @command("chart")
    async def chart(self, ctx: CommandContext,
                    days: Annotated[int, Help("How many days to show"), Min(7), Max(365)] = 30) -> None:
        """A chart of daily active members and events by kind."""
        until = self._today(ctx)
        series = await self._read(reports.daily_series, ctx.community.id, until - timedelta(days=days - 1), until)
        png = await self.db.call(render_chart, series, f"{ctx.community.name}: last {days} days", self._labels())
        await ctx.reply(Content(text=f"Activity, last {days} days",
                                files=[Attachment("activity.png", png, "image/png", "Daily activity")]))

    # -- retention ------------------------------------------------------------------------
    @job("prune", every="1d")
    async def prune(self, ctx: JobContext) -> None:
        """Delete raw events older than each community's retention; rollups are kept."""
        await self.flush()
        communities = await self.db.read(lambda s: list(s.exec(select(Community)).scalars().all()))
        for community in communities:
            cfg = participation_of(self.app.community_config(community.platform, community.external_id))
            cutoff = ctx.due_at - cfg.retention_period
            removed = await self.db.run(prune_events, community.id, cutoff)
            if removed:
                self.log.info("pruned %d events older than %s in community %s", removed, cutoff, community.id)

    # -- python -m bot export -------------------------------------------------------------
    def export_cli(self, args: Any) -> int:
        """Write the export CSV from the command line (the app is not started)."""
        self.db.upgrade(self.app.migration_dirs())
        since = date.fromisoformat(args.since)
        with self.db.session(read_only=True) as session:
            query = select(Community).where(Community.external_id == str(args.community))
            if getattr(args, "platform", None):
                query = query.where(Community.platform == args.platform)
            found = session.exec(query).scalars().all()
            if len(found) != 1:
                print(f"export: {unknown_community(session, args, found)}", file=sys.stderr)
                return 1
            community = found[0]
            until = date.fromisoformat(args.until) if getattr(args, "until", None) else \
                self.app.clock.now().astimezone(ZoneInfo(community.timezone or "UTC")).date()
            header, rows = reports.export_stream(session.connection(), community.id, since, until,
                                                 self._kind_order())
            # streamed: each chunk of members is written as it is read (constant memory)
            written = 0

            def counted(rows: Any) -> Any:
                nonlocal written
                for row in rows:
                    written += 1
                    yield row

            if getattr(args, "out", None):
                with open(args.out, "w", encoding="utf-8", newline="") as f:
                    for piece in iter_csv(header, counted(rows)):
                        f.write(piece)
                print(f"wrote {written} members to {args.out}", file=sys.stderr)
            else:
                for piece in iter_csv(header, rows):
                    sys.stdout.write(piece)
        return 0


def render_member(title: str, stats: reports.MemberStats, rank: int | None, leaderboard: bool, note: str,
                  labels: dict[str, str], tz: ZoneInfo, extra: list[Field] | None = None) -> Content:
    this, last = stats.this_week, stats.last_week
    fields = [
        Field("This week", f"{plural(int(this['events']), 'event')} · {plural(this['points'], 'pt')}"),
        Field("Last week", f"{plural(int(last['events']), 'event')} · {plural(last['points'], 'pt')}"),
        Field("Streak", plural(stats.streak, "day")),
        Field("Points (all time)", format_number(stats.points_total)),
    ]
    if leaderboard:
        fields.append(Field("Rank", f"#{rank}" if rank else "—"))
    counted = [k for k in labels if this.get(k)] + sorted(k for k in this if k not in labels
                                                          and k not in ("events", "points") and this[k])
    kinds = ", ".join(f"{labels.get(k, k.replace('_', ' '))} {int(this[k])}" for k in counted)
    fields.append(Field("This week by kind", kinds or "nothing yet", inline=False))
    fields.extend(extra or ())
    if stats.last_seen:
        seen = stats.last_seen if stats.last_seen.tzinfo else stats.last_seen.replace(tzinfo=timezone.utc)
        fields.append(Field("Last seen", f"{seen.astimezone(tz):%Y-%m-%d %H:%M} ({tz.key})"))
    return Content(title=title, fields=fields, footer=note or None)

