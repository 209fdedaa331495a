"""Pure logic of polls and surveys: option parsing and checks, vote transitions, tallies,
bar rendering, survey question syntax and answers, and safe CSV. No IO, no bot."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Iterable, Sequence

from bot import plural  # noqa: F401  (re-exported: the polls cog's modules import it from here)
from bot import safe_cell  # noqa: F401  (re-exported for the cog)
from bot import to_csv as csv_text

MAX_QUESTION = 300
MIN_OPTIONS, MAX_OPTIONS = 2, 25  # 25 = Discord's 5 rows x 5 buttons
MAX_OPTION_LEN = 80  # Discord's button label limit
MAX_CLOSES_IN = timedelta(days=32)
MIN_SCALE, MAX_SCALE = 2, 10
SURVEY_SCALE = 5
MAX_SURVEY_QUESTIONS = 5  # one form (modal) holds five fields
MAX_SURVEY_QUESTION = 100
MAX_TEXT_ANSWER = 300
QUESTION_KINDS = ("choice", "scale", "text")


# --- creating a poll ---------------------------------------------------------------------
class SpecError(ValueError):
    """Bad input, naming the option/key at fault (``field``) so YAML errors point at it."""

    def __init__(self, message: str, field: str | None = None, index: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.index = index  # survey question (0-based) at fault


@dataclass(frozen=True)
class PollSpec:
    """A validated poll, ready to store."""

    question: str
    options: tuple[str, ...]
    multi: bool = False
    max_picks: int | None = None
    anonymous: bool = False
    hidden: bool = False
    scale: int | None = None
    answer: int | None = None  # 1-based
    explain: str = ""
    closes_in: timedelta | None = None


def parse_options(text: str) -> tuple[str, ...]:
    """``"A; B; C"`` -> ("A", "B", "C"); raises ValueError naming the problem."""
    parts = [p.strip() for p in text.split(";")]
    if parts and parts[-1] == "" and len(parts) > 1:
        parts.pop()  # a trailing ";" is harmless
    for number, part in enumerate(parts, 1):
        if not part:
            raise ValueError(f'option {number} is empty — separate options with ";", like "Mon; Tue; Wed"')
        if len(part) > MAX_OPTION_LEN:
            raise ValueError(f"option {number} is longer than {MAX_OPTION_LEN} characters")
    if len(parts) < MIN_OPTIONS:
        raise ValueError(f'a poll needs at least {MIN_OPTIONS} options, separated by ";" (like "Yes; No")')
    if len(parts) > MAX_OPTIONS:
        raise ValueError(f"a poll has at most {MAX_OPTIONS} options (got {len(parts)})")
    seen: dict[str, int] = {}
    for number, part in enumerate(parts, 1):
        key = part.casefold()
        if key in seen:
            raise ValueError(f'option "{part}" is listed twice (options {seen[key]} and {number})')
        seen[key] = number
    return tuple(parts)


def scale_options(size: int) -> tuple[str, ...]:
    if not MIN_SCALE <= size <= MAX_SCALE:
        raise ValueError(f"scale must be between {MIN_SCALE} and {MAX_SCALE} (got {size})")
    return tuple(str(n) for n in range(1, size + 1))


def check_question(text: str, *, limit: int = MAX_QUESTION, what: str = "question") -> str:
    text = (text or "").strip()
    if not text:
        raise ValueError(f"the {what} is empty")
    if len(text) > limit:
        raise ValueError(f"the {what} is {len(text)} characters long — at most {limit}")
    return text


def check_closes_in(closes_in: timedelta | None) -> None:
    if closes_in is None:
        return
    if closes_in <= timedelta(0):
        raise ValueError("closes_in must be longer than 0, like 30m, 2h or 3d")
    if closes_in > MAX_CLOSES_IN:
        raise ValueError("closes_in can be at most 32 days")


def build_poll_spec(question: str, options: str | None = None, *, scale: int | None = None, multi: bool = False,
                    max_picks: int | None = None, anonymous: bool = False, hidden: bool = False,
                    closes_in: timedelta | None = None, answer: int | None = None,
                    explain: str | None = None) -> PollSpec:
    """Check everything a poll needs; raises SpecError (a ValueError) with a message for the user."""
    try:
        question = check_question(question)
    except ValueError as error:
        raise SpecError(str(error), "question") from None
    if options is None and scale is None:
        raise SpecError('a poll needs its choices: options (like "Mon; Tue; Wed") or a rating scale (like scale:5)',
                        "options")
    if options is not None and scale is not None:
        raise SpecError('give either options (like "Mon; Tue; Wed") or scale (like scale:5), not both', "options")
    try:
        choices = scale_options(scale) if scale is not None else parse_options(options or "")
    except ValueError as error:
        raise SpecError(str(error), "scale" if scale is not None else "options") from None
    if max_picks is not None and not multi:
        raise SpecError("max_picks only applies to multi:true polls", "max_picks")
    if max_picks is not None and not 1 <= max_picks <= len(choices):
        raise SpecError(f"max_picks must be between 1 and {len(choices)} (the number of options)", "max_picks")
    if multi and anonymous:
        raise SpecError("anonymous polls are single choice: an anonymous vote is final and is never linked "
                        "to its option, so several picks could not be checked — drop multi or anonymous", "anonymous")
    if answer is not None:
        if not 1 <= answer <= len(choices):
            raise SpecError(f"answer must be the number of the correct option, 1 to {len(choices)} (got {answer})",
                            "answer")
        if multi:
            raise SpecError("a quiz has one correct answer — drop multi:true", "multi")
        if scale is not None:
            raise SpecError("a rating scale has no correct answer — drop answer", "answer")
    if explain and answer is None:
        raise SpecError("explain goes with answer (a quiz): add answer:<number of the correct option>", "explain")
    if explain and len(explain) > 1000:
        raise SpecError("explain is at most 1000 characters", "explain")
    try:
        check_closes_in(closes_in)
    except ValueError as error:
        raise SpecError(str(error), "closes_in") from None
    return PollSpec(question, choices, multi, max_picks, anonymous, hidden, scale, answer,
                    (explain or "").strip(), closes_in)


# --- voting ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Click:
    """What one click does to a member's picks (positions are 1-based)."""

    before: frozenset[int]
    after: frozenset[int]

    @property
    def added(self) -> frozenset[int]:
        return self.after - self.before

    @property
    def removed(self) -> frozenset[int]:
        return self.before - self.after


