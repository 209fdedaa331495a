"""Poll and survey messages as platform-neutral Content (pure: no IO)."""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Sequence
from zoneinfo import ZoneInfo

from bot.content import Button, Content, Field, escape_mentions
from bot.models import Member

from .logic import SurveyQuestionSpec, aggregate_answers, plural, scale_average, tally_lines
from .models import Poll
from .store import PollView

ActionId = Callable[..., str]
RESULTS_BUTTON_MAX_OPTIONS = 20  # 25 options fill all five rows; below that a "Results" row fits


def when_text(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local:%a %d %b %H:%M} ({tz.key})"


def _mode(poll: Poll) -> str:
    if poll.scale:
        return f"rating 1–{poll.scale}"
    if poll.multi:
        return f"pick up to {poll.max_picks}" if poll.max_picks else "pick any"
    return "quiz" if poll.is_quiz else "single choice"


def poll_footer(poll: Poll, tz: ZoneInfo) -> str:
    parts = [f"Poll #{poll.id}", _mode(poll)]
    if poll.anonymous:
        parts.append("anonymous — votes are final and never linked to you")
    if poll.is_open and poll.closes_at:
        parts.append(f"closes {when_text(poll.closes_at, tz)}")
    return " · ".join(parts)


def result_lines(view: PollView, *, reveal_answer: bool) -> list[str]:
    poll = view.poll
    correct = poll.answer if reveal_answer else None
    lines = tally_lines(view.options, voters=view.voters, multi=poll.multi, correct=correct)
    if poll.scale:
        avg = scale_average(view.options)
        lines.append(f"Average: {avg:.1f} / {poll.scale}" if avg is not None else "Average: no votes yet")
    return lines


def totals_line(view: PollView) -> str:
    votes = sum(v for _, v in view.options)
    if view.poll.multi:
        return f"{plural(view.voters, 'voter')}, {plural(votes, 'vote')}"
    if view.sealed:
        return (f"{plural(votes, 'vote')} counted, {view.sealed} more not yet — anonymous counts move in batches, "
                "so no vote can be traced")
    return plural(votes, "vote")


def poll_content(view: PollView, action_id: ActionId, tz: ZoneInfo) -> Content:
    """The poll message: live bars while open (unless hidden), final results once closed."""
    poll = view.poll
    closed = not poll.is_open
    icon = "🧠 Quiz:" if poll.is_quiz else "📊"
    lines: list[str] = []
    if closed or not poll.hidden:
        lines += result_lines(view, reveal_answer=closed)
    else:
        lines += [f"{n}. {label}" for n, (label, _) in enumerate(view.options, 1)]
        lines.append("_Results are hidden until the poll closes._")
    lines.append(totals_line(view))
    if closed:
        lines.insert(0, "🔒 **Closed — final results**")
        if poll.is_quiz:
            answer = view.options[poll.answer - 1][0]  # type: ignore[operator]
            why = f" — {poll.explain}" if poll.explain else ""
            lines.append(f"Correct answer: **{escape_mentions(answer)}**{why}")
    content = Content(title=f"{icon} {escape_mentions(poll.question)}", text="\n".join(lines),
                      footer=poll_footer(poll, tz))
    if not closed:
        content.add_buttons([Button(escape_mentions(label)[:80], action_id("vote", poll.id, n), style="primary")
                             for n, (label, _) in enumerate(view.options, 1)])
        if len(view.options) <= RESULTS_BUTTON_MAX_OPTIONS and not poll.hidden:
            content.rows.append([Button("Results", action_id("results", poll.id))])
    return content


def closed_notice(view: PollView) -> Content:
    """The short message posted when a poll closes (edits of old messages go unnoticed)."""
    poll = view.poll
    lines = result_lines(view, reveal_answer=True) + [totals_line(view)]
    if poll.is_quiz and poll.explain:
        lines.append(poll.explain)
    return Content(title=f"🔒 Poll #{poll.id} closed: {escape_mentions(poll.question)}", text="\n".join(lines))


def results_content(view: PollView, ballots: Sequence[tuple[Member, int, datetime]] | None) -> Content:
    """/poll results: counts; with ``ballots`` (instructors, non-anonymous) who voted what."""
    poll = view.poll
    lines = result_lines(view, reveal_answer=not poll.is_open) + [totals_line(view)]
    fields = []
    if ballots is not None:
        for n, (label, _) in enumerate(view.options, 1):
            names = [m.display_name for m, pos, _ in ballots if pos == n]
            fields.append(Field(f"{n}. {escape_mentions(label)}", ", ".join(names) or "—", inline=False))
    elif poll.anonymous:
        lines.append("_Anonymous poll: nobody can see who voted what._")
    state = "open" if poll.is_open else "closed"
    return Content(title=f"Results of poll #{poll.id} ({state}): {escape_mentions(poll.question)}",
                   text="\n".join(lines), fields=fields)


# --- surveys -----------------------------------------------------------------------------
def survey_content(poll: Poll, questions: Sequence[SurveyQuestionSpec], respondents: int, action_id: ActionId,
                   tz: ZoneInfo) -> Content:
    lines = [f"{n}. {escape_mentions(q.text)} ({_answer_hint(q)})" for n, q in enumerate(questions, 1)]
    lines.append(plural(respondents, "response") + (" so far" if poll.is_open else ""))
    parts = [f"Survey #{poll.id}", f"{plural(len(questions), 'question')}"]
    if poll.anonymous:
        parts.append("anonymous — your answers are not linked to your name")
    if poll.is_open and poll.closes_at:
        parts.append(f"closes {when_text(poll.closes_at, tz)}")
    if not poll.is_open:
        lines.insert(0, "🔒 **This survey is closed** — thank you for your answers!")
    content = Content(title=f"📝 {escape_mentions(poll.question)}", text="\n".join(lines), footer=" · ".join(parts))
    if poll.is_open:
        content.add_buttons([Button("Answer", action_id("answer", poll.id), style="primary")])
    return content


def _answer_hint(question: SurveyQuestionSpec) -> str:
    if question.kind == "choice":
        return escape_mentions(" / ".join(question.options))
    return "1–5" if question.kind == "scale" else "short answer"


def survey_results_content(poll: Poll, questions: Sequence[SurveyQuestionSpec],
                           responses: Sequence[tuple[Member | None, datetime | None, dict[int, str]]]) -> Content:
    fields = []
    for n, q in enumerate(questions, 1):
        if q.kind == "text" and not poll.anonymous:
            values = [f"{m.display_name if m else '?'}: {a[n]}" for m, _, a in responses if a.get(n)]
        else:
            values = [a.get(n, "") for _, _, a in responses]
        summary = escape_mentions("\n".join(aggregate_answers(q, values)))
        fields.append(Field(f"{n}. {escape_mentions(q.text)}", summary, inline=False))
    state = "open" if poll.is_open else "closed"
    note = " Anonymous: answers are not linked to names." if poll.anonymous else ""
    return Content(title=f"Results of survey #{poll.id} ({state}): {escape_mentions(poll.question)}",
                   text=f"{plural(len(responses), 'response')}.{note}", fields=fields)
