"""Poll and survey messages as platform-neutral Content (pure: no IO)."""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Sequence
from zoneinfo import ZoneInfo

from bot import MESSAGE_BUDGET, Button, Content, Field, Member, escape_mentions

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


MAX_NAMES_FIELD = 1000


def names_line(names: Sequence[str], limit: int) -> tuple[str, bool]:
    """ "ana, ben, cy" or, when that exceeds ``limit``, "ana, ben … and 12 more"; and whether it was cut."""
    whole = ", ".join(names)
    if len(whole) <= limit:
        return whole or "—", False
    shown: list[str] = []
    for name in names:
        rest = f" … and {len(names) - len(shown) - 1} more"
        if len(", ".join([*shown, name])) + len(rest) > limit:
            break
        shown.append(name)
    return f"{', '.join(shown)} … and {len(names) - len(shown)} more", True


def ballot_fields(view: PollView, ballots: Sequence[tuple[Member, int, datetime]],
                  room: int) -> tuple[list[Field], bool]:
    """One field per option naming its voters, in ``room`` characters; and whether names were cut."""
    labels = [f"{n}. {escape_mentions(label)}" for n, (label, _) in enumerate(view.options, 1)]
    per_option = min(MAX_NAMES_FIELD, max(20, (room - sum(map(len, labels))) // max(1, len(labels))))
    fields, cut = [], False
    for n, label in enumerate(labels, 1):
        names, was_cut = names_line([m.display_name for m, pos, _ in ballots if pos == n], per_option)
        cut = cut or was_cut
        fields.append(Field(label, escape_mentions(names), inline=False))
    return fields, cut


def results_content(view: PollView, ballots: Sequence[tuple[Member, int, datetime]] | None
                    ) -> tuple[Content, bool]:
    """/poll results: counts; with ``ballots`` (instructors, non-anonymous) who voted what.

    True when the names did not all fit: the text says so, and the caller attaches the full list."""
    poll = view.poll
    lines = result_lines(view, reveal_answer=not poll.is_open) + [totals_line(view)]
    fields: list[Field] = []
    cut = False
    state = "open" if poll.is_open else "closed"
    title = f"Results of poll #{poll.id} ({state}): {escape_mentions(poll.question)}"
    if ballots is not None:
        note = f"_Too many names for one message: the full list is in poll-{poll.id}.csv._"
        room = MESSAGE_BUDGET - len(title) * 2 - len("\n".join(lines)) - len(note)  # a long title is repeated
        fields, cut = ballot_fields(view, ballots, room)
        if cut:
            lines.append(note)
    elif poll.anonymous:
        lines.append("_Anonymous poll: nobody can see who voted what._")
    return Content(title=title, text="\n".join(lines), fields=fields), cut


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
                           responses: Sequence[tuple[Member | None, datetime | None, dict[int, str]]]
                           ) -> tuple[Content, bool]:
    """Per question a summary; True when some answers did not fit (the caller attaches them all)."""
    fields, cut = [], False
    per_question = min(MAX_NAMES_FIELD, MESSAGE_BUDGET // max(1, len(questions)) - 120)
    for n, q in enumerate(questions, 1):
        if q.kind == "text" and not poll.anonymous:
            values = [f"{m.display_name if m else '?'}: {a[n]}" for m, _, a in responses if a.get(n)]
        else:
            values = [a.get(n, "") for _, _, a in responses]
        summary, was_cut = fit_lines([escape_mentions(line) for line in aggregate_answers(q, values)], per_question)
        cut = cut or was_cut
        fields.append(Field(f"{n}. {escape_mentions(q.text)}", summary, inline=False))
    state = "open" if poll.is_open else "closed"
    note = " Anonymous: answers are not linked to names." if poll.anonymous else ""
    if cut:
        note += f" Some answers did not fit: all of them are in survey-{poll.id}.csv."
    return Content(title=f"Results of survey #{poll.id} ({state}): {escape_mentions(poll.question)}",
                   text=f"{plural(len(responses), 'response')}.{note}", fields=fields), cut


def fit_lines(lines: Sequence[str], limit: int) -> tuple[str, bool]:
    """The lines that fit in ``limit`` characters, then "… and N more"; and whether any were left out."""
    kept: list[str] = []
    for index, line in enumerate(lines):
        rest = f"… and {len(lines) - index} more"
        if len("\n".join([*kept, line])) + len(rest) + 1 > limit:
            return "\n".join([*kept, rest]), True
        kept.append(line)
    return "\n".join(kept), False