class TooManyPicks(ValueError):
    pass


def apply_click(before: Iterable[int], option: int, *, multi: bool, max_picks: int | None) -> Click:
    """Single choice: another option moves the vote, the same one removes it.
    Multi: toggles, capped by ``max_picks``."""
    current = frozenset(before)
    if option in current:
        return Click(current, current - {option})
    if not multi:
        return Click(current, frozenset({option}))
    if max_picks is not None and len(current) >= max_picks:
        raise TooManyPicks(f"you can pick at most {max_picks} — click one of your picks to remove it first")
    return Click(current, current | {option})


# --- tallies and rendering ---------------------------------------------------------------
def percent(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


def render_bar(fraction: float, width: int = 10) -> str:
    filled = max(0, min(width, round(fraction * width)))
    return "█" * filled + "░" * (width - filled)




def tally_lines(options: Sequence[tuple[str, int]], *, voters: int, multi: bool,
                correct: int | None = None) -> list[str]:
    """One line per option: label, bar, percentage, count. Single choice: share of all
    votes; multi: share of voters (so the bars answer "how many picked this")."""
    total = voters if multi else sum(v for _, v in options)
    lines = []
    for number, (label, votes) in enumerate(options, 1):
        mark = " ✅" if correct == number else ""
        share = votes / total if total else 0.0
        lines.append(f"{number}. {label}{mark}  `{render_bar(share)}` {percent(votes, total)}% ({votes})")
    return lines


def scale_average(options: Sequence[tuple[str, int]]) -> float | None:
    """Options are "1".."N"; the mean of the votes, or None without votes."""
    total = sum(v for _, v in options)
    if not total:
        return None
    return sum(int(label) * votes for label, votes in options) / total


# --- surveys -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SurveyQuestionSpec:
    text: str
    kind: str = "text"  # choice | scale | text
    options: tuple[str, ...] = ()


_QUESTION = re.compile(r"^(?P<text>.*?)\s*(?:\[\s*(?P<kind>[A-Za-z]+)\s*(?::(?P<opts>[^\]]*))?\])?\s*$", re.S)


def parse_survey_questions(text: str) -> tuple[SurveyQuestionSpec, ...]:
    """``"How was the pace? [scale]; Best part?; Pick one [choice: A | B]"``.

    Questions are separated by ";". A question is free text unless it ends with
    ``[scale]`` (1-5) or ``[choice: A | B | C]``."""
    parts = [p.strip() for p in text.split(";")]
    if parts and parts[-1] == "" and len(parts) > 1:
        parts.pop()
    out = []
    for number, part in enumerate(parts, 1):
        match = _QUESTION.match(part)
        assert match is not None  # the pattern matches any text
        kind = (match.group("kind") or "text").lower()
        opts = match.group("opts")
        out.append(make_survey_question(match.group("text"), kind, opts.replace("|", ";") if opts else None,
                                        number=number))
    return check_survey_questions(out)


def make_survey_question(text: str, kind: str, options: str | None, *, number: int,
                         example: str = "[choice: A | B]") -> SurveyQuestionSpec:
    """One checked question; errors name it ("question 2: ...") and carry its index."""
    at = number - 1
    try:
        text = check_question(text, limit=MAX_SURVEY_QUESTION, what=f"text of question {number}")
    except ValueError as error:
        raise SpecError(str(error), "text", at) from None
    if kind not in QUESTION_KINDS:
        raise SpecError(f'question {number}: unknown kind "{kind}" — use [scale], [choice: A | B] or nothing (text)',
                        "kind", at)
    if kind == "choice":
        if not options:
            raise SpecError(f"question {number}: a choice question needs options, like {example}", "options", at)
        try:
            return SurveyQuestionSpec(text, kind, parse_options(options))
        except ValueError as error:
            raise SpecError(f"question {number}: {error}", "options", at) from None
    if options:
        raise SpecError(f"question {number}: only choice questions take options", "options", at)
    return SurveyQuestionSpec(text, kind)


def check_survey_questions(questions: Sequence[SurveyQuestionSpec]) -> tuple[SurveyQuestionSpec, ...]:
    if not questions:
        raise SpecError("a survey needs at least one question", "questions")
    if len(questions) > MAX_SURVEY_QUESTIONS:
        raise SpecError(f"a survey has at most {MAX_SURVEY_QUESTIONS} questions (got {len(questions)})", "questions")
    return tuple(questions)


def parse_answer(question: SurveyQuestionSpec, raw: str | None) -> str:
    """A form value checked and normalised: scale -> "1".."5", choice -> the option's
    label (by label or number), text -> trimmed (may be empty)."""
    text = (raw or "").strip()
    if question.kind == "scale":
        if not re.fullmatch(r"[1-5]", text):
            raise ValueError(f'"{question.text}": answer with a number from 1 to {SURVEY_SCALE}')
        return text
    if question.kind == "choice":
        for number, option in enumerate(question.options, 1):
            if text.casefold() in (option.casefold(), str(number)):
                return option
        raise ValueError(f'"{question.text}": choose one of {", ".join(question.options)}')
    if len(text) > MAX_TEXT_ANSWER:
        raise ValueError(f'"{question.text}": at most {MAX_TEXT_ANSWER} characters')
    return text


def aggregate_answers(question: SurveyQuestionSpec, values: Sequence[str]) -> list[str]:
    """Readable summary of one question's answers (scale average, choice counts, texts)."""
    if question.kind == "scale":
        numbers = [int(v) for v in values if v.isdigit()]
        if not numbers:
            return ["no answers yet"]
        counts = [(str(n), numbers.count(n)) for n in range(1, SURVEY_SCALE + 1)]
        avg = sum(numbers) / len(numbers)
        return [f"average {avg:.1f} / {SURVEY_SCALE} ({plural(len(numbers), 'answer')})",
                *tally_lines(counts, voters=len(numbers), multi=False)]
    if question.kind == "choice":
        counts = [(o, sum(1 for v in values if v == o)) for o in question.options]
        return tally_lines(counts, voters=len(values), multi=False)
    texts = [v for v in values if v]
    return [f"• {t}" for t in texts] or ["no answers yet"]


# --- CSV ---------------------------------------------------------------------------------
def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The core's formula-safe CSV (bot.csvexport), as the bytes an attachment carries."""
    return csv_text(header, rows).encode("utf-8")
