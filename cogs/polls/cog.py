"""/poll: polls, quizzes, rating scales and surveys, with live results and exports.

Rules worth knowing (they are also what people are told):
- Single choice: another option moves your vote, the same one removes it. Multi: toggles,
  capped by ``max_picks``.
- Anonymous polls store only a "has voted" guard and per-option counts — never who picked
  what. So an anonymous vote is final, and anonymous polls are single choice.
- Quizzes: your first answer is final (results, export and the activity ``quiz_answer``,
  plus ``quiz_correct`` when right, all count it; a later click only repeats it back);
  anonymous quizzes publish no correctness, since that would say what you picked.
- Activities (``poll_vote``, ``quiz_answer``, ``quiz_correct``, ``survey_answer``) are published once per
  member per poll/survey, for participation tracking.
"""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from bot import (Access, ActionContext, ActivityKind, Attachment, ChannelRef, Cog, CommandContext, Community, Content,
                 Duration, Help, JobContext, LiveUpdater, Max, MaxLen, MessageRef, Min, PermissionDenied, UserError,
                 action, command, job)

from . import dashboard, store
from .config import PollScheduleConfig, SurveyScheduleConfig, validate_sections
from .ballots import BATCH, BallotSeal, ballot_key
from .exports import poll_csv, survey_csv
from .logic import PollSpec, build_poll_spec
from .models import Poll
from .render import poll_content, results_content, survey_content, survey_results_content, closed_notice
from .schedules import register_schedules
from .surveys import SurveyFeature


