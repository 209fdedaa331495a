"""/prompt: scheduled discussion prompts, question banks, threads and response tracking.

An instructor sets up a term's prompts once (schedules.yaml or /prompt schedule) and the
bot posts them on time: the database holds the schedules, the core scheduler is the timer
and claims each (schedule, due time) so a prompt is posted exactly once, even after a
restart or with several processes.

Communities: those listed in schedules.yaml with an id and a platform are synced at
start, as is every community already in the database; a server first seen later (the
"*" wildcard) is synced the first time the bot sees it — any event or command from it
(the core's ``on_community``).
Cancelling a YAML schedule pauses it until /prompt resume, or until schedules.yaml changes
that schedule.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot import (Access, ActivityKind, ChannelRef, Cog, CommandContext, Community, Duration, EventContext, Help, Max,
                 MaxLen, MemberJoined, MessagePosted, Min, Timezone, UserError, command, format_duration, on_event)

from . import dashboard
from .config import PromptScheduleConfig, validate_prompts
from .logic import ScheduleSettings, check_schedule, split_list, upcoming_runs
from .render import config_file_name, post_reference, report_content, schedule_line, schedule_list
from .runner import PromptRunner
from .store_banks import require_bank
from .store_responses import forget_member, post_answered_by, post_report, record_response, term_report
from .store_schedules import (bank_texts, cancel_schedule, least_posted, require_schedule, resume_schedule,
                              save_command_schedule, schedules_of)
from .suggestions import BankCommands


class Prompts(BankCommands, Cog, name="prompt"):
    """Scheduled discussion prompts, question banks and response tracking."""

    activities = [ActivityKind("prompt_response", 5, "prompt responses")]

    config_sections = {"banks": dict[str, list[str]], "prompts": list[PromptScheduleConfig]}

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.runner = PromptRunner(app, self.log)

    @classmethod
    def validate_community(cls, community: Any) -> list[tuple[tuple[Any, ...], str]]:
        return validate_prompts(community)

    # -- lifecycle ------------------------------------------------------------------------
    async def cog_load(self) -> None:
        for cfg in self.app.config.communities:
            if cfg.key != "*" and cfg.platform:
                await self.app.directory.community(cfg.platform, cfg.key, name=cfg.name,
                                                   timezone=cfg.timezone or "UTC")
        known = await self.db.read(lambda s: list(s.exec(select(Community)).all()))
        for row in known:
            cfg = self.app.community_config(row.platform, row.external_id)
            community = await self.app.directory.community(row.platform, row.external_id,
                                                           timezone=cfg.timezone or "UTC")
            await self.runner.sync(community)
        await self.runner.register_all()
        # Schedules made with /prompt schedule in another process: picked up within a minute.
        self.app.scheduler.every("prompt:resync", timedelta(minutes=1), self.runner.register_all)

    async def on_community(self, community: Any, config: Any) -> None:
        await self.runner.ensure_synced(community)  # a "*" server's prompts start with its first event

    def delete_member_data(self, session: Any, community_id: int, member_id: int) -> int:
        return forget_member(session, community_id, member_id)

    # -- the web dashboard (data only: bot/dashboard renders it) ----------------------------
    dashboard_pages = {"prompts": "Prompts"}

    async def dashboard_schedules(self, community: Any, config: Any, now: Any, until: Any) -> list[Any]:
        return await dashboard.schedules(self, community, config, now, until)

    async def dashboard_member_columns(self, community: Any, config: Any, today: date) -> list[Any]:
        return await dashboard.member_columns(self, community)

    async def dashboard_member_panels(self, community: Any, config: Any, today: date, member: Any) -> list[Any]:
        return await self.db.read(dashboard.member_prompts, community.id, member.id)

    async def dashboard_page(self, slug: str, community: Any, config: Any, today: date) -> list[Any]:
        return await dashboard.page(self, community, config)

    # -- posting now ----------------------------------------------------------------------
    @command("post", access=Access.INSTRUCTOR, ephemeral=True)
    async def post(self, ctx: CommandContext,
                   question: Annotated[str | None, Help("The question to ask"), MaxLen(500)] = None,
                   bank: Annotated[str | None, Help("Or: take the next question from this bank")] = None,
                   schedule: Annotated[str | None, Help("Or: post this schedule's next question now")] = None,
                   channel: Annotated[ChannelRef | None, Help("Where (default: here)")] = None,
                   thread: Annotated[bool, Help("Open a thread for answers")] = False,
                   mention: Annotated[str | None, Help("A role or group to mention"), MaxLen(100)] = None) -> None:
        """Post a discussion prompt now."""
        await self.runner.ensure_synced(ctx.community)
        if sum(x is not None for x in (question, bank, schedule)) != 1:
            raise UserError('give one of question:"...", bank:<name> or schedule:<id>')
        if schedule is not None:
            row = await self.db.read(require_schedule, ctx.community.id, schedule)
            post = await self.runner.post_next(ctx.community, row, posted_by=ctx.member.id)
        else:
            target = await ctx.resolve_channel(channel or ctx.channel)
            text = question if question is not None else await self._next_from_bank(ctx, bank or "")
            post = await self.runner.publish(ctx.community, target.id, text, thread=thread, mention=mention,
                                             posted_by=ctx.member.id)
        await ctx.reply(f"Posted {post_reference(post, await self._channel_name(ctx, post.channel_id))}.",
                        ephemeral=True)

    async def _next_from_bank(self, ctx: CommandContext, bank: str) -> str:
        await self.db.read(require_bank, ctx.community.id, bank)
        questions = await self.db.read(bank_texts, ctx.community.id, bank) or []
        if not questions:
            raise UserError(f'bank "{bank}" is empty — add questions with /prompt bank add bank:{bank} question:<text>')
        return await self.db.read(least_posted, ctx.community.id, questions)

    # -- schedules ------------------------------------------------------------------------
    @command("schedule", access=Access.INSTRUCTOR, ephemeral=True)
    async def schedule(self, ctx: CommandContext,
                       id: Annotated[str, Help("A short name, e.g. monday-warmup"), MaxLen(50)],
                       when: Annotated[str, Help('Cron ("0 18 * * 1-5") or "mon,wed 09:00", "daily 18:30", '
                                                 '"every 2 weeks on tue 10:00"'), MaxLen(100)],
                       channel: Annotated[ChannelRef, Help("Where to post")],
                       questions: Annotated[str | None, Help('Questions, separated by ";"')] = None,
                       bank: Annotated[str | None, Help("Or: a question bank")] = None,
                       order: Annotated[Literal["in-order", "shuffle"], Help("Rotation")] = "in-order",
                       timezone: Annotated[Timezone | None, Help("Default: the community's")] = None,
                       thread: Annotated[bool, Help("Open a thread per prompt")] = False,
                       mention: Annotated[str | None, Help("A role or group to mention"), MaxLen(100)] = None,
                       start: Annotated[date | None, Help("First day (default: the term's)")] = None,
                       end: Annotated[date | None, Help("Last day (default: the term's)")] = None,
                       skip: Annotated[str | None, Help('Dates to skip: "2026-02-16..2026-02-20; 2026-03-02"')] = None,
                       grace: Annotated[Duration | None, Help("Post a firing missed while down within this")] = None,
                       ) -> None:
        """Create or replace a prompt schedule (the same options as schedules.yaml)."""
        await self.runner.ensure_synced(ctx.community)
        target = await ctx.resolve_channel(channel)
        settings = ScheduleSettings(key=id.strip(), channel=target.id, when=when.strip(), timezone=timezone,
                                    bank=bank.strip() if bank else None, questions=tuple(split_list(questions)),
                                    rotation=order, thread=thread, mention=mention, start=start, end=end,
                                    skip=tuple(split_list(skip)), grace=format_duration(grace) if grace else None)
        zone = self._zone(ctx, timezone)
        try:
            check_schedule(settings, zone)
        except ValueError as error:
            raise UserError(str(error)) from None
        if settings.bank:
            await self.db.read(require_bank, ctx.community.id, settings.bank)
            if not await self.db.read(bank_texts, ctx.community.id, settings.bank):
                raise UserError(f'bank "{settings.bank}" is empty — add questions first with /prompt bank add')
        row, created = await self.db.run(save_command_schedule, ctx.community.id, settings, ctx.member.id,
                                         ctx.now())
        await self.runner.register(row, ctx.community)
        await ctx.reply(("Scheduled " if created else "Updated ") + self._line(ctx, row, target.name or None),
                        ephemeral=True)

    @command("list", access=Access.INSTRUCTOR, ephemeral=True)
    async def list_schedules(self, ctx: CommandContext) -> None:
        """List prompt schedules with their next three run times."""
        await self.runner.ensure_synced(ctx.community)
        rows = await self.db.read(schedules_of, ctx.community.id)
        lines = [self._line(ctx, r, await self._channel_name(ctx, r.channel))
                 for r in rows if r.active or r.inactive_reason == "cancelled"]
        await ctx.reply(schedule_list(lines, ctx.tz), ephemeral=True)

    async def _channel_name(self, ctx: CommandContext, channel: str) -> str:
        """The name of the channel a schedule posts in (it may name an alias from the config)."""
        try:
            found = await ctx.resolve_channel(channel)
        except UserError:
            return channel
        return found.name or channel

    @staticmethod
    def _zone(ctx: CommandContext, timezone: str | None) -> ZoneInfo:
        return ZoneInfo(timezone) if timezone else ctx.tz

    def _line(self, ctx: CommandContext, row: Any, channel: str | None = None) -> str:
        zone = self.runner.zone(row, ctx.community)
        calendar = self.runner.calendar(row, ctx.config)
        upcoming = []
        if row.active:
            try:
                trigger = self.runner.trigger(row, ctx.community, ctx.config)
                upcoming = upcoming_runs(trigger, ctx.now(), zone, 3, calendar.is_posting_day)
            except ValueError:
                pass
        return schedule_line(row, zone, ctx.tz, upcoming, calendar.start, channel=channel,
                             config_file=config_file_name(self.app))

    @command("cancel", access=Access.INSTRUCTOR, ephemeral=True)
    async def cancel(self, ctx: CommandContext, id: Annotated[str, Help("The schedule's id (see /prompt list)")]) -> None:
        """Cancel (pause) a prompt schedule; /prompt resume starts it again."""
        await self.runner.ensure_synced(ctx.community)
        row = await self.db.run(cancel_schedule, ctx.community.id, id, ctx.now())
        self.runner.unregister(row)
        note = (f" It comes from {config_file_name(self.app)}: it stays paused until /prompt resume id:{row.key} "
                "or a change to that schedule in the file." if row.source == "yaml"
                else f" Its history is kept; /prompt resume id:{row.key} starts it again.")
        await ctx.reply(f"Cancelled **{row.key}**.{note}", ephemeral=True)

    @command("resume", access=Access.INSTRUCTOR, ephemeral=True)
    async def resume(self, ctx: CommandContext, id: Annotated[str, Help("The schedule's id (see /prompt list)")]) -> None:
        """Start a cancelled prompt schedule again (what it missed meanwhile is not posted)."""
        await self.runner.ensure_synced(ctx.community)
        row = await self.db.run(resume_schedule, ctx.community.id, id, ctx.now())
        await self.runner.register(row, ctx.community)
        await ctx.reply("Resumed " + self._line(ctx, row, await self._channel_name(ctx, row.channel)), ephemeral=True)

    # -- responses ------------------------------------------------------------------------
    @on_event(MessagePosted, MemberJoined)
    async def on_activity(self, ctx: EventContext, event: Any) -> None:
        await self.runner.ensure_synced(ctx.community)
        if not isinstance(event, MessagePosted) or not event.member_id or ctx.member is None:
            return
        if ctx.member.is_bot or ctx.member.opted_out or not (event.thread_id or event.reply_to):
            return
        post_id = await self.db.read(post_answered_by, event.community_id, event.thread_id, event.reply_to)
        if post_id is None:
            return
        if await self.db.run(record_response, event.community_id, post_id, event.member_id, event.at):
            await self.publish_activity("prompt_response", community_id=event.community_id, member_id=event.member_id,
                                        channel_id=event.channel_id, at=event.at, subject=f"prompt:{post_id}")

    @command("report", access=Access.INSTRUCTOR, ephemeral=True)
    async def report(self, ctx: CommandContext,
                     prompt: Annotated[int | None, Help("A prompt number (default: the latest)"), Min(1),
                                       Max(2**31 - 1)] = None,
                     schedule: Annotated[str | None, Help("Or: the latest prompt of this schedule")] = None) -> None:
        """Who answered a prompt and who did not, and the response rate over the term."""
        await self.runner.ensure_synced(ctx.community)
        # instructors are not expected to answer: the configured ones and whoever asks for the report
        exclude = {str(u) for u in ctx.config.instructors.users} | {ctx.member.external_id}
        report = await self.db.read(post_report, ctx.community.id, prompt, schedule, exclude)
        term = ctx.config.term
        zone = ctx.tz
        term_report_ = await self.db.read(term_report, ctx.community.id, term.is_active,
                                          lambda moment: moment.astimezone(zone).date(), exclude)
        label = "This term" if term.start or term.end else "All prompts so far"
        await ctx.reply(report_content(report, term_report_, zone, label), ephemeral=True)
