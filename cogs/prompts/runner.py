"""Turning schedule rows into timers and timer firings into posts.

The database is the source of truth: every firing re-reads its schedule (another process
may have cancelled or changed it) and the rotation state before posting. The core
scheduler has already claimed (schedule, due time) in the database, so a firing runs in
exactly one process, once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot import (Community, Content, MessageRef, ScheduleClaim, UserError, escape_mentions, latest_fire_time,
                 parse_duration, parse_when)

from .logic import Calendar, EmptyBank, ScheduleSettings, prompt_text, thread_name
from .models import PromptPost, PromptSchedule
from .store_schedules import (SyncReport, all_active, complete_post, drop_post, reserve_post, schedule_by_id,
                              schedules_of, store_post, sync_yaml)


def staff_channel(cfg: Any) -> str:
    """Where instructor-only messages go: the "staff" alias, else "instructors"."""
    return "staff" if "staff" in cfg.channels else "instructors"


class PromptRunner:
    """Registers schedules with the core scheduler and posts prompts when they fire."""

    def __init__(self, app: Any, log: logging.Logger) -> None:
        self.app = app
        self.db = app.db
        self.log = log
        self._registered: dict[int, str] = {}  # schedule id -> config hash it was registered with
        self._synced: set[int] = set()  # communities whose YAML this process has synced
        self._sync_lock = asyncio.Lock()

    # -- configuration of one schedule ----------------------------------------------------
    def config_of(self, community: Community) -> Any:
        return self.app.community_config(community.platform, community.external_id)

    @staticmethod
    def zone(row: PromptSchedule, community: Community) -> ZoneInfo:
        return ZoneInfo(row.timezone or community.timezone or "UTC")

    @staticmethod
    def calendar(row: PromptSchedule, cfg: Any) -> Calendar:
        return Calendar.build(row.start_date, row.end_date, row.skip, cfg.term)

    def trigger(self, row: PromptSchedule, community: Community, cfg: Any) -> BaseTrigger:
        # "every 2 weeks" counts its weeks from the start of the term
        return parse_when(row.when_text, self.zone(row, community), anchor=self.calendar(row, cfg).start)

    @staticmethod
    def grace(row: PromptSchedule, cfg: Any) -> timedelta:
        return parse_duration(row.grace) if row.grace else cfg.grace_period

    # -- YAML sync ------------------------------------------------------------------------
    async def sync(self, community: Community) -> SyncReport:
        """Sync the community's YAML prompts and banks into the database, then (re)register timers."""
        assert community.id is not None
        cfg = self.config_of(community)
        wanted = [ScheduleSettings.from_config(p) for p in (cfg.section("prompts", []) or [])]
        banks = dict(cfg.section("banks", {}) or {})
        now = self.app.clock.now()
        for attempt in range(3):  # two processes starting together may race on the same new rows
            try:
                report = await self.db.run(sync_yaml, community.id, wanted, banks, now)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        self._synced.add(community.id)
        if report.changed:
            self.log.info("community %s: prompts added %s, updated %s, deactivated %s", community.id,
                          report.added, report.updated, report.deactivated)
        await self.refresh(community)
        return report

    async def ensure_synced(self, community: Community) -> None:
        """Lazily sync a community first seen after start (the "*" wildcard's prompts)."""
        if community.id in self._synced:
            return
        async with self._sync_lock:
            if community.id not in self._synced:
                await self.sync(community)

    async def refresh(self, community: Community) -> None:
        """Register every active schedule of the community and drop the inactive ones."""
        rows = await self.db.read(schedules_of, community.id)
        for row in rows:
            if row.active:
                if self._registered.get(row.id or 0) != row.config_hash:
                    await self.register(row, community)
            else:
                self.unregister(row)

    async def register_all(self) -> None:
        """Every active schedule in the database (commands' too), e.g. at start."""
        for row in await self.db.read(all_active):
            community = await self.db.read(lambda s, cid=row.community_id: s.get(Community, cid))
            if community is not None and (row.id or 0) not in self._registered:
                await self.register(row, community)

    async def register(self, row: PromptSchedule, community: Community) -> None:
        assert row.id is not None
        cfg = self.config_of(community)
        try:
            trigger = self.trigger(row, community, cfg)
        except ValueError as error:
            self.log.error("prompt schedule %s (%s) not registered: %s", row.key, row.id, error)
            return
        schedule_id = row.id

        async def on_fire(due: datetime) -> None:
            await self.fire(schedule_id, due)

        grace = self.grace(row, cfg)
        self._registered[schedule_id] = row.config_hash
        await self._log_missed(row, trigger, grace)
        self.app.scheduler.add(row.timer_key, trigger, on_fire, grace=grace, since=row.active_since,
                               owner=(community.platform, community.external_id))

    def unregister(self, row: PromptSchedule) -> None:
        self._registered.pop(row.id or 0, None)
        self.app.scheduler.remove(row.timer_key)

    async def _log_missed(self, row: PromptSchedule, trigger: BaseTrigger, grace: timedelta) -> None:
        """Say so when the latest firing was missed (bot down) and is too old to post now."""
        now = self.app.clock.now()
        if now - grace <= row.active_since:
            return
        missed = latest_fire_time(trigger, not_after=now - grace, not_before=row.active_since)
        if missed is None or latest_fire_time(trigger, not_after=now, not_before=now - grace) is not None:
            return  # nothing missed, or a newer firing inside the grace period will be caught up
        community = await self.db.read(lambda s: s.get(Community, row.community_id))
        if community is not None:
            day = missed.astimezone(self.zone(row, community)).date()
            if self.calendar(row, self.config_of(community)).reason_to_skip(day) is not None:
                return  # outside the term or on a break: it would not have posted anyway

        def claimed(session: Session) -> bool:
            return session.exec(select(ScheduleClaim.id).where(ScheduleClaim.key == row.timer_key,
                                                               ScheduleClaim.due_at == missed)).first() is not None

        if not await self.db.read(claimed):
            self.log.warning("prompt %s missed its firing due %s while the bot was down; it is older than the "
                             "grace period (%s) and was skipped", row.key, missed.isoformat(), grace)

    # -- firing ---------------------------------------------------------------------------
    async def fire(self, schedule_id: int, due: datetime) -> PromptPost | None:
        row = await self.db.read(schedule_by_id, schedule_id)
        if row is None or not row.active:
            self.log.info("prompt schedule %s is no longer active; firing due %s skipped", schedule_id, due)
            if row is not None:
                self.unregister(row)
            return None
        community = await self.db.read(lambda s: s.get(Community, row.community_id))
        assert community is not None
        cfg = self.config_of(community)
        if self._registered.get(schedule_id) != row.config_hash:  # changed by another process
            await self.register(row, community)
            if latest_fire_time(self.trigger(row, community, cfg), not_after=due,
                                not_before=due - timedelta(seconds=1)) is None:
                return None
        day = due.astimezone(self.zone(row, community)).date()
        reason = self.calendar(row, cfg).reason_to_skip(day)
        if reason is not None:
            self.log.info("prompt %s not posted on %s: %s", row.key, day, reason)
            return None
        try:
            return await self.post_next(community, row, due_at=due)
        except UserError as error:
            self.log.warning("prompt %s could not be posted: %s", row.key, error)
            await self._tell_staff(community, f"⚠️ The scheduled prompt **{row.key}** was not posted: {error}")
            return None

    async def _tell_staff(self, community: Community, text: str) -> None:
        try:
            await self.app.post(community, staff_channel(self.config_of(community)), text)
        except Exception:  # the warning is already logged; a missing staff channel must not crash the firing
            self.log.exception("could not notify staff of community %s", community.id)

    async def post_next(self, community: Community, row: PromptSchedule, *, due_at: datetime | None = None,
                        posted_by: int | None = None) -> PromptPost:
        """Post the schedule's next question (its rotation), now."""
        try:
            post = await self.db.run(reserve_post, row.id, due_at, self.app.clock.now(), posted_by)
        except EmptyBank:
            where = f'bank "{row.bank}"' if row.bank else "its question list"
            raise UserError(f"{where} is empty — add questions with /prompt bank add") from None
        try:
            ref, thread_id = await self.send(community, row.channel, post.question, thread=row.thread,
                                             mention=row.mention)
        except BaseException:
            await self.db.run(drop_post, post.id)
            raise
        return await self.db.run(complete_post, post.id, ref.platform, ref.server_id, ref.channel_id, ref.message_id,
                                 thread_id)

    async def publish(self, community: Community, channel: str, question: str, *, thread: bool,
                      mention: str | None, posted_by: int | None = None) -> PromptPost:
        """Post a one-off prompt (not from a schedule) and remember where it is."""
        ref, thread_id = await self.send(community, channel, question, thread=thread, mention=mention)
        post = PromptPost(community_id=community.id or 0, question=question, platform=ref.platform,
                          server_id=ref.server_id, channel_id=ref.channel_id, message_id=ref.message_id,
                          thread_id=thread_id, posted_at=self.app.clock.now(), posted_by=posted_by)
        return await self.db.run(store_post, post)

    async def send(self, community: Community, channel: str, question: str, *, thread: bool,
                   mention: str | None) -> tuple[MessageRef, str | None]:
        """Post the prompt message, opening a thread under it if asked."""
        hint = "Answer in the thread below." if thread else "Reply to this message to answer."
        content = Content(title="💬 Discussion prompt", text=prompt_text(escape_mentions(question), mention),
                          footer=hint)
        ref = await self.app.post(community, channel, content)
        thread_id = None
        if thread:
            try:
                thread_id = await self.app.start_thread(ref, thread_name(question))
            except Exception:  # the prompt is out; replies to it still count as responses
                self.log.exception("could not open a thread for prompt in %s", ref.channel_id)
        return ref, thread_id
