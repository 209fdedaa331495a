"""``python -m bot demo``: a cohort's week on the console, with an accelerated clock.

The real bot runs — BotApp, every built-in cog, the console adapter, a throwaway SQLite
file — and simulated members act through the adapter the way people act on a platform:
commands, button clicks, messages in threads, reactions. Time moves with the scheduler's
fake clock, so the week's schedules fire in order in a few seconds. Nothing is canned:
every line the bot prints is what it posted.

Weeks 1-3 of the term run first with the output hidden (members chatting, so the digest
has history to compare with); the bot then restarts on the same database on Monday of
week 4 and the week is told as it happens.
"""

from __future__ import annotations

import io
import logging
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.access import Access
from bot.adapters.memory import Posted
from bot.app import BotApp
from bot.clock import FakeClock
from bot.config import parse_config
from .cohort import (DEMO_WEEK, DEMO_YAML, INSTRUCTOR, TERM_START, TIMEZONE, TOPICS, DemoConsole, Step, Student,
                          buttons_with, chatter_steps, has_action, local, make_cohort)
from bot.scheduler import EveryTrigger
from bot.storage import Database

HOUSEKEEPING_TICK = timedelta(minutes=15)  # the demo's tick for jobs that run every minute


def _start_app(url: str, clock: FakeClock, out: Path, *, muted: bool) -> tuple[BotApp, DemoConsole]:
    app = BotApp(config=parse_config(DEMO_YAML, "demo.yaml"), db=Database(url), clock=clock)
    app.load_cogs()
    console = DemoConsole(app, stdin=io.StringIO(""), stdout=sys.stdout, files_dir=out)
    console.muted = muted
    return app, console


async def play_history(url: str, cohort: list[Student], rng: random.Random, out: Path) -> Counter[str]:
    """Weeks 1-3: everyone joins on day one, then chats (drifters fall silent after week 2)."""
    clock = FakeClock(local(TERM_START, "07:00"))
    app, console = _start_app(url, clock, out, muted=True)
    await app.start([console])
    done: Counter[str] = Counter()
    recent: list[str] = []
    for step in chatter_steps(cohort, TERM_START, (DEMO_WEEK - TERM_START).days, rng, joins=True):
        clock.set(step.at)
        await _do(console, step, recent, rng)
        done[step.kind] += 1
    await app.stop()  # flushes the participation writer
    app.db.dispose()
    return done


async def _do(console: DemoConsole, step: Step, recent: list[str], rng: random.Random) -> None:
    if step.kind == "join":
        await console.join_as(step.user)
    elif step.kind == "post":
        ref = await console.post_as(step.user, channel=step.channel, length=rng.randint(15, 400))
        recent.append(ref.message_id)
        del recent[:-40]
    elif step.kind == "react" and recent:
        await console.react_as(step.user, rng.choice(recent), emoji=rng.choice(("👍", "🎉", "💡", "❤️")))