class Polls(SurveyFeature, Cog, name="poll"):
    """Polls, quizzes, rating scales and feedback surveys."""

    activities = [
        ActivityKind("poll_vote", 1, "poll votes", signal="votes"),
        ActivityKind("quiz_answer", 0, "quiz answers", signal="votes"),
        ActivityKind("quiz_correct", 3, "correct quiz answers", signal=None, of="quiz_answer"),
        ActivityKind("survey_answer", 2, "survey answers", signal="votes"),
    ]

    config_sections = {"polls": list[PollScheduleConfig], "surveys": list[SurveyScheduleConfig]}

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.live = LiveUpdater(self._refresh, delay=1.0)
        self.batch = BATCH  # k: anonymous counts move only in batches of at least this many votes
        self.seal: BallotSeal | None = None  # set at cog_load: its key must not come from the database

    # -- knobs for tests ------------------------------------------------------------------
    @property
    def update_delay(self) -> float:
        """Seconds between live edits of one poll's message (debounce)."""
        return self.live.delay

    @update_delay.setter
    def update_delay(self, value: float) -> None:
        self.live.delay = value

    async def flush_updates(self) -> None:
        """Apply every pending live edit now."""
        await self.live.flush()

    # -- lifecycle ------------------------------------------------------------------------
    async def cog_load(self) -> None:
        self.seal = BallotSeal(ballot_key(self.app.settings, self.db.sqlite_file))

    async def on_community(self, community: Any, config: Any) -> None:
        await register_schedules(self, community, config)

    # -- the web dashboard (data only: bot/dashboard renders it) ----------------------------
    dashboard_pages = {"polls": "Polls & surveys"}

    async def dashboard_schedules(self, community: Any, config: Any, now: Any, until: Any) -> list[Any]:
        return dashboard.schedules(community, config, now, until)

    async def dashboard_page(self, slug: str, community: Any, config: Any, today: Any) -> list[Any]:
        return await dashboard.page(self, community)

    async def before_stop(self) -> None:  # the last live edits go out before the platform disconnects
        try:
            await self.live.flush()
        except Exception:
            self.log.exception("pending poll updates were lost at shutdown")

    @classmethod
    def validate_community(cls, community: Any) -> list[tuple[tuple[Any, ...], str]]:
        return validate_sections(community)

    def delete_member_data(self, session: Any, community_id: int, member_id: int) -> int:
        return store.erase_member(session, community_id, member_id)

    # -- commands -------------------------------------------------------------------------
    @command("create", defer=True, ephemeral=True)
    async def create(self, ctx: CommandContext,
                     question: Annotated[str, Help("What to ask (up to 300 characters)"), MaxLen(300)],
                     options: Annotated[str | None,
                                        Help('Choices separated by ";" — "Mon; Tue; Wed" (2 to 25)')] = None,
                     multi: Annotated[bool, Help("Let people pick several options")] = False,
                     max_picks: Annotated[int | None, Help("With multi: at most this many picks"),
                                          Min(1), Max(25)] = None,
                     anonymous: Annotated[bool, Help("Nobody can see who voted what; votes are final")] = False,
                     hidden: Annotated[bool, Help("Show results only once the poll closes")] = False,
                     closes_in: Annotated[Duration | None,
                                          Help("Close automatically after 30m, 2h, 3d… (≤ 32 days)")] = None,
                     answer: Annotated[int | None, Help("Quiz: the number of the correct option (1 = first)")] = None,
                     explain: Annotated[str | None, Help("Quiz: shown after answering"), MaxLen(1000)] = None,
                     scale: Annotated[int | None, Help("Rating scale instead of options: scale:5 = 1 to 5"),
                                      Min(2), Max(10)] = None,
                     channel: Annotated[ChannelRef | None, Help("Where to post it (default: here)")] = None) -> None:
        """Create a poll (or a quiz with answer:, or a rating scale with scale:)."""
        try:
            spec = build_poll_spec(question, options, scale=scale, multi=multi, max_picks=max_picks,
                                   anonymous=anonymous, hidden=hidden, closes_in=closes_in, answer=answer,
                                   explain=explain)
        except ValueError as error:
            raise UserError(str(error)) from None
        target = await ctx.target_channel(channel) if channel else ctx.channel
        poll = await self.publish_poll(ctx.community, spec, target, author_id=ctx.member.id,
                                       thread_id=None if channel else ctx.thread_id)
        where = f" in #{target.name or target.id}" if channel else ""
        await ctx.reply(f"Poll #{poll.id} is up{where}. Close it with `/poll close {poll.id}`.", ephemeral=True)

    @command("close")
    async def close(self, ctx: CommandContext, poll: Annotated[int, Help("The poll or survey number")]) -> None:
        """Close a poll or survey now (its author or an instructor)."""
        row = await self.db.read(store.get_poll, ctx.community.id, poll)
        if row.author_id != ctx.member.id and not ctx.is_instructor:
            raise PermissionDenied(f"only the author of {row.kind} #{poll} or an instructor can close it")
        if not await self.close_poll(row.id):  # type: ignore[arg-type]
            raise UserError(f"{row.kind} #{poll} is already closed")
        await ctx.reply(f"Closed {row.kind} #{poll}.", ephemeral=True)

    @command("results", ephemeral=True)
    async def results(self, ctx: CommandContext, poll: Annotated[int, Help("The poll or survey number")]) -> None:
        """Show the results (instructors also see who voted what on non-anonymous polls)."""
        row = await self.db.read(store.get_poll, ctx.community.id, poll)
        mine = row.author_id == ctx.member.id
        if row.kind == "survey":
            if not (ctx.is_instructor or mine):
                raise PermissionDenied("survey results are for instructors")
            await ctx.reply(await self._survey_results(row), ephemeral=True)
            return
        if row.hidden and row.is_open and not (ctx.is_instructor or mine):
            raise UserError(f"the results of poll #{poll} are hidden until it closes")
        await ctx.reply(await self._poll_results(row, with_names=ctx.is_instructor), ephemeral=True)

    @command("export", access=Access.INSTRUCTOR, ephemeral=True, defer=True)
    async def export(self, ctx: CommandContext, poll: Annotated[int, Help("The poll or survey number")]) -> None:
        """Download a poll's or survey's answers as CSV (no names for anonymous ones)."""
        row = await self.db.read(store.get_poll, ctx.community.id, poll)
        data = await self.db.read(survey_csv if row.kind == "survey" else poll_csv, row.id)
        note = " Anonymous: no names." if row.anonymous else ""
        await ctx.reply(Content(text=f"{row.kind.capitalize()} #{poll} as CSV.{note}",
                                files=[Attachment(f"{row.kind}-{poll}.csv", data, "text/csv")]), ephemeral=True)

    # -- buttons --------------------------------------------------------------------------
    @action("vote")
    async def vote(self, ctx: ActionContext, poll_id: int, option: int) -> None:
        outcome = await self.db.run(store.cast_vote, ctx.community.id, poll_id, ctx.member.id, option, ctx.now(),
                                    self.seal)
        poll = outcome.poll
        if poll.anonymous:
            await self.count_batch(poll_id)
        self.live.touch(poll_id)  # committed: the message catches up shortly
        await ctx.reply(vote_confirmation(outcome, self.batch), ephemeral=True)
        if outcome.first_vote:
            who = {"community_id": ctx.community.id, "member_id": ctx.member.id, "channel_id": ctx.channel.id or None,
                   "subject": f"poll:{poll_id}", "at": ctx.now()}
            await self.publish_activity("poll_vote", **who)
            if poll.is_quiz and not poll.anonymous:
                await self.publish_activity("quiz_answer", **who)
                if option == poll.answer:
                    await self.publish_activity("quiz_correct", **who)

    @action("results")
    async def show_results(self, ctx: ActionContext, poll_id: int) -> None:
        row = await self.db.read(store.get_poll, ctx.community.id, poll_id)
        if row.hidden and row.is_open:
            raise UserError("results are hidden until the poll closes")
        await ctx.reply(await self._poll_results(row, with_names=False), ephemeral=True)

    # -- closing --------------------------------------------------------------------------
    @job("close-due", every="1m")
    async def close_due(self, ctx: JobContext) -> None:
        """Close every poll and survey whose time is up (state in the database: survives restarts)."""
        for poll_id in await self.db.read(store.due_polls, self.app.clock.now()):
            try:
                await self.close_poll(poll_id)
            except Exception:
                self.log.exception("could not close poll %s", poll_id)

    async def count_batch(self, poll_id: int) -> None:
        """After an anonymous vote or answer, in a transaction of its own: count a batch if one is due.
        A failure here loses nothing — the ballots stay sealed for the next vote or the close."""
        try:
            await self.db.run(store.count_sealed, poll_id, self.seal, self.batch)
        except Exception as error:
            self.log.warning("poll %s: counting a batch of anonymous votes failed (%s); they wait for the next",
                             poll_id, type(error).__name__)

    async def close_poll(self, poll_id: int) -> bool:
        """Close once (conditional update), then show the final results. False if already closed."""
        # one transaction: a poll is never closed with anonymous votes left uncounted
        if not await self.db.run(store.close_if_open, poll_id, self.app.clock.now(), self.seal):
            return False
        await self.live.settle(poll_id)
        try:
            await self._refresh(poll_id)
            edited = True
        except Exception as error:  # the message is gone (deleted, or a console restart): say it afresh
            self.log.info("poll %s: could not update its message (%s); posting the results as a new one",
                          poll_id, error)
            edited = False
        view = await self.db.read(store.load_view, poll_id)
        if view.poll.channel_id and (view.poll.kind == "poll" or not edited):
            community = await self.db.read(lambda s: s.get(Community, view.poll.community_id))
            notice = closed_notice(view) if view.poll.kind == "poll" else \
                (await self.db.read(self._current_content, poll_id))[0]
            try:
                await self.app.post(community, view.poll.channel_id, notice, thread_id=view.poll.thread_id)
            except Exception:
                self.log.exception("could not post the results of %s %s", view.poll.kind, poll_id)
        return True

    # -- posting and refreshing -----------------------------------------------------------
    async def publish_poll(self, community: Community, spec: PollSpec, channel: str | ChannelRef, *,
                           author_id: int | None = None, thread_id: str | None = None,
                           schedule_key: str | None = None) -> Poll:
        """Store a poll and post its message (the row is removed again if posting fails)."""
        now = self.app.clock.now()
        poll = await self.db.run(store.insert_poll, community.id, author_id, spec, now, schedule_key)
        view = await self.db.read(store.load_view, poll.id)
        content = poll_content(view, self.action_id, ZoneInfo(community.timezone or "UTC"))
        await self._post_and_remember(community, poll, channel, content, thread_id)
        return poll

    async def _post_and_remember(self, community: Community, poll: Poll, channel: str | ChannelRef,
                                 content: Content, thread_id: str | None) -> None:
        try:
            ref = await self.app.post(community, channel, content, thread_id=thread_id)
        except BaseException:
            await self.db.run(store.delete_poll, poll.id)
            raise
        await self.db.run(store.set_message, poll.id, ref)
        poll.message = ref

    async def _refresh(self, poll_id: int) -> None:
        """Edit the poll/survey message to show what the database holds now."""
        content, ref = await self.db.read(self._current_content, poll_id)
        if ref is not None:
            await self.app.edit(ref, content)

    def _current_content(self, session: Any, poll_id: int) -> tuple[Content, MessageRef | None]:
        view = store.load_view(session, poll_id)
        poll = view.poll
        community = session.get(Community, poll.community_id)
        tz = ZoneInfo(community.timezone or "UTC")
        if poll.kind == "survey":
            content = survey_content(poll, store.load_questions(session, poll_id), view.voters, self.action_id, tz)
        else:
            content = poll_content(view, self.action_id, tz)
        return content, poll.message

    async def _poll_results(self, poll: Poll, *, with_names: bool) -> Content:
        def read(session: Any) -> Content:
            view = store.load_view(session, poll.id)
            names = store.ballots(session, poll.id) if with_names and not poll.anonymous else None
            content, names_cut = results_content(view, names)
            if names_cut:
                content.files.append(Attachment(f"poll-{poll.id}.csv", poll_csv(session, poll.id), "text/csv"))
            return content

        return await self.db.read(read)

    async def _survey_results(self, poll: Poll) -> Content:
        def read(session: Any) -> Content:
            content, answers_cut = survey_results_content(poll, store.load_questions(session, poll.id),
                                                          store.survey_responses(session, poll.id))
            if answers_cut:
                content.files.append(Attachment(f"survey-{poll.id}.csv", survey_csv(session, poll.id), "text/csv"))
            waiting = store.sealed_count(session, poll.id) if poll.anonymous else 0
            if waiting:
                content.text += (f" {waiting} more not counted yet — anonymous responses join the results in "
                                 "batches, so none can be traced.")
            return content

        return await self.db.read(read)


