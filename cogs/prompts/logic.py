"""Pure logic of the prompts cog: schedule settings, term/skip dates, rotation, rendering bits.

Nothing here touches the database or a platform; tests call these directly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable, Sequence
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from bot import next_fire_times, parse_date_range, parse_when

from .config import ROTATIONS, PromptScheduleConfig


class EmptyBank(Exception):
    """A schedule has no question to post."""


@dataclass(frozen=True)
class ScheduleSettings:
    """Everything that defines a schedule, from YAML or a command; hashed for idempotent sync."""

    key: str
    channel: str
    when: str
    timezone: str | None = None
    bank: str | None = None
    questions: tuple[str, ...] = ()
    rotation: str = "in-order"
    thread: bool = False
    mention: str | None = None
    start: date | None = None
    end: date | None = None
    skip: tuple[str, ...] = ()
    grace: str | None = None

    @classmethod
    def from_config(cls, cfg: PromptScheduleConfig) -> "ScheduleSettings":
        return cls(key=cfg.id, channel=str(cfg.channel), when=cfg.when, timezone=cfg.timezone, bank=cfg.bank,
                   questions=tuple(q.strip() for q in cfg.questions or () if q.strip()), rotation=cfg.order,
                   thread=cfg.thread, mention=None if cfg.mention is None else str(cfg.mention),
                   start=cfg.start, end=cfg.end, skip=tuple(cfg.skip), grace=cfg.grace)

    def fingerprint(self) -> str:
        data: dict[str, Any] = asdict(self)
        return hashlib.sha256(json.dumps(data, default=str, sort_keys=True).encode()).hexdigest()


# --- which days a schedule posts on ------------------------------------------------------
@dataclass(frozen=True)
class Calendar:
    """A schedule's term (its own start/end, else the community's) and the days it skips."""

    start: date | None
    end: date | None
    skips: tuple[tuple[date, date], ...]

    @classmethod
    def build(cls, start: date | None, end: date | None, skip: Iterable[str], term: Any) -> "Calendar":
        ranges = [parse_date_range(s) for s in skip]
        if term is not None:
            ranges.extend(term.break_ranges())
        return cls(start if start is not None else getattr(term, "start", None),
                   end if end is not None else getattr(term, "end", None), tuple(ranges))

    def reason_to_skip(self, day: date) -> str | None:
        """Why nothing is posted on ``day`` (local date), or None when it is a posting day."""
        if self.start is not None and day < self.start:
            return f"before the term starts ({self.start})"
        if self.end is not None and day > self.end:
            return f"after the term ended ({self.end})"
        for first, last in self.skips:
            if first <= day <= last:
                return f"a skip date ({first}..{last})" if first != last else f"a skip date ({first})"
        return None

    def is_posting_day(self, day: date) -> bool:
        return self.reason_to_skip(day) is None


def upcoming_runs(trigger: BaseTrigger, after: datetime, tz: ZoneInfo, count: int,
                  allowed: Callable[[date], bool], *, horizon: timedelta = timedelta(days=800)) -> list[datetime]:
    """The next ``count`` firings after ``after`` that fall on allowed local days, in ``tz``."""
    found: list[datetime] = []
    cursor, limit = after, after + horizon
    while len(found) < count and cursor < limit:
        batch = next_fire_times(trigger, cursor, 50)
        if not batch:
            break
        for moment in batch:
            local = moment.astimezone(tz)
            if moment > limit:
                return found
            if allowed(local.date()):
                found.append(local)
                if len(found) == count:
                    return found
        cursor = batch[-1]
    return found


# --- rotation ----------------------------------------------------------------------------
def unique_questions(questions: Iterable[str]) -> list[str]:
    """Questions in order, blanks and repeats removed."""
    return list(dict.fromkeys(q.strip() for q in questions if q.strip()))


def shuffle_rank(seed: int, cycle: int, question: str) -> str:
    """A question's place in cycle ``cycle`` of a shuffled schedule.

    Derived from (schedule id, cycle, question) only, so every process computes the same
    order, and adding a question to a bank does not reshuffle the rest of the cycle.
    """
    return hashlib.sha256(f"{seed}:{cycle}:{question}".encode()).hexdigest()


def pick_question(questions: Sequence[str], used_this_cycle: Iterable[str], cycle: int, rotation: str,
                  seed: int, last: str | None = None) -> tuple[str, int]:
    """The next question and the cycle it belongs to.

    A cycle posts every question once (in order, or shuffled); when all are used the next
    cycle starts. A new shuffled cycle never opens with the question that closed the last.
    """
    if rotation not in ROTATIONS:
        raise ValueError(f"unknown rotation {rotation!r}")
    pool = unique_questions(questions)
    if not pool:
        raise EmptyBank("no questions")
    used = set(used_this_cycle)
    remaining = [q for q in pool if q not in used]
    new_cycle = not remaining
    if new_cycle:
        cycle, remaining = cycle + 1, pool
    if rotation == "shuffle":
        remaining = sorted(remaining, key=lambda q: shuffle_rank(seed, cycle, q))
        if new_cycle and len(remaining) > 1 and remaining[0] == last:
            remaining = remaining[1:] + remaining[:1]
    return remaining[0], cycle


# --- parsing command text ----------------------------------------------------------------
def split_list(text: str | None) -> list[str]:
    """ "A; B" or lines -> ["A", "B"] (blanks dropped)."""
    if not text:
        return []
    parts = text.replace("\n", ";").split(";")
    return [p.strip() for p in parts if p.strip()]


# --- rendering ---------------------------------------------------------------------------
def render_mention(mention: str | None) -> str:
    """A role/group mention as text: ids and platform syntax pass through, names get an @."""
    if not mention:
        return ""
    text = mention.strip()
    if text.startswith("<") or text.startswith("@"):
        return text
    if text.isdigit():
        return f"<@&{text}>"
    return f"@{text}"


def prompt_text(question: str, mention: str | None) -> str:
    lead = render_mention(mention)
    return f"{lead} {question}".strip() if lead else question


def thread_name(question: str) -> str:
    name = " ".join(question.split())
    return name if len(name) <= 90 else name[:89] + "…"


def percent(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{round(100 * part / whole)}%"


def format_local(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local:%a %Y-%m-%d %H:%M} {local.tzname()}"


# --- validating a schedule given by command ----------------------------------------------
def check_schedule(settings: ScheduleSettings, zone: ZoneInfo) -> None:
    """The checks schedules.yaml gets, for /prompt schedule; ValueError says what is wrong."""
    from .config import MAX_QUESTION_LENGTH, SCHEDULE_ID

    if not SCHEDULE_ID.fullmatch(settings.key):
        raise ValueError(f'id "{settings.key}": use letters, digits, "-" or "_" (at most 50, no spaces)')
    try:
        parse_when(settings.when, zone)
    except ValueError as error:
        raise ValueError(f"when: {error}") from None
    if settings.bank and settings.questions:
        raise ValueError("give either questions or bank, not both")
    if not settings.bank and not settings.questions:
        raise ValueError('give the questions (questions:"A; B") or a bank (bank:<name>)')
    for question in settings.questions:
        if len(question) > MAX_QUESTION_LENGTH:
            raise ValueError(f"questions: each question is at most {MAX_QUESTION_LENGTH} characters")
    for text in settings.skip:
        try:
            parse_date_range(text)
        except ValueError as error:
            raise ValueError(f"skip: {error}") from None
    if settings.start and settings.end and settings.end < settings.start:
        raise ValueError(f"end ({settings.end}) is before start ({settings.start})")
