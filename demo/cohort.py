"""The demo's cast: a course setup, a cohort of simulated members, and a console that
prints what matters.

Members are plain data with a seeded random behaviour (so two runs print the same story);
everything they do goes through the console adapter's entry points, the same ones a real
platform adapter uses. Nothing here writes to the database or talks to a cog directly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Callable
from zoneinfo import ZoneInfo

from bot.ports import MessageRef
from bot.adapters.console import ConsoleAdapter
from bot.adapters.memory import Posted
from bot.content import Content
from bot.events import Origin

TIMEZONE = ZoneInfo("America/New_York")
TERM_START = date(2026, 1, 12)  # Monday of week 1
DEMO_WEEK = TERM_START + timedelta(weeks=3)  # week 4: there is history for the at-risk list
INSTRUCTOR = "instructor"

DEMO_YAML = f"""
communities:
  - id: console
    platform: console
    name: Data Science Cohort 7
    timezone: {TIMEZONE.key}
    instructors: {{users: [{INSTRUCTOR}]}}
    term: {{start: {TERM_START}, end: 2026-03-20, breaks: ["2026-02-16..2026-02-20"]}}
    channels: {{discussion: general, staff: instructors, mentoring: mentoring}}
    banks:
      reflection:
        - "What surprised you most in your first weeks of the course?"
        - "Which idea from this week would you explain to a friend, and how?"
    prompts:
      - {{id: monday-warmup, channel: discussion, when: "mon 09:00", bank: reflection, thread: true}}
      - {{id: midweek-practice, channel: discussion, when: "0 12 * * 3", thread: true,
          questions: ["Post a SQL query you're proud of (or confused by)."]}}
    polls:
      - {{id: confidence, channel: discussion, when: "fri 15:00", scale: 5, closes_in: 2d,
          question: "How confident do you feel about this week's material?"}}
    mentoring: {{channel: mentoring, when: "mon 11:00", check_in_after: 3d, no_repeat_within: 8w}}
    participation: {{leaderboard: true, cooldown: 60s}}
    digest: {{channel: staff, when: "fri 17:00"}}
cogs: [cogs.prompts, cogs.polls, cogs.mentors, cogs.participation]
"""

NAMES = ("Ana Ben Chloe Dev Elif Farid Grace Hiro Ines Jonas Kemi Liam Maya Nico Olu Priya Quinn Rosa Sami Tara "
         "Umar Vera Wen Xavi Yara Zoe Arjun Bea Carlos Dana Emil Fatou Gabe Hana Ivan Jade Kofi Lena Marco Nadia").split()
TOPICS = ("python", "sql", "statistics", "career", "pandas")


@dataclass
class Student:
    """One simulated member: how engaged they are, and whether they drift away after week 2."""

    user: str
    engagement: float  # chance of showing up on a given day / answering a given prompt
    drifter: bool

    def active(self, day: date) -> bool:
        """Whether this member still takes part on ``day`` (drifters stop after week 2)."""
        return not (self.drifter and day >= TERM_START + timedelta(days=12))


def make_cohort(size: int, seed: int = 7) -> list[Student]:
    """``size`` members with names, a mix of engagement levels and about one in eight drifting away."""
    rng = random.Random(seed)
    students = []
    for i in range(size):
        name = NAMES[i % len(NAMES)] + (str(i // len(NAMES) + 1) if i >= len(NAMES) else "")
        engagement = rng.choice((0.95, 0.85, 0.7, 0.55, 0.35))
        drifter = i % 8 == 5
        students.append(Student(name.lower(), 0.9 if drifter else engagement, drifter))
    return students


def local(day: date, hhmm: str) -> datetime:
    """A wall-clock time in the demo community's zone, as an aware datetime."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), TIMEZONE)


@dataclass(frozen=True)
class Step:
    """Something a member does at a moment (the history is a sorted list of these)."""

    at: datetime
    user: str
    kind: str  # "join" | "post" | "react"
    channel: str = "general"


def chatter_steps(cohort: list[Student], start: date, days: int, rng: random.Random, *,
                  joins: bool = False) -> list[Step]:
    """Everyday chatter for ``days`` days (joins first if asked): messages and reactions."""
    steps = [Step(local(start, "08:00") + timedelta(minutes=i), s.user, "join") for i, s in enumerate(cohort)
             if joins]
    for offset in range(days):
        day = start + timedelta(days=offset)
        weekend = day.weekday() >= 5
        for s in cohort:
            if not s.active(day) or rng.random() > s.engagement * (0.35 if weekend else 1.0):
                continue
            for _ in range(rng.randint(1, 4)):
                moment = local(day, f"{rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}")
                steps.append(Step(moment, s.user, "post", rng.choice(("general", "general", "random"))))
                if rng.random() < 0.6:
                    steps.append(Step(moment + timedelta(minutes=rng.randint(1, 90)), s.user, "react"))
    return sorted(steps, key=lambda st: (st.at, st.user))


class DemoConsole(ConsoleAdapter):
    """The console, curated for a readable story.

    Every bot post is printed as the console prints it. Ephemeral replies and message edits
    are printed only when the story wants them (the instructor's replies, one member's
    example): forty members' "vote recorded" would drown the rest. ``muted`` hides all.
    """

    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, user=INSTRUCTOR, **kwargs)
        self.muted = False
        self.echo_edits = True
        self.spotlight: set[str] = {INSTRUCTOR}
        self.posts: list[Posted] = []
        self.threads: dict[str, str] = {}  # message id -> the thread opened under it

    def print(self, text: str) -> None:
        if not self.muted:
            super().print(text)

    def on_post(self, posted: Posted) -> None:
        self.posts.append(posted)
        super().on_post(posted)

    def on_edit(self, posted: Posted) -> None:
        if self.echo_edits:
            super().on_edit(posted)

    def on_reply(self, origin: Origin, content: Content, ephemeral: bool) -> None:
        if origin.user_id in self.spotlight:
            super().on_reply(origin, content, ephemeral)

    async def start_thread(self, ref: MessageRef, name: str) -> str:
        thread_id = await super().start_thread(ref, name)
        self.threads[ref.message_id] = thread_id
        return thread_id

    def latest(self, match: Callable[[Posted], bool]) -> Posted | None:
        """The newest bot post that ``match`` accepts."""
        return next((p for p in reversed(self.posts) if match(p)), None)

    def since(self, mark: int, match: Callable[[Posted], bool]) -> list[Posted]:
        """Bot posts after position ``mark`` of ``posts`` that ``match`` accepts."""
        return [p for p in self.posts[mark:] if match(p)]

    def thread_of(self, posted: Posted) -> str | None:
        """The thread the bot opened under a post, if any."""
        return self.threads.get(posted.ref.message_id)


def buttons_with(posted: Posted, action: str) -> list[Any]:
    """The buttons of a post whose action id is ``<cog>:<action>:...``."""
    return [b for b in posted.buttons if b.action_id.split(":")[1:2] == [action]]


def has_action(action: str) -> Callable[[Posted], bool]:
    return lambda posted: bool(buttons_with(posted, action))
