"""What prompts offer the dashboard, as data: its schedules with the posts they will make
(the runner's own trigger and calendar decide), prompts answered per member, and the
Prompts page (each posted prompt: who answered, who has not). No HTML here."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import Session, select

from bot import Action, Community, Member, MemberColumn, Metric, ScheduleView, Section, Table, fire_times_between

from .models import PromptPost, PromptResponse
from .store_schedules import schedules_of

if TYPE_CHECKING:
    from .cog import Prompts

POSTS_SHOWN = 20


async def schedules(cog: "Prompts", community: Community, config: Any, now: datetime,
                    until: datetime) -> list[ScheduleView]:
    runner = cog.runner
    await runner.ensure_synced(community)
    rows = await cog.db.read(schedules_of, community.id)
    views = []
    for row in rows:
        if not (row.active or row.inactive_reason == "cancelled"):
            continue  # removed from the file: gone, not paused
        firings: list[datetime] = []
        note = ""
        if row.active:
            try:
                trigger = runner.trigger(row, community, config)
            except ValueError as error:
                note = str(error)
            else:
                zone, calendar = runner.zone(row, community), runner.calendar(row, config)
                firings = [t for t in fire_times_between(trigger, now, until)
                           if calendar.is_posting_day(t.astimezone(zone).date())]
        actions = [Action("Post now", f"/prompt post schedule:{row.key}", name=f"Post {row.key} now")]
        if row.active:
            actions.append(Action("Pause", f"/prompt cancel id:{row.key}", name=f"Pause {row.key}"))
        else:
            actions.append(Action("Resume", f"/prompt resume id:{row.key}", "primary", name=f"Resume {row.key}"))
        views.append(ScheduleView("prompt", row.key, row.when_text, row.channel, firings, paused=not row.active,
                                  note=note or ("from the config file" if row.source == "yaml" else "by command"),
                                  actions=actions))
    return views


def answered_counts(session: Session, community_id: int) -> dict[int, int]:
    """Prompts answered by every member (0 for those who answered none, so they sort as 0)."""
    counts = {member_id: 0 for member_id in session.exec(select(Member.id).where(
        Member.community_id == community_id, Member.is_bot == False)).all()}  # noqa: E712
    rows = session.exec(select(PromptResponse.member_id, func.count()).where(
        PromptResponse.community_id == community_id).group_by(PromptResponse.member_id)).all()
    counts.update({member_id: int(n) for member_id, n in rows})
    return counts


async def member_columns(cog: "Prompts", community: Community) -> list[MemberColumn]:
    counts = await cog.db.read(answered_counts, community.id)
    return [MemberColumn("Prompts answered", counts, "number")]


def posted_prompts(session: Session, community_id: int, exclude: set[str], limit: int = POSTS_SHOWN) -> list[Section]:
    """The latest posts, newest first: who answered (in order) and who has not yet."""
    members = session.exec(select(Member).where(Member.community_id == community_id,
                                                Member.is_bot == False)).all()  # noqa: E712
    eligible = {m.id: m.display_name or m.external_id for m in members
                if not m.opted_out and m.external_id not in exclude}
    total = session.exec(select(func.count()).where(PromptPost.community_id == community_id)).one()
    posts = session.exec(select(PromptPost).where(PromptPost.community_id == community_id)
                         .order_by(PromptPost.posted_at.desc(), PromptPost.id.desc()).limit(limit)).all()  # type: ignore[attr-defined]
    answers: dict[int, list[int]] = {}
    if posts:
        for post_id, member_id in session.exec(select(PromptResponse.post_id, PromptResponse.member_id)
                                               .where(PromptResponse.post_id.in_([p.id for p in posts]))  # type: ignore[union-attr]
                                               .order_by(PromptResponse.first_at)).all():
            answers.setdefault(post_id, []).append(member_id)
    sections = []
    for post in posts:
        who = [eligible[m] for m in answers.get(post.id or 0, []) if m in eligible]
        missing = sorted((name for mid, name in eligible.items() if mid not in set(answers.get(post.id or 0, []))),
                         key=str.casefold)
        rate = f"{round(100 * len(who) / len(eligible))}%" if eligible else "—"
        sections.append(Section(
            f"#{post.id} {post.question}",
            [Metric("answered", f"{len(who)} of {len(eligible)}", rate),
             Table("Answered", ("Member",), [(n,) for n in who], empty="nobody yet"),
             Table("Not yet", ("Member",), [(n,) for n in missing], empty="everyone answered")],
            note=f"Posted {post.posted_at:%Y-%m-%d %H:%M} UTC in #{post.channel_id}."))
    if total > len(posts):
        sections.append(Section("Older prompts", note=f"{total - len(posts)} older prompts: /prompt report prompt:N "
                                                      "in the chat."))
    return sections


async def page(cog: "Prompts", community: Community, config: Any) -> list[Section]:
    await cog.runner.ensure_synced(community)
    # instructors are not expected to answer (as /prompt report)
    exclude = {str(u) for u in config.instructors.users}
    sections = await cog.db.read(posted_prompts, community.id, exclude)
    return sections or [Section("No prompts posted yet", note="Post one from the Schedules page or with /prompt post.")]


def member_prompts(session: Session, community_id: int, member_id: int, limit: int = 10) -> list[Section]:
    """The prompts a member answered, newest first, out of how many were posted."""
    posted = session.exec(select(func.count()).where(PromptPost.community_id == community_id)).one()
    rows = session.exec(select(PromptPost, PromptResponse.first_at)
                        .join(PromptResponse, PromptResponse.post_id == PromptPost.id)  # type: ignore[arg-type]
                        .where(PromptResponse.community_id == community_id, PromptResponse.member_id == member_id)
                        .order_by(PromptResponse.first_at.desc()).limit(limit)).all()  # type: ignore[attr-defined]
    answered = session.exec(select(func.count()).where(PromptResponse.community_id == community_id,
                                                       PromptResponse.member_id == member_id)).one()
    return [Section("Prompts", [Metric("answered", f"{answered} of {posted}"),
                                Table("Latest answered", ("Prompt", "Answered"),
                                      [(f"#{p.id} {p.question}", f"{at:%Y-%m-%d %H:%M} UTC") for p, at in rows],
                                      empty="none yet")])]