class DemoWeek:
    """Monday to Friday of week 4, scene by scene."""

    def __init__(self, url: str, cohort: list[Student], rng: random.Random, out: Path) -> None:
        self.cohort, self.rng = cohort, rng
        self.clock = FakeClock(local(DEMO_WEEK, "08:00"))
        self.app, self.console = _start_app(url, self.clock, out, muted=False)
        self.chatter = chatter_steps(cohort, DEMO_WEEK, 5, rng)
        self.recent: list[str] = []

    # -- telling the story ----------------------------------------------------------------
    async def scene(self, day: int, hhmm: str, text: str, *, run_to: str | None = None) -> None:
        """Run the week to just before that moment, announce it, then run to it (or ``run_to``)."""
        target = local(DEMO_WEEK + timedelta(days=day), hhmm)
        await self.until(target - timedelta(minutes=1))
        moment = max(target, self.clock.now()).astimezone(target.tzinfo)  # honest if a scene ran long
        self.console.print(f"\n── {moment:%A %H:%M} — {text}")
        await self.until(local(DEMO_WEEK + timedelta(days=day), run_to or hhmm))

    def note(self, text: str) -> None:
        self.console.print(f"   ↳ {text}")

    def today(self) -> date:
        return self.clock.now().astimezone(TIMEZONE).date()

    def present(self) -> list[Student]:
        return [s for s in self.cohort if s.active(self.today())]

    # -- time -----------------------------------------------------------------------------
    async def until(self, target: datetime) -> None:
        """Let the week run to that moment: schedules fire, members chat in between."""
        while self.chatter and self.chatter[0].at <= target:
            step = self.chatter.pop(0)
            await self.app.scheduler.advance(step.at)
            await _do(self.console, step, self.recent, self.rng)
        await self.app.scheduler.advance(target)

    async def later(self, minutes: float) -> None:
        await self.app.scheduler.advance(self.clock.now() + timedelta(minutes=minutes))

    def gap(self, people: int, window: float = 50) -> float:
        """Minutes until the next of ``people`` actions, so that they all fit in ``window`` minutes."""
        return self.rng.uniform(0.5, 1.5) * window / max(people, 1)

    # -- acting -----------------------------------------------------------------------------
    async def command(self, user: str, text: str, *, channel: str = "general", echo: bool = False) -> None:
        access = Access.INSTRUCTOR if user == INSTRUCTOR else Access.MEMBER
        if echo:
            self.console.spotlight.add(user)
            self.console.print(f"[#{channel}] {user}: {text}")
        try:
            await self.console.command(text, user=user, access=access, channel=channel)
        finally:
            if user != INSTRUCTOR:
                self.console.spotlight.discard(user)

    async def click(self, user: str, posted: Posted, action_id: str) -> None:
        await self.console.click(action_id, user=user, message=posted.ref,
                                 access=Access.INSTRUCTOR if user == INSTRUCTOR else Access.MEMBER)

    async def answer_in_thread(self, prompt: Posted | None, chance: float) -> tuple[int, int]:
        """Members answer a prompt in its thread over the next hours, and react to answers."""
        thread = self.console.thread_of(prompt) if prompt else None
        if thread is None:
            return 0, 0
        answers, reactions = 0, 0
        for s in self.present():
            if self.rng.random() > s.engagement * chance:
                continue
            await self.later(self.gap(len(self.cohort)))
            ref = await self.console.post_as(s.user, channel=prompt.ref.channel_id, thread_id=thread,
                                             length=self.rng.randint(80, 900))
            answers += 1
            for other in self.rng.sample(self.present(), k=self.rng.randint(0, 2)):
                await self.console.react_as(other.user, ref.message_id, emoji="💡")
                reactions += 1
        return answers, reactions

    async def vote(self, posted: Posted | None, pick: Any, *, show_first: bool = False) -> int:
        """Each present member may press one of the poll's buttons (``pick`` chooses which)."""
        if posted is None:
            return 0
        buttons = buttons_with(posted, "vote")
        self.console.echo_edits = False  # forty live-result edits would drown the story
        votes = 0
        for s in self.present():
            index = pick(s, len(buttons))
            if index is None:
                continue
            await self.later(self.gap(len(self.cohort)))
            shown = show_first and votes == 0
            if shown:  # one member's click, with the answer only they see
                self.console.spotlight.add(s.user)
                self.console.print(f'[#{posted.ref.channel_id}] {s.user}: click "{buttons[index].label}"')
            await self.click(s.user, posted, buttons[index].action_id)
            self.console.spotlight.discard(s.user)
            votes += 1
        return votes

    # -- the week ---------------------------------------------------------------------------
    async def run(self, history: Counter[str]) -> Path | None:
        self.console.muted = True  # the console's "type /help" greeting: nobody types in the demo
        await self.app.start([self.console])
        self.console.muted = False
        self._accelerate_housekeeping()
        self.console.print(
            f"Weeks 1-3 of {self.app.config.communities[0].name} ran first (output hidden): {history['join']} "
            f"members joined, then posted {history['post']} messages and {history['react']} reactions. "
            f"Some stopped after week 2. Now: week 4, told as it happens.")
        await self.monday()
        await self.tuesday()
        await self.wednesday()
        await self.thursday()
        return await self.friday()

    def _accelerate_housekeeping(self) -> None:
        """Jobs that tick every minute (closing due polls) tick every 15 simulated minutes here."""
        for entry in list(self.app.scheduler.entries.values()):
            if isinstance(entry.trigger, EveryTrigger) and entry.trigger.interval < HOUSEKEEPING_TICK:
                self.app.scheduler.add(entry.key, EveryTrigger(HOUSEKEEPING_TICK), entry.callback,
                                       grace=HOUSEKEEPING_TICK, since=entry.since, exclusive=entry.exclusive,
                                       owner=entry.owner)

    async def monday(self) -> None:
        await self.scene(0, "08:30", "members sign up for peer mentoring with /mentor join")
        volunteers = [s for s in self.present() if s.engagement >= 0.7][:12]
        roles = ["mentor", "mentee", "mentee", "peer", "mentee", "peer", "mentor", "mentee", "peer", "mentee",
                 "mentor", "peer"]  # interleaved: a small cohort still gets a mentor and a mentee
        for n, (s, role) in enumerate(zip(volunteers, roles)):
            topics = ", ".join(self.rng.sample(TOPICS, 2))
            extra = " capacity:2" if role == "mentor" else ""
            await self.command(s.user, f'/mentor join role:{role} topics:"{topics}"{extra}', echo=n == 0)
        taken = roles[:len(volunteers)]
        self.note(f"{len(volunteers)} members joined mentoring: {taken.count('mentor')} mentors, "
                  f"{taken.count('mentee')} mentees, {taken.count('peer')} peers")

        mark = len(self.console.posts)
        await self.scene(0, "09:00", "the warm-up prompt fires (schedule monday-warmup)")
        prompt = next(iter(self.console.since(mark, lambda p: self.console.thread_of(p) is not None)), None)
        answers, reactions = await self.answer_in_thread(prompt, 0.85)
        self.note(f"{answers} members answer in its thread; {reactions} reactions to their answers")

        await self.scene(0, "11:00", "the scheduled mentoring round: a preview for the instructors")
        preview = self.console.latest(has_action("confirm"))
        if preview is not None:
            self.console.print(f'[#{preview.ref.channel_id}] {INSTRUCTOR}: click "Confirm"')
            self.console.echo_edits = True
            await self.click(INSTRUCTOR, preview, buttons_with(preview, "confirm")[0].action_id)

    async def tuesday(self) -> None:
        await self.scene(1, "11:00", "the instructor asks the cohort with a poll that closes itself in a day")
        await self.command(INSTRUCTOR, '/poll create question:"Which topic should Thursday\'s live session '
                                       'cover?" options:"Joins; Window functions; Indexes" closes_in:1d', echo=True)
        poll = self.console.latest(has_action("vote"))
        weights = (0.3, 0.5, 0.2)
        votes = await self.vote(poll, lambda s, n: None if self.rng.random() > s.engagement
                                else self.rng.choices(range(n), weights=weights[:n])[0])
        self.note(f"{votes} members vote with its buttons (the message's live results update as they do)")

    async def wednesday(self) -> None:
        await self.scene(2, "11:00", "a day later the poll closes on its own and posts the result", run_to="11:15")

        mark = len(self.console.posts)
        await self.scene(2, "12:00", "the midweek practice prompt fires (a cron schedule: 0 12 * * 3)")
        prompt = next(iter(self.console.since(mark, lambda p: self.console.thread_of(p) is not None)), None)
        answers, reactions = await self.answer_in_thread(prompt, 0.7)
        self.note(f"{answers} members answer in its thread; {reactions} reactions")

        await self.scene(2, "14:00", "a quiz: each member sees the right answer once they have answered")
        await self.command(INSTRUCTOR, '/poll create question:"Which clause filters groups after GROUP BY?" '
                                       'options:"WHERE; HAVING; ORDER BY" answer:2 '
                                       'explain:"HAVING filters groups; WHERE filters rows before grouping." '
                                       'closes_in:3h', echo=True)
        quiz = self.console.latest(has_action("vote"))
        right = Counter[bool]()

        def pick(s: Student, n: int) -> int | None:
            if self.rng.random() > s.engagement:
                return None
            choice = 1 if self.rng.random() < 0.35 + 0.5 * s.engagement else self.rng.choice((0, 2))
            right[choice == 1] += 1
            return choice

        answered = await self.vote(quiz, pick, show_first=True)
        self.note(f"{answered} members answer the quiz ({right[True]} correctly)")
        await self.scene(2, "17:00", "three hours later the quiz closes", run_to="17:15")

    async def thursday(self) -> None:
        mark = len(self.console.posts)
        await self.scene(3, "11:00", "three days after the round, each mentoring group is asked: did you meet?",
                         run_to="12:30")
        check_ins = self.console.since(mark, has_action("checkin"))
        met = 0
        for posted in check_ins:
            people = self.console.groups.get(posted.ref.channel_id, [])
            answer = "met" if self.rng.random() < 0.75 else "not_yet"
            met += answer == "met"
            for user in people[: 1 if answer == "not_yet" else len(people)]:
                button = next(b for b in buttons_with(posted, "checkin") if b.action_id.endswith(":" + answer))
                await self.later(self.gap(2 * len(check_ins), window=60))
                await self.click(user, posted, button.action_id)
        self.note(f"{met} of {len(check_ins)} groups answer \"We met\" (each meeting counts for participation)")

        await self.scene(3, "15:00", "members look at their own numbers, and one opts out of tracking")
        keen = max(self.present(), key=lambda s: s.engagement)
        await self.command(keen.user, "/stats me", echo=True)
        shy = min(self.present(), key=lambda s: s.engagement)
        await self.command(shy.user, "/privacy optout", echo=True)

    async def friday(self) -> Path | None:
        mark = len(self.console.posts)
        await self.scene(4, "15:00", "the weekly confidence check (a 1-5 scale, schedule confidence)")
        scale = next(iter(self.console.since(mark, has_action("vote"))), None)
        votes = await self.vote(scale, lambda s, n: None if self.rng.random() > s.engagement
                                else min(n - 1, max(0, round(s.engagement * n - self.rng.random() * 2))))
        self.note(f"{votes} members rate their confidence")

        await self.scene(4, "16:30", "the instructor posts the leaderboard")
        await self.command(INSTRUCTOR, "/stats leaderboard days:7", echo=True)

        await self.scene(4, "17:00", "the weekly digest for the instructors, with the activity chart")
        digest = self.console.latest(lambda p: bool(p.content.files))
        await self.app.stop()
        self.app.db.dispose()
        if digest is None:
            return None
        return self.console.files_dir / Path(digest.content.files[0].filename).name


