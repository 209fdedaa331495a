"""What the mentor cog says: profiles, previews, intros, check-ins and the pairs overview."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot import Button, Content, Field, Member, escape_mentions

from .models import MentorProfile
from .planning import first_question
from .store import MatchView, RoundView

ANSWER_LABELS = {"met": "We met", "not_yet": "Not yet", "wont_happen": "Not going to happen"}
STATUS_LABELS = {"met": "met ✅", "not_yet": "not yet", "wont_happen": "not going to happen", "pending": "no answer"}
# Long rounds are summarised: a message must stay readable (and under Discord's 4096-character embed text).
MAX_GROUP_LINES = 20
MAX_UNMATCHED_LINES = 10


def name(member: Member) -> str:
    return escape_mentions(member.display_name or member.external_id)


def hours(value: float) -> str:
    return f"{value:g}h" if value else "no"


def overlap_text(value: float) -> str:
    if not value:
        return "none: your working hours do not overlap, so pick a time outside them for one of you"
    return f"{value:g}h of working hours a day"


def render_profile(profile: MentorProfile, *, note: str | None = None, matches: Sequence[MatchView] = (),
                   me: int | None = None) -> Content:
    fields = [Field("Role", profile.role), Field("Topics", profile.topics or "—"),
              Field("Time zone", profile.timezone)]
    if profile.role == "mentor":
        fields.append(Field("Capacity", f"{profile.capacity} mentee{'s' if profile.capacity != 1 else ''}"))
    if profile.goals:
        fields.append(Field("Goals", escape_mentions(profile.goals), inline=False))
    fields.append(Field("Status", profile_status(profile), inline=False))
    lines = [f"{', '.join(name(p.member) for p in mv.people if p.member.id != me) or '—'} — "
             f"{STATUS_LABELS.get(mv.match.status, mv.match.status)}" for mv in matches]
    if lines:
        fields.append(Field("Current match" if len(lines) == 1 else f"Current matches ({len(lines)})",
                            "\n".join(lines), inline=False))
    return Content(title="Your mentoring profile", fields=fields, footer=note)


def profile_status(profile: MentorProfile) -> str:
    if not profile.active and profile.inactive_reason == "ignored":
        return "paused after unanswered check-ins — /mentor join to come back"
    if not profile.active:
        return "not taking part — /mentor join to come back"
    if profile.paused_until is not None:
        return f"paused until {profile.paused_until.isoformat()}"
    return "in the next round"


def _group_line(mv: MatchView) -> str:
    people = " + ".join(f"**{name(p.member)}**" + (f" ({p.role})" if p.role != "peer" else "") for p in mv.people)
    topics = mv.match.shared_topics or "no shared topic"
    return f"{people} — score {mv.match.score:.2f} · {topics} · {hours(mv.match.overlap_hours)} overlap"


def render_preview(view: RoundView, action_id: Callable[..., str] | None, *, status: str | None = None) -> Content:
    """The round as proposed; with Confirm/Cancel buttons while it is still a preview."""
    rnd = view.round
    lines = [_group_line(mv) for mv in view.matches[:MAX_GROUP_LINES]]
    if len(view.matches) > MAX_GROUP_LINES:
        lines.append(f"… and {len(view.matches) - MAX_GROUP_LINES} more groups")
    if not view.matches:
        lines.append("No groups could be formed.")
    if view.unmatched:
        lines.append("")
        lines.append(f"**Not matched ({len(view.unmatched)})** — they are told why, and are first in line next round:")
        lines.extend(f"• {name(m)} ({u.role}): {u.reason}" for u, m in view.unmatched[:MAX_UNMATCHED_LINES])
        if len(view.unmatched) > MAX_UNMATCHED_LINES:
            lines.append(f"… and {len(view.unmatched) - MAX_UNMATCHED_LINES} more")
    title = f"Mentoring round #{rnd.id} — {len(view.matches)} group{'s' if len(view.matches) != 1 else ''}"
    content = Content(title=title, text="\n".join(lines))
    if status:
        content.footer = status
    elif action_id is not None:
        content.footer = "Preview — nothing is posted until an instructor confirms."
        content.add_buttons([Button("Confirm", action_id("confirm", rnd.id), style="success"),
                             Button("Cancel", action_id("cancel", rnd.id), style="danger")])
    return content


def render_intro(mv: MatchView, goals: dict[int, str]) -> Content:
    people = [p.member.mention for p in mv.people]
    if mv.match.kind == "mentor":
        mentor = next(p for p in mv.people if p.role == "mentor")
        mentee = next(p for p in mv.people if p.role == "mentee")
        text = f"Hi {' and '.join(people)}! {mentee.member.mention}, meet your mentor {mentor.member.mention}."
    else:
        text = f"Hi {', '.join(people[:-1])} and {people[-1]}! You're this round's peer group."
    topics = mv.match.shared_topics or "nothing on your lists yet — a good chance to learn something new"
    fields = [Field("You share", topics, inline=False),
              Field("Time-zone overlap", overlap_text(mv.match.overlap_hours), inline=False)]
    for person in mv.people:
        goal = goals.get(person.member.id or 0)
        if goal:
            fields.append(Field(f"{name(person.member)}'s goals", escape_mentions(goal), inline=False))
    question = first_question([t.strip() for t in mv.match.shared_topics.split(",") if t.strip()], mv.match.id or 0)
    fields.append(Field("A first question", question, inline=False))
    everyone = "you both" if len(mv.people) == 2 else "all of you"
    return Content(title="You've been matched 🤝", text=text, fields=fields,
                   footer=f"Find a time that works for {everyone}. I'll check in with you in a few days.")


def render_unmatched(reason: str) -> str:
    return f"No mentoring match for you this round: {reason}."


def render_check_in(mv: MatchView, action_id: Callable[..., str]) -> Content:
    answered = [f"{name(p.member)}: {ANSWER_LABELS[p.answer]}" for p in mv.people if p.answer]
    text = f"{' '.join(p.member.mention for p in mv.people)} — did you manage to meet?"
    content = Content(title="Mentoring check-in", text=text, footer="; ".join(answered) or None)
    return content.add_buttons([
        Button("We met", action_id("checkin", mv.match.id, "met"), style="success"),
        Button("Not yet", action_id("checkin", mv.match.id, "not_yet")),
        Button("Not going to happen", action_id("checkin", mv.match.id, "wont_happen"), style="danger"),
    ])


def render_paused(pause_after: int) -> str:
    return (f"I've paused your mentoring matches because the last {pause_after} check-ins went unanswered. "
            "No worries — whenever you want to take part again, run /mentor join (your profile is kept).")


def render_pairs(view: RoundView | None) -> Content:
    if view is None:
        return Content(text="No mentoring round has been confirmed yet. Start one with /mentor match.")
    lines = []
    for mv in view.matches[:MAX_GROUP_LINES * 2]:
        people = " + ".join(name(p.member) for p in mv.people)
        answers = ", ".join(f"{name(p.member)}: {ANSWER_LABELS[p.answer]}" for p in mv.people if p.answer)
        lines.append(f"• {people} — {STATUS_LABELS.get(mv.match.status, mv.match.status)}"
                     + (f" ({answers})" if answers else ""))
    if len(view.matches) > MAX_GROUP_LINES * 2:
        lines.append(f"… and {len(view.matches) - MAX_GROUP_LINES * 2} more groups")
    counts = _status_counts(view.matches)
    summary = ", ".join(f"{n} {label}" for label, n in counts if n)
    when = view.round.confirmed_at.date().isoformat() if view.round.confirmed_at else "?"
    if view.unmatched:
        shown = ", ".join(name(m) for _, m in view.unmatched[:MAX_GROUP_LINES])
        more = len(view.unmatched) - MAX_GROUP_LINES
        lines.append(f"Not matched ({len(view.unmatched)}): {shown}" + (f" and {more} more" if more > 0 else ""))
    return Content(title=f"Mentoring round #{view.round.id} (confirmed {when})",
                   text="\n".join(lines) or "No groups in this round.", footer=summary or None)


def _status_counts(matches: Sequence[MatchView]) -> list[tuple[str, int]]:
    order = ("met", "not_yet", "wont_happen", "pending")
    return [(STATUS_LABELS[s], sum(1 for mv in matches if mv.match.status == s)) for s in order]
