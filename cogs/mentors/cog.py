"""/mentor: opt in to peer mentoring, get matched in rounds, meet, check in."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from sqlmodel import Session, select

from bot import (Access, ActionContext, ActivityKind, Cog, CommandContext, EventContext, Form, FormField, Help,
                 JobContext, Max, MaxLen, MemberLeft, MemberRef, Min, NotFound, Timezone, UserError, action,
                 bind_values, command, job, on_event, options_from_signature, parse_when)

from . import dashboard, group_store, profiles, store
from .config import MentoringConfig
from .models import ANSWERS, MentorSchedule
from .render import render_check_in, render_pairs, render_preview, render_profile
from .rounds import RoundService, local_today
from .studygroups import StudyGroups, render_groups_preview, study_group_field

THANKS = {
    "met": "Great — glad you met! 🎉",
    "not_yet": "Thanks — there's still time; your match stays open.",
    "wont_happen": "Thanks for letting me know. You'll get a new match next round.",
}
MODE_ROLES = {"both": ("mentor", "mentee", "peer"), "mentors": ("mentor", "mentee"), "peers": ("peer",)}
MAX_PAUSE = timedelta(days=366)
JOIN_FORM_FIELDS = ("role", "topics", "timezone")


class Mentors(Cog, name="mentor"):
    """Peer mentoring: opt in, get matched with a mentor or peers, meet."""

    activities = [ActivityKind("mentor_meeting", 10, "mentor meetings", signal="meetings")]

    config_sections = {"mentoring": MentoringConfig}

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.rounds = RoundService(app, self.action_id)
        self.study_groups = StudyGroups(app, self.rounds, self.action_id)

    async def on_community(self, community: Any, config: Any) -> None:
        """Register the community's round schedule, if it has one (the DB row keeps when it began).

        Called for every known community at start and for a server first seen under ``"*"``.
        """
        section = config.section("mentoring")
        if section is None or not section.when:
            return
        since = await self.db.run(_sync_schedule, community.id, section.when, config.timezone or "UTC",
                                  self.app.clock.now())
        self.app.scheduler.add(f"mentor:round:{community.id}", parse_when(section.when, config.tz),
                               self._round_callback(community.id), grace=config.grace_period, since=since,
                               owner=(community.platform, community.external_id))

    def _round_callback(self, community_id: int) -> Any:
        async def fire(due_at: Any) -> None:
            community = await self.rounds._community(community_id)
            if community is not None:
                await self.rounds.run_scheduled(community)

        return fire

    # -- the web dashboard (data only: bot/dashboard renders it) -----------------------------
    dashboard_pages = {"mentoring": "Mentoring"}

    async def dashboard_schedules(self, community: Any, config: Any, now: Any, until: Any) -> list[Any]:
        return dashboard.schedules(community, config, now, until)

    async def dashboard_member_columns(self, community: Any, config: Any, today: date) -> list[Any]:
        return await dashboard.member_columns(self, community, today)

    async def dashboard_member_panels(self, community: Any, config: Any, today: date, member: Any) -> list[Any]:
        return await self.db.read(dashboard.member_mentoring, community.id, member.id, today)

    async def dashboard_page(self, slug: str, community: Any, config: Any, today: date) -> list[Any]:
        return await dashboard.page(self, community)

    # -- profile ----------------------------------------------------------------------------
    @command("join", ephemeral=True)
    async def join(self, ctx: CommandContext,
                   role: Annotated[Literal["mentor", "mentee", "peer"], Help("mentor, mentee or peer")],
                   topics: Annotated[str, Help('What you want to talk about, e.g. "python, sql, career"'),
                                     MaxLen(500)],
                   timezone: Annotated[Timezone | None, Help("Your IANA time zone, e.g. Europe/Berlin")] = None,
                   capacity: Annotated[int | None, Min(1), Max(20), Help("Mentors: how many mentees (1-20)")] = None,
                   goals: Annotated[str | None, Help("What you hope to get out of it"), MaxLen(300)] = None) -> None:
        """Join peer mentoring (or update your profile)."""
        mode = self.rounds.config(ctx.community).mode
        if role not in MODE_ROLES[mode]:
            allowed = " or ".join(f"role:{r}" for r in MODE_ROLES[mode])
            raise UserError(f"this community runs {mode}-only rounds — join with {allowed}")
        cap, note = profiles.effective_capacity(role, capacity)
        data = profiles.ProfileInput(role=role, topics=profiles.normalise_topics(topics),
                                     timezone=str(timezone or ctx.community.timezone or "UTC"), capacity=cap,
                                     goals=(goals or "").strip() or None)
        profile, created = await self.db.run(profiles.save_profile, ctx.community.id, ctx.member.id, data, ctx.now())
        lead = "You're in! You'll be matched in the next round." if created else "Profile updated."
        await ctx.reply(render_profile(profile, note=" ".join(filter(None, [lead, note]))), ephemeral=True)

    @action("form")
    async def join_form(self, ctx: ActionContext) -> None:
        """A "Join peer mentoring" button (e.g. on the welcome message): /mentor join as a form."""
        roles = MODE_ROLES[self.rounds.config(ctx.community).mode]
        await ctx.open_form(Form("Join peer mentoring", self.action_id("formjoin"), fields=(
            FormField("role", "Mentor, mentee or peer?", kind="choice", choices=roles, max_length=10),
            FormField("topics", "What you want to talk about", max_length=500,
                      placeholder="e.g. python, sql, career"),
            FormField("timezone", "Your time zone (optional)", required=False, max_length=64,
                      placeholder="e.g. Europe/Berlin"))))

    @action("formjoin")
    async def join_submitted(self, ctx: ActionContext) -> None:
        """The form's answers go through /mentor join's own options and checks."""
        given = {k: v.strip() for k, v in ctx.values.items() if k in JOIN_FORM_FIELDS and (v or "").strip()}
        await self.join(ctx, **bind_values(options_from_signature(Mentors.join), given))

    @command("me", ephemeral=True)
    async def me(self, ctx: CommandContext) -> None:
        """Your mentoring profile and current match."""
        profile = await self.db.read(profiles.get_profile, ctx.community.id, ctx.member.id)
        if profile is None:
            raise UserError("you haven't joined mentoring yet — try /mentor join role:peer topics:\"python, sql\"")
        matches = await self.db.read(store.current_matches, ctx.community.id, ctx.member.id)
        content = render_profile(profile, matches=matches, me=ctx.member.id)
        group = await self.db.read(group_store.latest_group, ctx.community.id, ctx.member.id)
        if group is not None:
            content.fields.append(study_group_field(*group, me=ctx.member.id))
        await ctx.reply(content, ephemeral=True)

    @command("leave", ephemeral=True)
    async def leave(self, ctx: CommandContext) -> None:
        """Stop being matched (your history is kept)."""
        profile = await self.db.run(profiles.set_inactive, ctx.community.id, ctx.member.id, "left", ctx.now())
        if profile is None:
            raise UserError("you haven't joined mentoring, so there is nothing to leave")
        await ctx.reply("You've left mentoring and won't be matched again. Your profile is kept: "
                        "/mentor join brings you back.", ephemeral=True)

    @command("pause", ephemeral=True)
    async def pause(self, ctx: CommandContext,
                    until: Annotated[date, Help("The first day you want to be matched again (YYYY-MM-DD)")]) -> None:
        """Skip rounds until a date."""
        today = local_today(ctx.community, ctx.now())
        if until <= today:
            raise UserError(f"until: pick a date after today ({today.isoformat()})")
        if until > today + MAX_PAUSE:
            raise UserError("until: you can pause for up to a year — or use /mentor leave")
        profile = await self.db.run(profiles.set_paused_until, ctx.community.id, ctx.member.id, until, ctx.now())
        if profile is None:
            raise UserError("you haven't joined mentoring yet — /mentor join first")
        await ctx.reply(f"Paused: no matches for you until {until.isoformat()}.", ephemeral=True)

    @command("avoid", ephemeral=True)
    async def avoid(self, ctx: CommandContext, user: Annotated[MemberRef, Help("Who you never want to be matched with")],
                    remove: Annotated[bool, Help("Take them off your list")] = False) -> None:
        """Never be matched with someone (private: nobody is told)."""
        other = await ctx.resolve_member(user)
        if other.id == ctx.member.id:
            raise UserError("you can't avoid yourself")
        if remove:
            done = await self.db.run(profiles.remove_avoid, ctx.community.id, ctx.member.id, other.id)
            text = (f"{other.display_name} is off your avoid list." if done
                    else f"{other.display_name} wasn't on your avoid list.")
        else:
            await self.db.run(profiles.add_avoid, ctx.community.id, ctx.member.id, other.id, ctx.now())
            text = f"You'll never be matched with {other.display_name}. This is private — nobody is told."
        await ctx.reply(text, ephemeral=True)

    # -- rounds (instructors) ----------------------------------------------------------------
    @command("match", access=Access.INSTRUCTOR, ephemeral=True, defer=True)
    async def match(self, ctx: CommandContext) -> None:
        """Preview a matching round, then Confirm or Cancel it."""
        view = await self.rounds.propose(ctx.community, source="command", created_by=ctx.member.id)
        if view is None:
            raise UserError("nobody is available to match: no one has joined with /mentor join (or everyone "
                            "has left or paused)")
        await ctx.reply(render_preview(view, self.action_id), ephemeral=True)

    @command("pairs", access=Access.INSTRUCTOR, ephemeral=True)
    async def pairs(self, ctx: CommandContext) -> None:
        """The latest round's groups: who met and who has not."""
        view = await self.db.read(store.latest_confirmed, ctx.community.id)
        await ctx.reply(render_pairs(view), ephemeral=True)

    @command("groups", access=Access.INSTRUCTOR, ephemeral=True, defer=True)
    async def groups(self, ctx: CommandContext,
                     size: Annotated[int, Help("People per group (2 or more)"), Min(2), Max(50)],
                     topic: Annotated[str | None, Help("Only members who list this topic"), MaxLen(60)] = None) -> None:
        """Preview study groups of a size from everyone in mentoring, then Confirm or Cancel."""
        wanted = " ".join((topic or "").split()).lower().lstrip("#") or None
        view = await self.study_groups.propose(ctx.community, size, wanted, ctx.member.id)
        await ctx.reply(render_groups_preview(view, self.action_id), ephemeral=True)

    @action("gconfirm", access=Access.INSTRUCTOR)
    async def groups_confirm(self, ctx: ActionContext, set_id: int) -> None:
        done = await self.study_groups.confirm(ctx.community, set_id, ctx.member.id)
        _raise_for_status(done.status, "/mentor groups")
        assert done.view is not None
        count = len(done.view.groups)
        status = f"Confirmed by {ctx.member.display_name}: {count} group{'s' if count != 1 else ''} introduced."
        if done.dropped:
            status += f" {done.dropped} left out: they left or paused mentoring since the preview."
        if done.no_channel:
            status += f" {done.no_channel} could not get a private channel (see the log)."
        await ctx.update(render_groups_preview(done.view, None, status=status))

    @action("gcancel", access=Access.INSTRUCTOR)
    async def groups_cancel(self, ctx: ActionContext, set_id: int) -> None:
        _raise_for_status(await self.study_groups.cancel(ctx.community, set_id), "/mentor groups")
        view = await self.db.read(group_store.load_set, ctx.community.id, set_id)
        await ctx.update(render_groups_preview(view, None, status=f"Cancelled by {ctx.member.display_name} — "
                                                                  "nothing was posted."))

    @action("confirm", access=Access.INSTRUCTOR)
    async def confirm(self, ctx: ActionContext, round_id: int) -> None:
        done = await self.rounds.confirm(ctx.community, round_id, ctx.member.id)
        _raise_for_status(done.status)
        assert done.view is not None
        groups = len(done.view.matches)
        status = f"Confirmed by {ctx.member.display_name}: {groups} group{'s' if groups != 1 else ''} posted."
        if done.dropped:
            status += f" {done.dropped} left out: someone left, paused or set an avoid since the preview."
        await ctx.update(render_preview(done.view, None, status=status))

    @action("cancel", access=Access.INSTRUCTOR)
    async def cancel(self, ctx: ActionContext, round_id: int) -> None:
        _raise_for_status(await self.rounds.cancel(ctx.community, round_id))
        view = await self.db.read(store.load_round, ctx.community.id, round_id)
        await ctx.update(render_preview(view, None, status=f"Cancelled by {ctx.member.display_name} — "
                                                           "nothing was posted."))

    # -- check-ins ---------------------------------------------------------------------------
    @action("checkin")
    async def checkin(self, ctx: ActionContext, match_id: int, answer: str) -> None:
        if answer not in ANSWERS:
            raise NotFound("this button no longer works — run the command again")
        view, is_member = await self.rounds.answer(ctx.community, match_id, ctx.member, answer)
        if view is None:
            raise NotFound("this match no longer exists")
        if not is_member:
            raise UserError("only the people in this match can answer its check-in")
        await ctx.update(render_check_in(view, self.action_id))
        await ctx.reply(THANKS[answer], ephemeral=True)

    @job("check-ins", every="1h")
    async def check_ins(self, ctx: JobContext) -> None:
        await self.rounds.close_check_ins()
        await self.rounds.post_check_ins()

    @on_event(MemberLeft)
    async def member_left(self, ctx: EventContext, event: MemberLeft) -> None:
        """Someone who left the server is not matched any more (their profile stays until forgotten)."""
        if ctx.member is not None and ctx.member.id:
            await self.db.run(profiles.set_inactive, ctx.community.id, ctx.member.id, "left", self.app.clock.now())

    # -- privacy -----------------------------------------------------------------------------
    def delete_member_data(self, session: Session, community_id: int, member_id: int) -> int:
        return (profiles.delete_profile_rows(session, community_id, member_id)
                + store.delete_member_rows(session, community_id, member_id)
                + group_store.delete_member_rows(session, community_id, member_id))


def _raise_for_status(status: str, again: str = "/mentor match") -> None:
    what = "these groups" if again == "/mentor groups" else "this round"
    if status == "confirmed":
        raise UserError(f"{what} {'were' if what == 'these groups' else 'was'} already confirmed")
    if status == "cancelled":
        raise UserError(f"{what} {'were' if what == 'these groups' else 'was'} cancelled or replaced by a newer "
                        f"preview — run {again} again")
    if status == "missing":
        raise NotFound(f"{what} no longer exist{'' if what == 'these groups' else 's'}")


def _sync_schedule(session: Session, community_id: int, when: str, tz: str, now: Any) -> Any:
    """The schedule row for a community; a changed ``when`` starts over (no firings from before)."""
    row = session.exec(select(MentorSchedule).where(MentorSchedule.community_id == community_id)).first()
    if row is None:
        row = MentorSchedule(community_id=community_id, when_text=when, timezone=tz, since=now)
    elif row.when_text != when or row.timezone != tz:
        row.when_text, row.timezone, row.since = when, tz, now
    session.add(row)
    session.flush()
    return row.since
