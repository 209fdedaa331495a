"""What polls offer the dashboard, as data: the YAML polls and surveys with the posts they
will make (the scheduler's trigger and the term decide, as in schedules.py), and the Polls &
surveys page: results as bar charts, CSV downloads through /poll export (anonymous stays
anonymous: the export has no names and neither has this page)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot import Action, Bars, Community, Metric, ScheduleView, Section, fire_times_between, parse_when

from . import store
from .logic import SURVEY_SCALE
from .models import Poll, PollAnswer

if TYPE_CHECKING:
    from .cog import Polls

SHOWN = 20


def schedules(community: Community, cfg: Any, now: datetime, until: datetime) -> list[ScheduleView]:
    views = []
    for kind, entries in (("poll", cfg.section("polls", []) or []), ("survey", cfg.section("surveys", []) or [])):
        for entry in entries:
            trigger = parse_when(entry.when, cfg.tz)
            firings = [t for t in fire_times_between(trigger, now, until)
                       if cfg.term.is_active(t.astimezone(cfg.tz).date())]
            actions = [Action("Post now", f'/poll survey template:{entry.id} channel:"{entry.channel}"',
                              name=f"Post survey {entry.id} now")] if kind == "survey" else []
            views.append(ScheduleView(kind, entry.id, entry.when, entry.channel, firings,
                                      note="anonymous" if entry.anonymous else "", actions=actions))
    return views


def _survey_bars(session: Session, poll: Poll) -> list[Any]:
    panels: list[Any] = []
    for position, question in enumerate(store.load_questions(session, poll.id or 0), 1):
        if question.kind == "text":
            continue
        values = session.exec(select(PollAnswer.value).where(PollAnswer.poll_id == poll.id,
                                                             PollAnswer.position == position)).all()
        labels = [str(n) for n in range(1, SURVEY_SCALE + 1)] if question.kind == "scale" else list(question.options)
        panels.append(Bars(question.text, labels, [float(sum(1 for v in values if v == label)) for label in labels]))
    return panels


def page_sections(session: Session, community_id: int, limit: int = SHOWN) -> list[Section]:
    polls = session.exec(select(Poll).where(Poll.community_id == community_id)
                         .order_by(col(Poll.created_at).desc(), col(Poll.id).desc()).limit(limit)).all()
    total = session.exec(select(func.count()).where(Poll.community_id == community_id)).one()
    sections = []
    for poll in polls:
        status = "open" if poll.is_open else "closed"
        facts = [f"{poll.kind} #{poll.id}", status, "anonymous" if poll.anonymous else "names kept"]
        if poll.schedule_key:
            facts.append(f"from schedule {poll.schedule_key}")
        panels: list[Any]
        if poll.kind == "survey":
            answered = len(store.survey_responses(session, poll.id or 0))
            sealed = store.sealed_count(session, poll.id or 0) if poll.anonymous else 0
            panels = [Metric("responses", str(answered), f"{sealed} more not counted yet (counted in batches or at "
                                                         "close)" if sealed else ""), *_survey_bars(session, poll)]
        else:
            view = store.load_view(session, poll.id or 0)
            note = f"{view.sealed} anonymous ballots not counted yet (counted at close)" if view.sealed else ""
            panels = [Metric("voters", str(view.voters)),
                      Bars("Votes", [label for label, _ in view.options], [float(n) for _, n in view.options],
                           note=note)]
        panels.append(Action("Download CSV", f"/poll export poll:{poll.id}", download=True,
                             name=f"Download {poll.kind} #{poll.id} as CSV"))
        if poll.is_open:
            panels.append(Action("Close now", f"/poll close poll:{poll.id}", name=f"Close {poll.kind} #{poll.id}"))
        sections.append(Section(poll.question, panels, note=" · ".join(facts)))
    if total > len(polls):
        sections.append(Section("Older polls", note=f"{total - len(polls)} more: /poll results poll:N in the chat."))
    return sections


async def page(cog: "Polls", community: Community) -> list[Section]:
    sections = await cog.db.read(page_sections, community.id)
    return sections or [Section("No polls or surveys yet", note="Create one with /poll create in the chat.")]
