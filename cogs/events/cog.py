"""/event: live sessions — webinars, workshops, office hours — with RSVP, reminders,
calendars and attendance.

Rules worth knowing (they are also what people are told):
- Going / Maybe / Can't go: the last click counts. With a capacity, Going past it puts you on
  the waitlist; when someone going changes their mind the first on the waitlist gets the
  spot (and a DM).
- Reminders go by DM 24 h and 15 min before the start to Going (and Maybe with
  ``event_settings: {remind_maybe: true}``), each exactly once.
- "I'm here" is on the card from 10 minutes before the start until the end; instructors can
  mark attendance afterwards with /event attendance.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from bot import (Access, ActionContext, ActivityKind, Attachment, ChannelRef, Cog, CommandContext, Community, Content,
                 Duration, Help, LiveUpdater, MaxLen, Member, MessageRef, NativeEvent, SessionEnded, SessionOpened,
                 UserError, WebRequest, WebResponse, action, command, plural, route, to_csv)

from . import store
from .digest import digest_field, turnouts
from .config import EventSeriesConfig, EventSettingsConfig, validate_sections
from .ics import calendar_ics
from .logic import CHECK_IN_OPENS, LABELS, RSVP_CHOICES, check_in_open, check_new_event, format_local, read_start
from .models import Event
from .render import card, event_line, reminder
from .series import register_series, schedule_views
from .timers import schedule_event, sync_pending, unschedule_event

DEFAULT_DURATION = timedelta(hours=1)
UNTOLD_AFTER = timedelta(minutes=2)  # a "spot opened" DM not sent by then: its process stopped before it
_MENTION = re.compile(r"<@!?([^>|]+)(?:\|[^>]*)?>|@?([^\s,;<>]+)")


class Events(Cog, name="event"):
    """Live sessions: RSVP, reminders, calendars and attendance."""

    config_sections = {"events": list[EventSeriesConfig], "event_settings": EventSettingsConfig}
    activities = [ActivityKind("event_attendance", points=5, label="sessions attended")]

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.live = LiveUpdater(self.refresh, delay=1.0)
        self._promoted_on_forget: dict[int, dict[int, list[int]]] = {}  # member -> event -> promoted

    # -- knobs for tests ------------------------------------------------------------------
    async def flush_updates(self) -> None:
        await self.live.flush()

    # -- lifecycle ------------------------------------------------------------------------
    async def cog_load(self) -> None:
        await self.sync()
        self.app.scheduler.every("event:sync", timedelta(minutes=1), self.sync)

    async def before_stop(self) -> None:  # the last card edits go out before the platform disconnects
        try:
            await self.live.flush()
        except Exception:
            self.log.exception("pending event card updates were lost at shutdown")

    async def sync(self) -> None:
        """Timers for every pending event (also those another process created), and the "a spot
        opened" DMs a process committed but did not send (it stopped in between)."""
        now = self.app.clock.now()
        await sync_pending(self, await self.db.read(store.pending_events, now))
        if self.app.started:  # the platforms are there
            untold: dict[int, list[int]] = {}
            for event_id, member_id in await self.db.run(store.untold_promotions, now - UNTOLD_AFTER, now):
                untold.setdefault(event_id, []).append(member_id)
            for event_id, members in untold.items():
                await self._tell_promoted(event_id, members)

    @classmethod
    def validate_community(cls, community: Any) -> list[tuple[tuple[Any, ...], str]]:
        return validate_sections(community)

    def digest_fields(self, session: Any, community_id: int, since: Any, until: Any) -> list[Any]:
        community = session.get(Community, community_id)
        return digest_field(turnouts(session, community_id, since, until), ZoneInfo(community.timezone or "UTC"))

    def delete_member_data(self, session: Any, community_id: int, member_id: int) -> int:
        count, promoted = store.erase_member(session, community_id, member_id, self.app.clock.now())
        self._promoted_on_forget[member_id] = promoted  # told once the erase is committed
        return count

    async def after_forget(self, community_id: int, member_id: int) -> None:
        for event_id, members in self._promoted_on_forget.pop(member_id, {}).items():
            self.live.touch(event_id)
            await self._tell_promoted(event_id, members)

    # -- commands -------------------------------------------------------------------------
    @command("create", access=Access.INSTRUCTOR, defer=True, ephemeral=True)
    async def create(self, ctx: CommandContext,
                     title: Annotated[str, Help("What the session is called"), MaxLen(200)],
                     when: Annotated[str, Help('Start: "2026-03-05 15:00", "thu 15:00", "tomorrow 10:00" (local time)')],
                     duration: Annotated[Duration | None, Help("How long: 30m, 1h30m (default 1h, at most 24h)")] = None,
                     where: Annotated[str | None, Help("A link or a voice channel"), MaxLen(300)] = None,
                     channel: Annotated[ChannelRef | None, Help("Where to post the card (default: here)")] = None,
                     capacity: Annotated[int | None, Help("Spots; more people go on a waitlist")] = None,
                     description: Annotated[str | None, Help("What it is about"), MaxLen(1000)] = None) -> None:
        """Schedule a session and post its card with RSVP buttons (instructors)."""
        now, tz = ctx.now(), ctx.tz
        length = duration if duration is not None else DEFAULT_DURATION
        try:
            starts_at, skipped = read_start(when, now, tz)
            check_new_event(starts_at, length, capacity, now, tz)
        except ValueError as error:
            raise UserError(str(error)) from None
        target = await ctx.resolve_channel(channel) if channel else ctx.channel
        event = Event(community_id=ctx.community.id, author_id=ctx.member.id, title=title.strip(),
                      description=(description or "").strip(), location=(where or "").strip(),
                      starts_at=starts_at, ends_at=starts_at + length, capacity=capacity, created_at=now)
        event = await self.db.run(store.insert_event, event)
        await self.publish(ctx.community, event, target, thread_id=None if channel else ctx.thread_id)
        where_posted = f" in #{target.name or target.id}" if channel else ""
        moved = f" ({skipped})" if skipped else ""
        await ctx.reply(f"Event #{event.id} is up{where_posted}: {format_local(starts_at, tz)}{moved}. "
                        f"Cancel it with `/event cancel {event.id}`.", ephemeral=True)

    @command("list", ephemeral=True)
    async def list_events(self, ctx: CommandContext) -> None:
        """Upcoming sessions, with your RSVP, and the community's calendar feed."""
        def read(session: Any) -> tuple[list[Event], dict[int, str], str]:
            events = store.upcoming(session, ctx.community.id, ctx.now())
            mine = store.my_rsvps(session, ctx.member.id, [e.id for e in events])  # type: ignore[misc]
            return events, mine, store.calendar_token(session, ctx.community.id)

        events, mine, token = await self.db.run(read)
        lines = [event_line(e, ctx.tz, mine.get(e.id)) for e in events]  # type: ignore[arg-type]
        text = "\n".join(lines) if lines else "No upcoming sessions."
        feed = f"{self.app.web.public_url}/calendar/{token}.ics"
        await ctx.reply(Content(title="Upcoming sessions", text=text,
                                footer=f"Calendar feed (Google Calendar, Outlook): {feed}"), ephemeral=True)

    @command("cancel", access=Access.INSTRUCTOR, ephemeral=True, defer=True)
    async def cancel(self, ctx: CommandContext, event: Annotated[int, Help("The event number")],
                     reason: Annotated[str | None, Help("Told to the people going"), MaxLen(300)] = None) -> None:
        """Cancel a session: the card says so and everyone going gets a DM (instructors)."""
        row = await self.db.run(store.cancel, ctx.community.id, event, ctx.now())
        unschedule_event(self, event)
        if ctx.now() >= row.starts_at - CHECK_IN_OPENS:  # it had opened: it ends now
            await self.announce(event, ended=True, cancelling=True)
        await self.live.settle(event)
        await self.refresh(event)
        if row.native_id:
            try:
                await self.app.cancel_native_event(ctx.community, row.native_id)
            except Exception:
                self.log.exception("could not cancel the platform event of event %s", event)
        people = await self.db.read(store.members_with, event, ("going", "maybe", "waitlist"))
        note = f"\nReason: {reason}" if reason else ""
        for member in people:
            await self._dm(ctx.community, member, Content(
                text=f"❌ **{row.title}** ({format_local(row.starts_at, ctx.tz)}) was cancelled.{note}"))
        await ctx.reply(f"Cancelled event #{event}; told {plural(len(people), 'member')}.", ephemeral=True)

    @command("attendance", access=Access.INSTRUCTOR, ephemeral=True)
    async def attendance(self, ctx: CommandContext, event: Annotated[int, Help("The event number")],
                         present: Annotated[str | None, Help("Mark these members as attended: @ana @ben")] = None) -> None:
        """Show who attended a session, or mark members as present (instructors)."""
        row = await self.db.read(store.get_event, ctx.community.id, event)
        if present:
            if ctx.now() < row.starts_at:
                raise UserError(f"event #{event} has not started yet — mark attendance once it has")
            marked = 0
            for ref in _mentions(present):
                member = await ctx.resolve_member(ref)
                if await self.db.run(store.check_in, ctx.community.id, event, member.id, ctx.now(), "instructor"):
                    marked += 1
                    await self._attended(row, member.id)
            self.live.touch(event)
            await ctx.reply(f"Marked {plural(marked, 'member')} present at event #{event}.", ephemeral=True)
            return
        rows = await self.db.read(store.attendance_rows, event)
        here = [m.display_name or m.external_id for m, _, _, seen in rows if seen]
        missing = [m.display_name or m.external_id for m, status, _, seen in rows if status == "going" and not seen]
        going = sum(1 for _, status, _, _ in rows if status == "going")
        text = (f"Attended: {len(here)}" + (f" — {', '.join(here)}" if here else "") +
                f"\nGoing but not checked in: {len(missing)}" + (f" — {', '.join(missing)}" if missing else ""))
        turnout = f"{round(100 * len(here) / going)}% of those going" if going else "nobody RSVPed Going"
        await ctx.reply(Content(title=f"Attendance — {row.title} (#{event})", text=text, footer=turnout),
                        ephemeral=True)

    @command("export", access=Access.INSTRUCTOR, ephemeral=True, defer=True)
    async def export(self, ctx: CommandContext, event: Annotated[int, Help("The event number")]) -> None:
        """Download a session's RSVPs and attendance as CSV (instructors)."""
        row = await self.db.read(store.get_event, ctx.community.id, event)
        rows = await self.db.read(store.attendance_rows, event)
        data = to_csv(["member", "member_id", "rsvp", "rsvp_at", "attended", "attended_at", "marked_by"],
                      [[m.display_name, m.external_id, LABELS.get(status or "", ""),
                        at.isoformat() if at else "", seen is not None, seen.at.isoformat() if seen else "",
                        seen.source if seen else ""] for m, status, at, seen in rows])
        await ctx.reply(Content(text=f"Event #{event} ({row.title}) as CSV.",
                                files=[Attachment(f"event-{event}.csv", data.encode(), "text/csv")]), ephemeral=True)

    # -- buttons --------------------------------------------------------------------------
    @action("rsvp")
    async def rsvp(self, ctx: ActionContext, event_id: int, choice: str) -> None:
        if choice not in RSVP_CHOICES:  # a forged or mangled button id
            raise UserError("this button no longer works — run the command again")
        change = await self.db.run(store.rsvp, ctx.community.id, event_id, ctx.member.id, choice, ctx.now())
        self.live.touch(event_id)
        row = await self.db.read(store.get_event, ctx.community.id, event_id)
        if change.after == "waitlist":
            position = await self.db.read(store.waitlist_position, event_id, ctx.member.id)
            text = (f"**{row.title}** is full — you're #{position} on the waitlist. "
                    "You'll get a DM if a spot opens.")
        else:
            text = f"Your RSVP for **{row.title}**: {LABELS[change.after]}."
        await ctx.reply(text, ephemeral=True)
        await self._tell_promoted(event_id, list(change.promoted))

    @action("ics")
    async def ics(self, ctx: ActionContext, event_id: int) -> None:
        row = await self.db.read(store.get_event, ctx.community.id, event_id)
        data = calendar_ics([row], ctx.tz, name=row.title, stamp=ctx.now(), uid_domain=self._uid_domain(ctx.community))
        await ctx.reply(Content(text=f"**{row.title}** for your calendar.",
                                files=[Attachment(f"event-{event_id}.ics", data, "text/calendar")]), ephemeral=True)

    @action("here")
    async def here(self, ctx: ActionContext, event_id: int) -> None:
        row = await self.db.read(store.get_event, ctx.community.id, event_id)
        now = ctx.now()
        if row.is_cancelled:
            raise UserError(f"event #{event_id} was cancelled")
        if not check_in_open(row.starts_at, row.ends_at, now):
            raise UserError("check-in is open from 10 minutes before the start until the end"
                            if now < row.ends_at else f"event #{event_id} is over — check-in is closed")
        if not await self.db.run(store.check_in, ctx.community.id, event_id, ctx.member.id, now, "check-in"):
            await ctx.reply("You're already checked in.", ephemeral=True)
            return
        self.live.touch(event_id)
        await ctx.reply(f"Checked in to **{row.title}** — welcome!", ephemeral=True)
        await self._attended(row, ctx.member.id)

    # -- calendar feed --------------------------------------------------------------------
    @route("GET", "/calendar/{token}.ics")
    async def calendar_feed(self, request: WebRequest) -> WebResponse:
        found = await self.db.read(store.calendar_events, request.params["token"])
        if found is None:
            return WebResponse.not_found("unknown calendar")
        community, events = found
        data = calendar_ics(events, ZoneInfo(community.timezone or "UTC"), name=community.name or "Sessions",
                            stamp=self.app.clock.now(), uid_domain=self._uid_domain(community))
        return WebResponse(data, content_type="text/calendar; charset=utf-8",
                           headers={"Cache-Control": "private, max-age=300"})

    # -- recurring sessions (schedules.yaml ``events:``) ----------------------------------
    async def dashboard_schedules(self, community: Any, config: Any, now: Any, until: Any) -> list[Any]:
        """The Schedules page: each series' sessions (bot/dashboard renders them)."""
        return schedule_views(config, now, until)

    async def on_community(self, community: Any, config: Any) -> None:
        await register_series(self, community, config)

    # -- posting, refreshing, reminding ---------------------------------------------------
    async def publish(self, community: Community, event: Event, channel: str | ChannelRef, *,
                      thread_id: str | None = None) -> None:
        """Post an event's card (the row goes again if posting fails), then its timers and the
        platform's own event where there is one."""
        view = await self.db.read(store.load_view, event.id)
        content = card(view, self.action_id, ZoneInfo(community.timezone or "UTC"), self.app.clock.now())
        try:
            ref = await self.app.post(community, channel, content, thread_id=thread_id)
        except BaseException:
            await self.db.run(store.delete_event, event.id)
            raise
        await self.db.run(store.set_message, event.id, ref)
        schedule_event(self, event, (community.platform, community.external_id))
        try:
            native = await self.app.create_native_event(community, _native(event))
        except Exception:
            self.log.exception("could not create the platform event for event %s", event.id)
            native = None
        if native:
            await self.db.run(store.set_native_id, event.id, native)

    async def refresh(self, event_id: int) -> None:
        def read(session: Any) -> tuple[Content, MessageRef | None]:
            view = store.load_view(session, event_id)
            community = session.get(Community, view.event.community_id)
            content = card(view, self.action_id, ZoneInfo(community.timezone or "UTC"), self.app.clock.now())
            return content, view.event.message

        content, ref = await self.db.read(read)
        if ref is not None:
            await self.app.edit(ref, content)

    async def announce(self, event_id: int, *, ended: bool, cancelling: bool = False) -> None:
        """Tell other cogs a session opened (check-in starts) or ended (or was cancelled meanwhile)."""
        event = await self.db.read(lambda s: s.get(Event, event_id))
        if event is None or event.is_cancelled and not cancelling:
            return  # another process's timer for a session cancelled here
        where = {"community_id": event.community_id, "channel_id": event.channel_id, "at": self.app.clock.now(),
                 "session_id": event_id, "series": event.series_key}
        await self.app.publish(SessionEnded(**where) if ended else SessionOpened(**where, title=event.title))

    async def send_reminders(self, event_id: int, label: str) -> int:
        def read(session: Any) -> tuple[Event, Community, list[Any]]:
            event = session.get(Event, event_id)
            community = session.get(Community, event.community_id)
            cfg = self.app.community_config(community.platform, community.external_id)
            statuses = ("going", "maybe") if cfg.section("event_settings", EventSettingsConfig()).remind_maybe \
                else ("going",)
            return event, community, store.members_with(session, event_id, statuses)

        event, community, members = await self.db.read(read)
        if event is None or event.is_cancelled:
            return 0
        content = reminder(event, ZoneInfo(community.timezone or "UTC"), label)
        sent = 0
        for member in members:
            if await self._dm(community, member, content):
                sent += 1
        return sent

    async def _attended(self, event: Event, member_id: int) -> None:
        """Attendance counts for participation (once per member and session: the row is unique)."""
        await self.publish_activity("event_attendance", community_id=event.community_id, member_id=member_id,
                                    channel_id=event.channel_id, subject=f"event:{event.id}")

    async def _tell_promoted(self, event_id: int, member_ids: list[int]) -> None:
        """DM the members who just got a spot from the waitlist."""
        if not member_ids:
            return

        def read(session: Any) -> tuple[Event, Community, list[Member]]:
            event = session.get(Event, event_id)
            return event, session.get(Community, event.community_id), [session.get(Member, i) for i in member_ids]

        event, community, members = await self.db.read(read)
        when = format_local(event.starts_at, ZoneInfo(community.timezone or "UTC"))
        for member in members:  # marked told after each attempt (a DM the platform refuses is not retried)
            await self._dm(community, member, Content(
                text=f"🎉 A spot opened: you're now going to **{event.title}** ({when})."))
            await self.db.run(store.promotion_told, event_id, [member.id])

    async def _dm(self, community: Community, member: Any, content: Content) -> bool:
        try:
            return await self.app.dm(community, member, content) is not None
        except Exception:
            self.log.exception("could not DM member %s", member.id)
            return False

    @staticmethod
    def _uid_domain(community: Community) -> str:
        return f"{community.platform}-{community.external_id}.cohort-bot"


def _native(event: Event) -> NativeEvent:
    return NativeEvent(title=event.title, starts_at=event.starts_at, ends_at=event.ends_at,
                       location=event.location or "Online", description=event.description)


def _mentions(text: str) -> list[str]:
    """"<@U1> @ben, carla" -> ["U1", "ben", "carla"]."""
    return [m.group(1) or m.group(2) for m in _MENTION.finditer(text)]