def vote_confirmation(outcome: store.VoteOutcome, batch: int = BATCH) -> str:
    """The ephemeral answer to a click: what changed, and for quizzes whether it was right.
    Anonymous polls never name the choice: this text passes through platform clients and logs."""
    poll, click = outcome.poll, outcome.click
    if poll.anonymous and not poll.is_quiz:
        return (f"Vote recorded — anonymous votes are final. The counts of anonymous polls move in batches of at "
                f"least {batch} votes (all of them at close), so nobody can tell which vote was yours.")
    names = ", ".join(f"**{outcome.label(p)}**" for p in sorted(click.after)) or "none"
    if poll.multi:
        if click.added:
            text = f"Added **{outcome.label(next(iter(click.added)))}** — your picks: {names}."
        else:
            text = f"Removed **{outcome.label(next(iter(click.removed)))}** — your picks: {names}."
        return text
    if outcome.answer_stands:
        first_answer = next(iter(click.after))
        return f"{quiz_verdict(poll, outcome, first_answer)}\nYou already answered **{outcome.label(first_answer)}** — " \
               "your first answer stands."
    if not click.after:
        return f"Your vote for **{outcome.label(next(iter(click.removed)))}** was removed."
    chosen = next(iter(click.after))
    if click.removed:
        text = f"Your vote moved from **{outcome.label(next(iter(click.removed)))}** to **{outcome.label(chosen)}**."
    else:
        text = f"Vote recorded: **{outcome.label(chosen)}**."
    if poll.anonymous:
        text = (f"Answer recorded — anonymous answers are final, and the counts move in batches of at least "
                f"{batch} (all at close).")
    if poll.is_quiz:
        text = f"{quiz_verdict(poll, outcome, chosen)}\n{text}"
    return text


def quiz_verdict(poll: Any, outcome: store.VoteOutcome, answered: int) -> str:
    if answered == poll.answer:
        verdict = "✅ Correct!"
    else:
        verdict = f"❌ Not quite — the answer is **{outcome.label(poll.answer)}**."
    return f"{verdict} {poll.explain}" if poll.explain else verdict
