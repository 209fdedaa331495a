"""Surveys: up to five questions (choice, 1-5 scale, short text) answered in a form, once
per member, optionally anonymous. A mixin of the ``Polls`` cog (same ``/poll`` command and
id space): ``/poll survey``, the "Answer" button and the form's submit action."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Sequence
from zoneinfo import ZoneInfo

from bot import (Access, ActionContext, ChannelRef, CommandContext, Community, Duration, Form, FormField, Help, MaxLen,
                 NotFound, UserError, action, command)

from . import store
from .logic import SurveyQuestionSpec, check_closes_in, check_question, parse_answer, parse_survey_questions
from .models import Poll
from .render import survey_content

# Fits Discord's 100-character option description.
QUESTIONS_HELP = '"Pace? [scale]; Pick one [choice: A | B]; Else?" — ";" between questions, no tag = short text'
FORM_TITLE_MAX = 45  # Discord's modal title limit


class SurveyFeature:
    """Survey commands and actions (mixed into the Polls cog, which provides these)."""

    app: Any
    db: Any
    live: Any
    seal: Any
    batch: int
    count_batch: Any
    action_id: Any
    _post_and_remember: Any

    @command("survey", access=Access.INSTRUCTOR, defer=True, ephemeral=True)
    async def survey(self, ctx: CommandContext,
                     title: Annotated[str | None, Help("The survey's title"), MaxLen(300)] = None,
                     questions: Annotated[str | None, Help(QUESTIONS_HELP)] = None,
                     template: Annotated[str | None, Help("Use a survey defined in schedules.yaml, by its id")] = None,
                     anonymous: Annotated[bool | None, Help("Answers are not linked to names")] = None,
                     closes_in: Annotated[Duration | None,
                                          Help("Close automatically after 1d, 3d… (≤ 32 days)")] = None,
                     channel: Annotated[ChannelRef | None, Help("Where to post it (default: here)")] = None) -> None:
        """Post a short survey (up to 5 questions) that members answer in a form.

        questions: separated by ";". A question ending in [scale] is answered 1 to 5, one
        ending in [choice: A | B | C] by picking an option; any other is a short free-text
        answer (optional). Example: questions:"How was the pace? [scale]; Best part?;
        Pick one [choice: Labs | Talks]". Or template:<id> to post a survey defined under
        surveys: in schedules.yaml.
        """
        if (questions is None) == (template is None):
            raise UserError('give either questions:"…" or template:<id of a survey in schedules.yaml>')
        try:
            if template is not None:
                entry = _find_template(ctx, template)
                specs = entry.question_specs()
                title = title or entry.heading
                anonymous = entry.anonymous if anonymous is None else anonymous
                if closes_in is None and entry.closes_in:
                    from bot import parse_duration

                    closes_in = Duration(seconds=parse_duration(entry.closes_in).total_seconds())
            else:
                specs = parse_survey_questions(questions or "")
            title = check_question(title or "Survey", what="title")
            check_closes_in(closes_in)
        except ValueError as error:
            raise UserError(str(error)) from None
        target = await ctx.target_channel(channel) if channel else ctx.channel
        closes_at = ctx.now() + closes_in if closes_in else None
        poll = await self.publish_survey(ctx.community, title, specs, bool(anonymous), closes_at, target,
                                         author_id=ctx.member.id, thread_id=None if channel else ctx.thread_id)
        await ctx.reply(f"Survey #{poll.id} is up. See answers with `/poll results {poll.id}`, "
                        f"download them with `/poll export {poll.id}`.", ephemeral=True)

    async def publish_survey(self, community: Community, title: str, questions: Sequence[SurveyQuestionSpec],
                             anonymous: bool, closes_at: datetime | None, channel: Any, *,
                             author_id: int | None = None, thread_id: str | None = None,
                             schedule_key: str | None = None) -> Poll:
        poll = await self.db.run(store.insert_survey, community.id, author_id, title, questions, anonymous,
                                 closes_at, self.app.clock.now(), schedule_key)
        content = survey_content(poll, questions, 0, self.action_id, ZoneInfo(community.timezone or "UTC"))
        await self._post_and_remember(community, poll, channel, content, thread_id)
        return poll

    @action("answer")
    async def answer(self, ctx: ActionContext, poll_id: int) -> None:
        """The survey's "Answer" button: open the form (unless closed or already answered)."""
        def check(session: Any) -> tuple[Poll, tuple[SurveyQuestionSpec, ...], bool]:
            poll = store.get_poll(session, ctx.community.id, poll_id)
            return poll, store.load_questions(session, poll_id), store.has_answered(session, poll_id, ctx.member.id)

        try:
            poll, questions, answered = await self.db.read(check)
        except NotFound:
            raise NotFound("this survey no longer exists") from None
        if poll.kind != "survey":
            raise NotFound("this button no longer works")
        if not poll.is_open or (poll.closes_at is not None and poll.closes_at <= ctx.now()):
            raise UserError("this survey is closed")
        if answered:
            raise UserError("you already answered this survey — thank you!")
        await ctx.open_form(survey_form(poll, questions, self.action_id("submit", poll_id)))

    @action("submit")
    async def submit(self, ctx: ActionContext, poll_id: int) -> None:
        """The form was sent: check every answer, store them once, thank the member."""
        questions = await self.db.read(store.load_questions, poll_id)
        if not questions:
            raise NotFound("this survey no longer exists")
        try:
            answers = [parse_answer(q, ctx.values.get(f"q{n}")) for n, q in enumerate(questions, 1)]
        except ValueError as error:
            raise UserError(f"{error} — nothing was saved, please answer again") from None
        poll = await self.db.run(store.submit_survey, ctx.community.id, poll_id, ctx.member.id, answers, ctx.now(),
                                 self.seal)
        if poll.anonymous:  # responses are stored in batches
            await self.count_batch(poll_id)
        self.live.touch(poll_id)
        note = (" Your answers are anonymous: they join the results in batches of at least "
                f"{self.batch} responses (all at close)." if poll.anonymous else "")
        await ctx.reply(f"Thank you — your answers were recorded.{note}", ephemeral=True)
        await self.publish_activity("survey_answer", community_id=ctx.community.id, member_id=ctx.member.id,  # type: ignore[attr-defined]
                                    channel_id=ctx.channel.id or None, subject=f"survey:{poll_id}", at=ctx.now())


def survey_form(poll: Poll, questions: Sequence[SurveyQuestionSpec], submit_action: str) -> Form:
    fields = []
    for n, q in enumerate(questions, 1):
        placeholder = {"scale": "1 (low) to 5 (high)", "text": "optional"}.get(q.kind, " / ".join(q.options))
        fields.append(FormField(f"q{n}", q.text, kind=q.kind, choices=q.options,  # type: ignore[arg-type]
                                required=q.kind != "text", max_length=300, placeholder=placeholder[:100]))
    return Form(title=poll.question[:FORM_TITLE_MAX], submit_action=submit_action, fields=tuple(fields))


def _find_template(ctx: CommandContext, template: str) -> Any:
    entries = ctx.config.section("surveys", []) or []
    for entry in entries:
        if entry.id == template:
            return entry
    known = ", ".join(e.id for e in entries) or "none are defined"
    raise NotFound(f'no survey "{template}" in schedules.yaml (known: {known})')
