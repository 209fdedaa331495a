"""Helpers shared by the mentor cog's tests."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.testing.harness import Harness, Result
from cogs.mentors.models import MentorProfile

COGS = ["cogs.mentors", "tests.fixtures.event_recorder"]


def community_yaml(mentoring: str = "{channel: mentoring, check_in_after: 5d, no_repeat_within: 8w}",
                   timezone: str = "Europe/Berlin") -> str:
    return (
        "communities:\n"
        "  - id: console\n"
        "    platform: console\n"
        f"    timezone: {timezone}\n"
        "    channels: {staff: instructors, mentoring: mentoring}\n"
        f"    mentoring: {mentoring}\n"
    )


YAML = community_yaml()


async def join(bot: Harness, who: str, role: str = "peer", topics: str = "python, sql",
               tz: str = "Europe/Berlin", extra: str = "") -> Result:
    r = await bot.command(f'/mentor join role:{role} topics:"{topics}" timezone:{tz} {extra}'.strip(), as_=who)
    return r


def buttons(result: Result) -> dict[str, str]:
    """Label -> action id of the buttons on the last reply."""
    return {b.label: b.action_id for b in result.reply.content.buttons}


async def preview(bot: Harness, as_: str = "ivy") -> Result:
    r = await bot.command("/mentor match", as_=as_, role="instructor")
    assert not r.error, r.text
    return r


async def run_round(bot: Harness, as_: str = "ivy") -> Result:
    """Preview then confirm a round as an instructor; returns the confirm click's result."""
    r = await preview(bot, as_)
    done = await bot.click(buttons(r)["Confirm"], as_=as_, role="instructor")
    assert not done.error, done.text
    return done


def intros(bot: Harness) -> list[Any]:
    """Intro messages posted into private group spaces, oldest first."""
    return [p for p in bot.adapter.messages.values()
            if p.ref.channel_id.startswith("group-") and "matched" in (p.content.title or "")]


def check_ins(bot: Harness) -> list[Any]:
    return [p for p in bot.adapter.messages.values() if (p.content.title or "") == "Mentoring check-in"]


def groups_of(posted: list[Any], bot: Harness) -> list[frozenset[str]]:
    return [frozenset(bot.adapter.groups[p.ref.channel_id]) for p in posted]


def profile(bot: Harness, who: str) -> MentorProfile | None:
    member = bot.member(who)
    assert member is not None
    with bot.session() as s:
        return s.exec(select(MentorProfile).where(MentorProfile.member_id == member.id)).first()
