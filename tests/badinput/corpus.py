"""Bad input for every command the loaded cogs declare: the corpus and what a good answer is.

The commands come from the app's own registry (``app.tree.specs()``), so a new command is swept
as soon as it exists. Each case gives every option of a command one kind of bad value: as long
as the platform lets a member type (or longer), a list far over any limit, ids that name nothing,
numbers past every bound, blanks, markup that must stay inert, junk that is no value at all.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Iterable

from bot.cog import CommandSpec
from bot.options import INT_LIMIT, OptionSpec

DISCORD_STRING_MAX = 6000  # the longest text a Discord string option can carry (its max_length cap)
MARKUP = "<@U0002|zoe> @everyone <!here> **bold** `code` <#C0GENERAL> ||spoiler|| <script>x</script>"

# Each bad value a line gives one option (value_for says what it is for each kind of option; a
# kind with nothing bad of that case is left out of it).
CASES: tuple[str, ...] = ("at_limit", "over_limit", "many", "unknown", "huge", "blank", "markup", "junk")


def words(length: int) -> str:
    """Real-looking text of exactly ``length`` characters (words, spaces, no cut surrogate)."""
    text = ("lorem ipsum dolor sit amet " * (length // 27 + 1))[:length]
    return text[:-1] + "x" if text.endswith(" ") else text


def many_items(count: int = 300, separator: str = "; ") -> str:
    return separator.join(f"item number {i} with a longer label" for i in range(1, count + 1))


def text_value(option: OptionSpec, case: str) -> str | None:
    limit = option.max_length or DISCORD_STRING_MAX
    return {
        "at_limit": words(limit),
        "over_limit": words(limit + 1 if option.max_length else 10_000),
        "many": many_items()[:limit] if option.max_length else many_items(),
        "unknown": "no-such-thing-4049",
        "huge": str(10**40),
        "blank": "   ",
        "markup": MARKUP[:limit],
        "junk": "\u0000\u202e\x1b[31m💥",
    }[case]


def number_value(option: OptionSpec, case: str) -> str | None:
    top = option.max_value if option.max_value is not None else INT_LIMIT
    low = option.min_value if option.min_value is not None else -INT_LIMIT
    return {
        "at_limit": str(int(top)), "over_limit": str(int(top) + 1), "many": "1;2;3", "unknown": str(int(min(top, 987654))),
        "huge": str(10**40), "blank": "   ", "markup": "<@U0002>", "junk": "1e400" if option.kind == "number" else str(int(low) - 1),
    }[case]


KIND_VALUES: dict[str, dict[str, str]] = {
    "boolean": {"at_limit": "true", "over_limit": "maybe", "unknown": "2", "huge": "1" * 50, "junk": "🤷"},
    "duration": {"at_limit": "32d", "over_limit": "99999d", "unknown": "1 fortnight", "huge": f"{10**40}m",
                 "junk": "-1h", "many": "1h 2h 3h"},
    "date": {"at_limit": "9999-12-31", "over_limit": "2026-02-30", "unknown": "someday", "huge": "99999-01-01",
             "junk": "0001-01-01", "many": "2026-01-01..2026-12-31"},
    "time": {"at_limit": "23:59", "over_limit": "25:61", "unknown": "teatime", "junk": "-1:00"},
    "timezone": {"at_limit": "Pacific/Kiritimati", "over_limit": "Mars/Olympus", "unknown": "Europe/Nowhere",
                 "huge": "UTC+99", "junk": "../../etc/passwd"},
    "channel": {"at_limit": "#" + "c" * 100, "over_limit": "#instructors", "unknown": "#nowhere",
                "huge": f"<#{10**40}>", "junk": "<#>", "markup": "<#C0GENERAL|general>"},
    "member": {"at_limit": "@" + "m" * 100, "over_limit": "<@U0002|zoe>", "unknown": "@nobody-here",
               "huge": f"<@{10**40}>", "junk": "<@>", "markup": "@everyone"},
    "choice": {"at_limit": "x" * 100, "unknown": "bogus", "junk": "💥"},
}


def value_for(option: OptionSpec, case: str) -> str | None:
    if option.kind == "file":
        return None
    if option.kind == "string":
        return text_value(option, case)
    if option.kind in ("integer", "number"):
        return number_value(option, case)
    table = KIND_VALUES.get(option.kind, {})
    if case in table:
        return table[case]
    return {"blank": "   ", "markup": MARKUP}.get(case)


# A valid value for each kind of option, for the options a line is not about (so that the bad
# value reaches the handler); a few options need a value of their own to be valid.
VALID: dict[str, str] = {"string": "Week 3 recap", "integer": "1", "number": "1", "boolean": "true",
                         "duration": "2h", "date": "2030-01-14", "time": "09:00", "timezone": "Europe/Berlin",
                         "channel": "#general", "member": "@zoe", "choice": ""}
VALID_FOR: dict[str, str] = {"event create.when": "2030-01-14 10:00", "prompt schedule.when": "mon 09:00",
                             "prompt schedule.id": "sweep", "prompt bank add.bank": "sweep",
                             "prompt bank remove.bank": "reflection"}
# Optional options a command needs one of: given (valid) unless the line is about one of them.
ONE_OF: dict[str, dict[str, str]] = {
    "prompt post": {"question": "What surprised you?", "bank": "reflection", "schedule": "warmup"},
    "prompt schedule": {"questions": "A?; B?", "bank": "reflection"},
    "prompt suggest": {"bank": "reflection"},
    "poll create": {"options": "Mon; Tue", "scale": "5"},
    "poll survey": {"questions": "How was it?", "template": "feedback"},
}


def valid_value(spec: CommandSpec, option: OptionSpec) -> str | None:
    if f"{spec.full_name}.{option.name}" in VALID_FOR:
        return VALID_FOR[f"{spec.full_name}.{option.name}"]
    if option.kind == "choice":
        return option.choices[0]
    return VALID.get(option.kind)


def quote(value: str) -> str:
    return "'" + value.replace("'", "") + "'" if value.strip() else '" "'


def command_line(spec: CommandSpec, values: dict[str, str]) -> str:
    return " ".join(["/" + spec.full_name, *(f"{name}:{quote(v)}" for name, v in values.items())])


@dataclass(frozen=True)
class Line:
    """One command line of the sweep: what to type and why."""

    spec: CommandSpec
    case: str
    text: str

    def __str__(self) -> str:
        return f"/{self.spec.full_name} [{self.case}]"


def bad_values(spec: CommandSpec) -> Iterable[tuple[str, dict[str, str]]]:
    """(case, option values): each option in turn with each bad value, the required others valid."""
    for option in spec.options:
        for case in CASES:
            bad = value_for(option, case)
            if bad is None:
                continue
            values = {o.name: v for o in spec.options if o.required and o is not option
                      and (v := valid_value(spec, o)) is not None}
            one_of = ONE_OF.get(spec.full_name, {})
            if option.name not in one_of and one_of:
                name, value = next(iter(one_of.items()))
                values[name] = value
            yield f"{option.name}={case}", {**values, option.name: bad}


def lines_for(spec: CommandSpec) -> Iterable[Line]:
    yield Line(spec, "nothing", "/" + spec.full_name)
    for case, values in bad_values(spec):
        yield Line(spec, case, command_line(spec, values))
    yield Line(spec, "unknown option", f"/{spec.full_name} colour:red")
    yield Line(spec, "stray words", f"/{spec.full_name} {words(300)}")
    if spec.options:
        first = spec.options[0].name
        yield Line(spec, "given twice", f"/{spec.full_name} {first}:1 {first}:2")
        yield Line(spec, "unbalanced quote", f"/{spec.full_name} {first}:\"half")


# -- what a good answer is --------------------------------------------------------------------------
# Words that only a library, an exception or a stack trace would put in an answer.
RAW = re.compile("|".join([
    r"Traceback", r"File \"", r"Something went wrong", r"pydantic", r"validation error", r"errors\.pydantic",
    r"Input should be", r"Field required", r"sqlalchemy", r"sqlite3\.", r"IntegrityError", r"OperationalError",
    r"KeyError", r"ValueError", r"TypeError", r"AttributeError", r"IndexError", r"OverflowError", r"LookupError",
    r"has no attribute", r"NoneType", r"object is not", r"invalid literal for", r"unconverted data remains",
    r"does not match format", r"\[Errno", r"discord\.(errors|app_commands)", r"slack_sdk", r"slack_bolt",
    r"ZoneInfoNotFound", r"No time zone found", r"<class '", r"\bnan\b", r"\binf\b", r"year \d+ is out of range",
    r"out of range for", r"Invalid Form Body", r"invalid_blocks", r"apscheduler",
]))


def raw_text_in(text: str) -> list[str]:
    return sorted({m.group(0) for m in RAW.finditer(text)})


def tracebacks(records: Iterable[logging.LogRecord]) -> list[str]:
    """Log records that carry a traceback or report a failure (ERROR and worse)."""
    return [f"{r.name}: {r.getMessage()[:200]}" for r in records
            if r.exc_info or r.levelno >= logging.ERROR or "Traceback" in r.getMessage()]


MAX_ERROR = 400  # one line: what was wrong and how to put it right, the typed value shortened


def answer_problems(line: Any, answers: Iterable[tuple[str, bool]]) -> list[str]:
    """Problems with what the bot said to one line (text, ephemeral): raw library or exception
    text, or an error (⚠️) shown to the whole channel."""
    problems = []
    for text, ephemeral in answers:
        if found := raw_text_in(text):
            problems.append(f"{line}: raw text {found} in {text[:300]!r}")
        if not text.lstrip().startswith("⚠️"):
            continue
        message = text.split("\nUsage:")[0].strip()
        if not ephemeral:
            problems.append(f"{line}: an error answered in public: {text[:200]!r}")
        if len(message) > MAX_ERROR or "\n" in message:
            problems.append(f"{line}: an error of {len(message)} characters, not one short line: {message[:200]!r}…")
        if message.endswith((":", "—", ",")):
            problems.append(f"{line}: an error that stops short: {message!r}")
    return problems
