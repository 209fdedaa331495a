"""What the prompts cog says: schedule listings, reports, suggestion cards. Pure functions."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot import PAGE_CHARS, Button, Content, describe_when, escape_mentions, pack_lines, plural

from .logic import format_local, percent
from .models import PromptPost, PromptSchedule, PromptSuggestion
from .store_banks import BankSummary, QuestionLine
from .store_responses import PostReport, TermReport

EMPTY_LIST = ('No prompt schedules yet — add one with /prompt schedule id:warmup when:"mon 09:00" '
              'channel:#general bank:<name> (or questions:"A; B"), or in schedules.yaml under prompts:')


def config_file_name(app: object) -> str:
    """What to call the instructor's file: the one given with --config / BOT_CONFIG."""
    path = getattr(getattr(app, "config", None), "path", None)
    return path.name if path else "schedules.yaml"


def describe_schedule(row: PromptSchedule, zone: ZoneInfo, anchor: object = None, channel: str | None = None) -> str:
    """ "every Monday at 09:00 (Europe/Berlin) in #general, bank reflection, shuffled, in a thread"

    ``channel``: the name of the channel it posts in (the schedule may name an alias)."""
    try:
        when = describe_when(row.when_text, zone, anchor)  # type: ignore[arg-type]
    except ValueError:
        when = f'"{row.when_text}" (invalid)'
    source = f"bank {row.bank}" if row.bank else plural(len(row.questions), "question")
    parts = [f"{when} in #{channel or row.channel}", source, "shuffled" if row.rotation == "shuffle" else "in order"]
    if row.thread:
        parts.append("opens a thread")
    if row.mention:
        parts.append(f"mentions {row.mention}")
    return ", ".join(parts)


def schedule_line(row: PromptSchedule, zone: ZoneInfo, community_zone: ZoneInfo, upcoming: list[datetime],
                  anchor: object = None, *, channel: str | None = None, config_file: str = "schedules.yaml") -> str:
    origin = f"from {config_file}" if row.source == "yaml" else "by command"
    head = f"**{row.key}** ({origin}) — {describe_schedule(row, zone, anchor, channel)}"
    if not row.active:
        return f"{head}\n    cancelled — /prompt resume id:{row.key} starts it again"
    if not upcoming:
        return f"{head}\n    no more runs this term"
    times = "; ".join(format_local(t, community_zone) for t in upcoming)
    return f"{head}\n    next: {times}"


def schedule_list(lines: list[str], community_zone: ZoneInfo) -> Content:
    if not lines:
        return Content(text=EMPTY_LIST)
    return Content(title="Prompt schedules", text="\n".join(lines), footer=f"Times in {community_zone.key}.")


def post_reference(post: PromptPost, channel: str | None = None) -> str:
    """ "prompt #3 (#general, message …)"; ``channel``: the name of the channel it is in."""
    where = f"#{channel or post.channel_id}, message {post.message_id}"
    if post.thread_id:
        where += f", thread {post.thread_id}"
    return f"prompt #{post.id} ({where})"


def report_content(report: PostReport, term: TermReport, zone: ZoneInfo, term_label: str) -> Content:
    post = report.post
    total = len(report.answered) + len(report.missing)
    origin = f"schedule {report.schedule_key}" if report.schedule_key else "posted by hand"
    lines = [
        f"**Prompt #{post.id}** ({origin}, {format_local(post.posted_at, zone)}): {escape_mentions(post.question)}",
    ]
    if total == 0:
        lines.append("No members to count yet: people appear here once they have posted or joined.")
    else:
        lines += [f"Answered ({len(report.answered)}/{total}, {percent(len(report.answered), total)}): "
                  + (", ".join(report.answered) or "nobody yet"),
                  "Not yet: " + (", ".join(report.missing) or "nobody — everyone answered 🎉")]
    if report.opted_out:
        lines.append(f"({plural(report.opted_out, 'member')} opted out of tracking and "
                     f"{'is' if report.opted_out == 1 else 'are'} not counted.)")
    possible = term.posts * term.members
    lines.append(f"**{term_label}**: {plural(term.posts, 'prompt')}, {plural(term.responses, 'response')} from "
                 f"{plural(term.members, 'member')} — response rate {percent(term.responses, possible)}")
    return Content(title="Prompt report", text="\n".join(lines))


def bank_overview(banks: list[BankSummary], config_file: str = "schedules.yaml") -> Content:
    if not banks:
        return Content(text="No question banks yet — create one with /prompt bank add bank:<name> question:<text> "
                            "or /prompt bank import, or under banks: in schedules.yaml.")
    lines = [f"**{b.name}** — {plural(b.count, 'question')}{f' ({config_file})' if b.source == 'yaml' else ''}"
             for b in banks]
    return Content(title="Question banks", text="\n".join(lines),
                   footer="/prompt bank list bank:<name> shows the questions.")


def bank_detail(name: str, questions: list[QuestionLine]) -> list[Content]:
    """The bank's questions, in as many messages as a long bank needs (an import holds 500)."""
    if not questions:
        return [Content(text=f'Bank "{name}" is empty — add questions with /prompt bank add bank:{name} question:<text>')]
    lines = []
    for number, q in enumerate(questions, start=1):
        credit = f" — suggested by {q.suggested_by}" if q.suggested_by else ""
        lines.append(f"{number}. {escape_mentions(q.text)}{credit}")
    pages = pack_lines([[line] for line in lines], PAGE_CHARS)
    title = f"Bank {name} ({len(questions)})"
    return [Content(title=title if len(pages) == 1 else f"{title} — {n}/{len(pages)}", text=page)
            for n, page in enumerate(pages, 1)]


def suggestion_card(suggestion: PromptSuggestion, suggester: str, approve_id: str, reject_id: str) -> Content:
    content = Content(title="💡 Question suggestion",
                      text=f"{suggester} suggests for bank **{suggestion.bank}**:\n> {escape_mentions(suggestion.text)}")
    return content.add_buttons([Button("Approve", approve_id, style="success"),
                                Button("Reject", reject_id, style="danger")])


def decided_card(suggestion: PromptSuggestion, suggester: str, handler: str) -> Content:
    verdict = "✅ Approved" if suggestion.status == "approved" else "❌ Rejected"
    text = f"{suggester} suggested for bank **{suggestion.bank}**:\n> {escape_mentions(suggestion.text)}"
    return Content(title="💡 Question suggestion", text=text, footer=f"{verdict} by {handler}")
