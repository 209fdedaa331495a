"""The schedules.yaml sections the prompts cog owns: ``banks:`` and ``prompts:``.

Field types are checked by pydantic (strictly: unknown keys are errors with a
did-you-mean); the cross-field rules (a bank that exists, questions or a bank, no
duplicate ids) live in ``validate_prompts`` because they need the whole community.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import Field

from bot import ChannelName, DateRangeText, DurationText, SomeText, Strict, TimezoneName, WhenText

ROTATIONS = ("in-order", "shuffle")
MAX_QUESTION_LENGTH = 500
SCHEDULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,49}")
BANK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,49}")


class PromptScheduleConfig(Strict):
    """One entry of ``prompts:``: when to post which questions where."""

    id: str
    channel: ChannelName
    when: WhenText
    timezone: TimezoneName | None = None
    questions: list[SomeText] | None = None
    bank: str | None = None
    order: str = "in-order"
    thread: bool = False
    mention: str | int | None = None
    start: date | None = None
    end: date | None = None
    skip: list[DateRangeText] = Field(default_factory=list)
    grace: DurationText | None = None


def validate_prompts(community: Any) -> list[tuple[tuple[Any, ...], str]]:
    """Cross-field checks for one community; locations are relative to the community."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    banks: dict[str, list[str]] = getattr(community, "banks", None) or {}
    prompts: list[PromptScheduleConfig] = getattr(community, "prompts", None) or []
    for name, questions in banks.items():
        if not BANK_NAME.fullmatch(str(name)):
            problems.append((("banks", name), f'bank name "{name}": use letters, digits, "-" or "_" (at most 50)'))
        if not [q for q in questions if q.strip()]:
            problems.append((("banks", name), f'bank "{name}" is empty — give it at least one question'))
        problems.extend((("banks", name, i), f'bank "{name}": question {i + 1} is longer than '
                         f'{MAX_QUESTION_LENGTH} characters') for i, q in enumerate(questions)
                        if len(q) > MAX_QUESTION_LENGTH)
    seen: dict[str, int] = {}
    for index, prompt in enumerate(prompts):
        loc = ("prompts", index)
        if not SCHEDULE_ID.fullmatch(prompt.id):
            problems.append((loc + ("id",), f'prompt id "{prompt.id}": use letters, digits, "-" or "_" '
                                            "(at most 50, no spaces)"))
        if prompt.id.lower() in seen:
            problems.append((loc + ("id",), f'duplicate prompt id "{prompt.id}" (also prompts[{seen[prompt.id.lower()]}])'))
        seen.setdefault(prompt.id.lower(), index)
        if prompt.order not in ROTATIONS:
            problems.append((loc + ("order",), f'order must be "in-order" or "shuffle", not "{prompt.order}"'))
        problems.extend(_question_source_problems(prompt, loc, banks))
        if prompt.start and prompt.end and prompt.end < prompt.start:
            problems.append((loc + ("end",), f'prompt "{prompt.id}" ends ({prompt.end}) before it starts ({prompt.start})'))
    return problems


def _question_source_problems(prompt: PromptScheduleConfig, loc: tuple[Any, ...],
                              banks: dict[str, list[str]]) -> list[tuple[tuple[Any, ...], str]]:
    if prompt.questions is None and prompt.bank is None:
        return [(loc, f'prompt "{prompt.id}" needs questions: [...] or bank: <name>')]
    if prompt.questions is not None and prompt.bank is not None:
        return [(loc + ("bank",), f'prompt "{prompt.id}" has both questions: and bank: — keep one')]
    if prompt.bank is not None and prompt.bank not in banks:
        known = ", ".join(sorted(banks)) or "none defined — add a banks: section"
        return [(loc + ("bank",), f'unknown bank "{prompt.bank}" (banks: {known})')]
    if prompt.questions is not None:
        if not [q for q in prompt.questions if q.strip()]:
            return [(loc + ("questions",), f'prompt "{prompt.id}" has an empty questions list')]
        return [(loc + ("questions", i), f"question {i + 1} is longer than {MAX_QUESTION_LENGTH} characters")
                for i, q in enumerate(prompt.questions) if len(q) > MAX_QUESTION_LENGTH]
    return []