async def run_demo(members: int = 40, out: str | Path | None = None) -> int:
    """Run the demo; returns the process exit code (0 when the digest and its chart came out)."""
    began = time.monotonic()
    if members < 4:
        print("the demo needs at least 4 members (--members)", file=sys.stderr)
        return 2
    folder = Path(out) if out else Path(tempfile.mkdtemp(prefix="cohort-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    database = folder.resolve() / "demo.db"
    for leftover in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)  # a throwaway database: every run starts fresh
    root = logging.getLogger()
    level = root.level
    # The story is the output. Errors still show; warnings would only be about the simulation
    # itself (weeks 1-3 ran without moving the scheduler, so prompts "missed" their firings).
    root.setLevel(max(level, logging.ERROR))
    try:
        cohort = make_cohort(members)
        rng = random.Random(2026)
        url = f"sqlite:///{database}"
        print(f"Cohort Bot demo: {members} simulated members, the console adapter, a throwaway database "
              f"({database}) and a clock that runs a week in seconds.")
        history = await play_history(url, cohort, rng, folder)
        chart = await DemoWeek(url, cohort, rng, folder).run(history)
    finally:
        root.setLevel(level)
    elapsed = time.monotonic() - began
    if chart is None or not chart.exists():
        print(f"\nThe digest did not come out (see the log above). Finished in {elapsed:.1f} s.", file=sys.stderr)
        return 1
    print(f"\nDone: weeks 1-4 simulated in {elapsed:.1f} s. Database: {database}")
    print(f"Chart written to {chart}")
    return 0
