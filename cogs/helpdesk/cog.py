"""Unanswered questions: every new top-level message in a ``help_channels:`` channel is watched.

A reply by someone else (in its thread, or as a reply) answers it; the author's ✅ reaction
closes it too. A question still open after ``helpdesk.unanswered_after`` (default 4h, counted
in ``working_hours`` only, if set) gets one notice in the staff channel with a link to it;
``/unanswered`` lists the open ones, oldest first; the digest shows the median time to a
first answer and how many went unanswered. The first answer is a ``helped_peer`` activity
for whoever gave it (they are never told). Only metadata is stored — message id, channel,
author, reply count — never text. Opted-out members' questions are not watched.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot import (Access, ActivityKind, Cog, CommandContext, Community, Content, EventContext, Field, JobContext,
                 MessagePosted, ReactionAdded, UserError, command, format_duration, job, on_event, parse_duration)

from . import store
from .config import HelpChannels, HelpdeskConfig
from .logic import CHECK_MARKS, due_at, median, parse_working_hours, waited

SHOWN = 25
REFRESH = timedelta(minutes=10)


class Helpdesk(Cog, name="unanswered"):
    """Questions in the help channels that nobody answered yet."""

    config_sections = {"help_channels": HelpChannels, "helpdesk": HelpdeskConfig}
    activities = [ActivityKind("helped_peer", points=3, label="peers helped")]

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self._channels: dict[int, set[str]] = {}  # community id -> help channel ids (resolved once)

    def delete_member_data(self, session: Any, community_id: int, member_id: int) -> int:
        return store.erase_member(session, community_id, member_id)

    def digest_fields(self, session: Any, community_id: int, since: Any, until: Any) -> list[Any]:
        times, unanswered, asked = store.week(session, community_id, since, until)
        if not asked:
            return []
        middle = median(times)
        answer = f"median time to a first answer {waited(middle)}" if middle is not None else "none answered yet"
        return [Field("Help channels", f"{asked} question{'s' if asked != 1 else ''}: {answer}; "
                                       f"{unanswered} unanswered")]

    async def on_community(self, community: Any, config: Any) -> None:
        if config.section("help_channels") and community.id is not None:
            self.app.scheduler.every(f"unanswered:channels:{community.id}", REFRESH,
                                     lambda: self._forget_channels(community.id))

    async def _forget_channels(self, community_id: int) -> None:
        """Channels created or renamed since are found again (their ids are looked up once)."""
        self._channels.pop(community_id, None)

    async def _help_channels(self, community: Community, config: Any) -> set[str]:
        names = config.section("help_channels") or []
        if not names or community.id is None:
            return set()
        found = self._channels.get(community.id)
        if found is None:
            found = set()
            for name in names:
                try:
                    found.add((await self.app.resolve_channel(community, str(name))).id)
                except UserError:
                    self.log.warning("help_channels: no channel %r in %s", name, community.name)
            self._channels[community.id] = found
        return found

    # -- watching (only help channels cost any database work) ---------------------------------
    @on_event(MessagePosted)
    async def posted(self, ctx: EventContext, event: MessagePosted) -> None:
        member = ctx.member
        if member is None or member.id is None or member.is_bot or not event.channel_id:
            return
        if event.channel_id not in await self._help_channels(ctx.community, ctx.config):
            return
        starts_thread = event.thread_parent_id == event.message_id  # a Discord forum post opens its own thread
        parent = None if starts_thread else event.thread_parent_id or event.reply_to
        if parent is not None:
            answered = await self.db.run(store.record_reply, ctx.community.id, parent, member.id, event.at)
            if answered is not None and not member.opted_out:
                await self.publish_activity("helped_peer", community_id=ctx.community.id, member_id=member.id,
                                            channel_id=event.channel_id, at=event.at, subject=f"help:{answered}")
            return
        if (event.thread_id is not None and not starts_thread) or member.opted_out:
            return  # inside some other thread; or someone who asked not to be tracked
        cfg = ctx.config.section("helpdesk", HelpdeskConfig())
        hours = parse_working_hours(cfg.working_hours) if cfg.working_hours else None
        due = due_at(event.at, parse_duration(cfg.unanswered_after), hours, ctx.config.tz)
        await self.db.run(store.open_watch, ctx.community.id, event.channel_id, event.message_id, member.id,
                          event.at, due)

    @on_event(ReactionAdded)
    async def reacted(self, ctx: EventContext, event: ReactionAdded) -> None:
        if event.emoji not in CHECK_MARKS or not event.member_id or not event.channel_id:
            return
        if event.channel_id in await self._help_channels(ctx.community, ctx.config):
            await self.db.run(store.resolve_by_author, ctx.community.id, event.message_id, event.member_id, event.at)

    # -- telling the staff ----------------------------------------------------------------
    @job("notify", every="5m")
    async def notify_due(self, ctx: JobContext) -> None:
        """One notice per question past its time (claimed in the database: once, whatever restarts)."""
        now = self.app.clock.now()
        for item in await self.db.read(store.due, now):
            try:
                await self._notify(item, now)
            except Exception:
                self.log.exception("could not post the notice for question %s", item.watch_id)

    async def _notify(self, item: store.Due, now: Any) -> None:
        community = await self.db.read(store.community, item.community_id)
        if community is None or not self.app.serves(community.platform, community.external_id):
            return
        cfg = self.app.community_config(community.platform, community.external_id)
        if not cfg.section("help_channels"):
            return  # no longer watched here (help_channels removed): nobody wants the notice
        notify = cfg.section("helpdesk", HelpdeskConfig()).notify
        if not await self.db.run(store.claim_notice, item.watch_id, now):
            return
        link = self.app.message_link(community, item.channel_id, item.message_id)
        await self.app.post(community, notify, f"❓ {item.author_mention}'s question in <#{item.channel_id}> has had "
                                               f"no answer for {waited(now - item.posted_at)}: {link}")

    # -- instructors ----------------------------------------------------------------------
    @command("", access=Access.INSTRUCTOR, ephemeral=True)
    async def unanswered(self, ctx: CommandContext) -> None:
        """Questions in the help channels nobody answered yet, oldest first (instructors)."""
        if not ctx.config.section("help_channels"):
            raise UserError("no help channels are watched here — list them under help_channels: in schedules.yaml")
        total, shown = await self.db.read(store.open_questions, ctx.community.id, SHOWN)
        if not total:
            await ctx.reply("No unanswered questions. 🎉", ephemeral=True)
            return
        now = ctx.now()
        lines = [f"• {q.author_mention} in <#{q.channel_id}>, {format_duration(_minutes(now - q.posted_at))} ago, "
                 f"{q.reply_count} repl{'y' if q.reply_count == 1 else 'ies'}: "
                 f"{self.app.message_link(ctx.community, q.channel_id, q.message_id)}" for q in shown]
        if total > len(shown):
            lines.append(f"… and {total - len(shown)} more")
        await ctx.reply(Content(text="\n".join([f"Unanswered questions ({total}), oldest first:", *lines])),
                        ephemeral=True)


def _minutes(delta: timedelta) -> timedelta:
    return timedelta(minutes=max(1, int(delta.total_seconds() // 60)))
