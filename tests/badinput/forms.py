"""The bad-input corpus for forms (Discord modals, Slack modals): what a member could type into
each field the bot declared (its name, max length, required), and what a forged submission could
carry (a field missing, one the form never had, one past any length a client allows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .corpus import MARKUP, words

# A value that passes each field the built-in forms have (role, topics, name, survey answer...).
VALID = {"role": "mentee", "topics": "python", "timezone": "Europe/Berlin", "name": "Nina", "learn": "SQL"}
CONTROL = "\x00\x07\x1b\u202e\u200b\r\x7f\x9b\ufeff"  # nothing a reader would see
FORGED_MAX = 4001  # one past the longest text a Discord text input takes


@dataclass(frozen=True)
class FormField:
    name: str
    max_length: int
    required: bool


@dataclass
class Submission:
    form: str  # the submit action, e.g. "mentor:formjoin"
    case: str
    values: dict[str, str]
    valid: bool = False  # every value acceptable: the answer may be a thank-you and something is stored

    def __str__(self) -> str:
        return f"form {self.form} [{self.case}]"


def valid_value(field: FormField) -> str:
    return VALID.get(field.name, "3")[: field.max_length]


def submissions(form: str, fields: list[FormField]) -> Iterable[Submission]:
    """Refusals first (nothing may be stored for them), then the ones that may be accepted."""
    good = {f.name: valid_value(f) for f in fields}
    optional = not any(f.required for f in fields)  # a survey of optional questions may go back empty
    empty = [Submission(form, "all empty", {f.name: "" for f in fields}, valid=optional),
             Submission(form, "all blank", {f.name: "  \n\t " for f in fields}, valid=optional),
             Submission(form, "nothing sent", {}, valid=optional)]
    if not optional:
        yield from empty
    for f in fields:
        for case, value in (("over max", "x" * (f.max_length + 1)), ("forged 4001", "y" * FORGED_MAX),
                            ("control characters", CONTROL)):  # reads as empty: fine where optional
            yield Submission(form, f"{f.name} {case}", {**good, f.name: value}, valid=case[0] == "c" and not f.required)
        yield Submission(form, f"{f.name} markup", {**good, f.name: MARKUP}, valid=len(MARKUP) <= f.max_length)
        if f.required:
            yield Submission(form, f"{f.name} missing", {k: v for k, v in good.items() if k != f.name})
    yield Submission(form, "an unknown field", {**good, "zz_unknown": "hello"}, valid=True)
    for f in fields:
        yield Submission(form, f"{f.name} at max", {**good, f.name: words(f.max_length)}, valid=True)
    if optional:
        yield from empty


def refused(answers: list[str]) -> bool:
    return any(text.lstrip().startswith("⚠️") for text in answers)


def stored_rows(db: Any) -> dict[str, int]:
    """A digest of every row per table a form could store into (not the inbox, claims, members
    or activity counters, which every request touches): a changed row counts, not only a new one."""
    from sqlalchemy import inspect, text

    skip = ("inbox", "claim", "participation", "alembic", "member", "community", "schedule")
    with db.engine.connect() as conn:
        names = [n for n in inspect(conn).get_table_names() if not n.startswith(skip)]
        return {n: hash(tuple(map(tuple, conn.execute(text(f'SELECT * FROM "{n}"'))))) for n in names}
