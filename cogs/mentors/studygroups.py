"""/mentor groups: propose study groups (preview) -> confirm (a private group per set of people,
with an intro) or cancel. The people are everyone available in mentoring (any role: joined with
/mentor join, not left or paused), optionally only those listing one topic. groups.py splits
them; the no-repeat window is mentoring's ``no_repeat_within`` over earlier confirmed study
groups, and pairs from mentoring rounds only lose novelty. Platform calls happen outside
database transactions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot import Button, Community, Content, Field, UserError

from . import group_store, store
from .group_store import GroupView, SetView
from .groups import GroupsPlan, group_sizes
from .planning import first_question, history_from_rounds
from .render import MAX_GROUP_LINES, MAX_UNMATCHED_LINES, hours, name, overlap_text
from .rounds import local_today

log = logging.getLogger("cogs.mentor")
NOBODY = ("nobody has opted in to study groups yet: members join with /mentor join "
          "(anyone who left or paused mentoring is not included)")


@dataclass
class Confirmed:
    status: str  # "ok", or why not: "confirmed", "cancelled", "missing"
    view: SetView | None = None
    dropped: int = 0
    no_channel: int = 0  # groups whose private channel could not be opened


def plan_groups(profiles: Sequence[Any], size: int, *, past: Sequence[tuple[date, Sequence[int]]],
                round_pairs: Any, avoid: Any, today: date, no_repeat_within: timedelta, seed: int) -> GroupsPlan:
    """The matching inputs from stored facts (numpy and scipy load here, on first use)."""
    from .groups import form_groups
    from .scoring import Candidate, MatchRules

    together = history_from_rounds((when, [members]) for when, members in past).last_met
    rules = MatchRules(past_pairs=dict(together), met_ever=frozenset(round_pairs),
                       avoid=frozenset(avoid), no_repeat_within=no_repeat_within, on=today)
    candidates = [Candidate(p.member_id, p.topic_set, p.timezone) for p in profiles]
    return form_groups(candidates, size, rules, seed=seed)


class StudyGroups:
    def __init__(self, app: Any, rounds: Any, action_id: Callable[..., str]) -> None:
        self.app, self.db, self.rounds, self.action_id = app, app.db, rounds, action_id

    async def propose(self, community: Community, size: int, topic: str | None, created_by: int | None) -> SetView:
        assert community.id is not None
        cfg = self.rounds.config(community)
        now = self.app.clock.now()
        today = local_today(community, now)
        profiles, history, avoid = await self.db.read(store.load_inputs, community.id, today)
        if not profiles:
            raise UserError(NOBODY)
        if topic:
            profiles = [p for p in profiles if topic in p.topic_set]
            if not profiles:
                raise UserError(f'nobody who opted in lists the topic "{topic}" — leave topic out to group everyone')
        if size > len(profiles):
            among = f' listing "{topic}"' if topic else ""
            raise UserError(f"size:{size} is more than the {len(profiles)} member{'s' if len(profiles) != 1 else ''} "
                            f"who opted in{among} — pick size:{len(profiles)} or less")
        past = await self.db.read(group_store.past_groups, community.id)
        plan = await self.db.call(lambda: plan_groups(profiles, size, past=past, round_pairs=history.last_met,
                                                      avoid=avoid, today=today, no_repeat_within=cfg.no_repeat_window,
                                                      seed=today.toordinal()))
        row, _ = await self.db.run(lambda s: group_store.create_set(s, community.id, plan, size=size, topic=topic,
                                                                    created_by=created_by, now=now))
        view = await self.db.read(group_store.load_set, community.id, row.id)
        assert view is not None
        return view

    async def confirm(self, community: Community, set_id: int, by: int | None) -> Confirmed:
        assert community.id is not None
        now = self.app.clock.now()
        today = local_today(community, now)

        def claim(session: Any) -> tuple[str, int]:
            status = group_store.claim_status(session, community.id, set_id, "confirmed", by=by, now=now)
            return status, group_store.drop_unavailable(session, community.id, set_id, today) if status == "ok" else 0

        status, dropped = await self.db.run(claim)
        if status != "ok":
            return Confirmed(status)
        view = await self.db.read(group_store.load_set, community.id, set_id)
        assert view is not None
        no_channel = 0
        for number, gv in enumerate(view.groups, 1):
            title = f"study group {number}" + (f": {view.set.topic}" if view.set.topic else "")
            try:
                ref = await self.app.open_group(community, gv.members, title, render_group_intro(view, gv, number))
            except Exception:
                log.exception("could not open the private group for study group %s", gv.group.id)
                no_channel += 1
                continue
            await self.db.run(group_store.set_intro, gv.group.id, ref)
        return Confirmed("ok", await self.db.read(group_store.load_set, community.id, set_id), dropped, no_channel)

    async def cancel(self, community: Community, set_id: int) -> str:
        now = self.app.clock.now()
        return await self.db.run(lambda s: group_store.claim_status(s, community.id, set_id, "cancelled", by=None,
                                                                    now=now))


# --- what it says ---------------------------------------------------------------------------
def sizes_text(count: int, size: int) -> str:
    """How the sizes were chosen, in words: "10 in groups of 4: 4 + 4 + 2 (one smaller group)"."""
    sizes = group_sizes(count, size)
    text = f"{count} people in groups of {size}: {' + '.join(str(s) for s in sizes)}"
    if count % size == 1 and count > size:
        return text + " (the one left over joins a group — nobody studies alone)"
    if count % size:
        return text + " (the rest make one smaller group)"
    return text


MAX_NAMES = 10  # per group line; a preview must stay under Discord's 4096-character embed text
MAX_TEXT = 3500


def _group_line(number: int, gv: GroupView) -> str:
    people = ", ".join(f"**{name(m)}**" for m in gv.members[:MAX_NAMES])
    if len(gv.members) > MAX_NAMES:
        people += f" +{len(gv.members) - MAX_NAMES} more"
    topics = gv.group.topics or "no common topic"
    return f"{number}. {people} — score {gv.group.score:.2f} · {topics} · {hours(gv.group.overlap_hours)} overlap"


def render_groups_preview(view: SetView, action_id: Callable[..., str] | None, *, status: str | None = None) -> Content:
    row = view.set
    lines: list[str] = []
    for i, gv in enumerate(view.groups[:MAX_GROUP_LINES], 1):
        line = _group_line(i, gv)
        if sum(len(x) + 1 for x in lines) + len(line) > MAX_TEXT:
            break
        lines.append(line)
    if len(view.groups) > len(lines):
        lines.append(f"… and {len(view.groups) - len(lines)} more groups")
    people = sum(view.sizes) + len(view.unplaced)
    fields = [Field("Sizes", sizes_text(people, row.size) if people >= row.size >= 2 else "—", inline=False)]
    if row.repeats:
        fields.append(Field("Repeats", f"{row.repeats} pair{'s were' if row.repeats != 1 else ' was'} in a study "
                                       "group together recently — no split of these sizes avoids it", inline=False))
    if view.unplaced:
        shown = "\n".join(f"• {name(m)}" for m in view.unplaced[:MAX_UNMATCHED_LINES])
        more = len(view.unplaced) - MAX_UNMATCHED_LINES
        fields.append(Field(f"Not placed ({len(view.unplaced)})", shown + (f"\n… and {more} more" if more > 0 else "")
                            + "\nno group could take them without a clash (an avoid list)", inline=False))
    count = len(view.groups)
    title = f"Study groups #{row.id} — {count} group{'s' if count != 1 else ''}" + (f" · {row.topic}" if row.topic else "")
    content = Content(title=title, text="\n".join(lines) or "No groups could be formed.", fields=fields)
    if status:
        content.footer = status
    elif action_id is not None:
        content.footer = "Preview — nothing is posted until an instructor confirms."
        content.add_buttons([Button("Confirm", action_id("gconfirm", row.id), style="success"),
                             Button("Cancel", action_id("gcancel", row.id), style="danger")])
    return content


def render_group_intro(view: SetView, gv: GroupView, number: int) -> Content:
    people = [m.mention for m in gv.members]
    about = f" for {view.set.topic}" if view.set.topic else ""
    text = f"Hi {', '.join(people[:-1])} and {people[-1]}! You're study group {number} of {len(view.groups)}{about}."
    topics = [t.strip() for t in gv.group.topics.split(",") if t.strip()]
    fields = [Field("You share", ", ".join(topics) or "different interests — a good chance to learn from each other",
                    inline=False),
              Field("Time-zone overlap", overlap_text(gv.group.overlap_hours) + " (for all of you)"
                    if gv.group.overlap_hours else overlap_text(0), inline=False),
              Field("A first question", first_question(topics, gv.group.id or 0), inline=False)]
    return Content(title="Your study group 📚", text=text, fields=fields,
                   footer="This space is just for your group: say hello and find a time that works for all of you.")


def study_group_field(row: Any, gv: GroupView, *, me: int) -> Field:
    """/mentor me: who is in your latest study group."""
    others = ", ".join(name(m) for m in gv.members if m.id != me) or "—"
    when = row.confirmed_at.date().isoformat() if row.confirmed_at else "?"
    about = f" ({row.topic})" if row.topic else ""
    return Field("Study group", f"{others}{about} — since {when}", inline=False)
