"""Command options: derived from a handler's signature, parsed from text or from platform values.

One declaration serves every platform. ``Annotated`` metadata carries help text and limits:

    async def create(self, ctx, question: Annotated[str, Help("What to ask"), MaxLen(300)],
                     anonymous: bool = False, closes_in: Duration | None = None): ...

Text (Slack, console): ``name:value`` or ``name=value``; required options may be given
positionally, in order; quotes as in a shell.
"""

from __future__ import annotations

import difflib
import enum
import inspect
import re
import shlex
import types
import typing
from dataclasses import dataclass
from datetime import date, time
from typing import Annotated, Any, Callable, Literal, Union, get_args, get_origin

from .errors import UserError
# the option types, markers and value parsers (bot/option_types.py), importable from here too
from .option_types import (INT_LIMIT, KIND_OF_TYPE, PLACEHOLDER, ChannelRef, Duration, FileUpload,  # noqa: F401
                           Help, Max, MaxLen, MemberRef, Min, MinLen, Timezone, bounded_int, parse_bool,
                           parse_channel_text, parse_member_text)


@dataclass
class OptionSpec:
    name: str
    kind: str  # one of KIND_OF_TYPE's values, or "choice"
    required: bool
    default: Any = None
    help: str = ""
    choices: tuple[str, ...] = ()
    enum_type: type[enum.Enum] | None = None
    min_value: float | None = None
    max_value: float | None = None
    min_length: int | None = None
    max_length: int | None = None

    @property
    def placeholder(self) -> str:
        return "|".join(self.choices) if self.choices else PLACEHOLDER.get(self.kind, "value")

    def usage(self) -> str:
        text = f"{self.name}:<{self.placeholder}>"
        return text if self.required else f"[{text}]"

    def convert(self, raw: Any) -> Any:
        """Turn a raw value (text, or an already-typed platform value) into the handler's type."""
        try:
            value = self._convert(raw)
        except UserError:
            raise
        except (ValueError, TypeError) as error:
            raise UserError(f"{self.name}: {str(error) or 'invalid value'}") from None
        self._check_limits(value)
        return value

    def _convert(self, raw: Any) -> Any:
        kind = self.kind
        if kind == "choice":
            text = str(raw.value if isinstance(raw, enum.Enum) else raw).strip()
            match = next((c for c in self.choices if c.lower() == text.lower()), None)
            if match is None:
                raise ValueError(f'"{text}" is not one of: {", ".join(self.choices)}')
            return self.enum_type(match) if self.enum_type else match
        if kind == "string":  # a NUL fits SQLite but not PostgreSQL text: the database refused it (a 500)
            return str(raw).replace("\0", "").strip()
        if kind == "integer":
            if isinstance(raw, bool):
                raise ValueError("expected a whole number")
            if isinstance(raw, int):
                return raw
            if not re.fullmatch(r"[-+]?\d+", str(raw).strip()):
                raise ValueError(f'"{raw}" is not a whole number')
            return int(str(raw).strip())
        if kind == "number":
            try:
                return float(raw)
            except (TypeError, ValueError):
                raise ValueError(f'"{raw}" is not a number') from None
        if kind == "boolean":
            return parse_bool(raw)
        if kind == "duration":
            return raw if isinstance(raw, Duration) else Duration.parse(str(raw))
        if kind == "date":
            from .when import parse_date

            return raw if isinstance(raw, date) else parse_date(str(raw))
        if kind == "time":
            from .when import parse_time_of_day

            return raw if isinstance(raw, time) else parse_time_of_day(str(raw))
        if kind == "timezone":
            from .when import parse_timezone

            return Timezone(parse_timezone(str(raw)).key)
        if kind == "channel":
            return raw if isinstance(raw, ChannelRef) else parse_channel_text(str(raw))
        if kind == "member":
            return raw if isinstance(raw, MemberRef) else parse_member_text(str(raw))
        if kind == "file":
            if isinstance(raw, FileUpload):
                return raw
            raise ValueError("attach a file (on the console: a path to a local file)")
        raise TypeError(f"unsupported option kind {kind}")

    def _check_limits(self, value: Any) -> None:
        if isinstance(value, str):
            if not value:  # given, but blank (question:"" or only spaces): never what was meant
                raise UserError(f"{self.name}: must not be empty")
            if self.max_length is not None and len(value) > self.max_length:
                raise UserError(f"{self.name}: at most {self.max_length} characters (got {len(value)})")
            if self.min_length is not None and len(value) < self.min_length:
                raise UserError(f"{self.name}: at least {self.min_length} characters")
        if isinstance(value, int) and not isinstance(value, bool) and not -INT_LIMIT <= value <= INT_LIMIT:
            raise UserError(f"{self.name}: {'too large' if value > 0 else 'too small'} — whole numbers here go "
                            f"from {-INT_LIMIT} to {INT_LIMIT}")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if self.min_value is not None and value < self.min_value:
                raise UserError(f"{self.name}: must be at least {_num(self.min_value)} (got {_num(value)})")
            if self.max_value is not None and value > self.max_value:
                raise UserError(f"{self.name}: must be at most {_num(self.max_value)} (got {_num(value)})")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --- deriving specs from a signature -----------------------------------------------------
def options_from_signature(fn: Callable[..., Any], skip: int = 2) -> list[OptionSpec]:
    """Options of a handler ``(self, ctx, ...)``: everything after the first ``skip`` parameters."""
    hints = typing.get_type_hints(fn, include_extras=True)
    params = list(inspect.signature(fn).parameters.values())[skip:]
    specs = []
    for param in params:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        specs.append(_spec_for(param, hints.get(param.name, str)))
    return specs


def _spec_for(param: inspect.Parameter, hint: Any) -> OptionSpec:
    metadata: list[Any] = []
    if get_origin(hint) is Annotated:
        hint, *metadata = get_args(hint)
    optional = False
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        optional = len(args) != len(get_args(hint))
        if len(args) != 1:
            raise TypeError(f"option {param.name}: unions other than Optional are not supported")
        hint = args[0]
        if get_origin(hint) is Annotated:
            hint, *more = get_args(hint)
            metadata.extend(more)
    required = param.default is inspect.Parameter.empty
    spec = OptionSpec(name=param.name, kind="string", required=required,
                      default=None if required else param.default)
    if get_origin(hint) is Literal:
        spec.kind, spec.choices = "choice", tuple(str(a) for a in get_args(hint))
    elif isinstance(hint, type) and issubclass(hint, enum.Enum):
        spec.kind, spec.enum_type = "choice", hint
        spec.choices = tuple(str(m.value) for m in hint)
    elif hint in KIND_OF_TYPE:
        spec.kind = KIND_OF_TYPE[hint]
    else:
        raise TypeError(f"option {param.name}: unsupported type {hint!r}")
    for meta in metadata:
        if isinstance(meta, Help):
            spec.help = meta.text
        elif isinstance(meta, MaxLen):
            spec.max_length = meta.value
        elif isinstance(meta, MinLen):
            spec.min_length = meta.value
        elif isinstance(meta, Min):
            spec.min_value = meta.value
        elif isinstance(meta, Max):
            spec.max_value = meta.value
    if optional and required:
        spec.required = True  # Optional[...] without a default is still required
    return spec


# --- parsing text ------------------------------------------------------------------------
# Longer than any platform lets a person type (Slack's and Discord's limits are a few thousand
# characters); the shell-like split is quadratic, so a 1 MB line would hold the event loop for ~30 s.
MAX_COMMAND_CHARS = 20_000
_SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})


_RAW_WORD = re.compile(r"""(?:[^\s"'\\]|\\.|"(?:\\.|[^"\\])*"|'[^']*')+""", re.S)
_OPTION_WORD = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)\s*[:=](.*)\Z", re.S)


class Word(str):
    """One word of a command line, with how it was typed (``raw``: quotes included)."""

    raw: str = ""

    @property
    def quoted(self) -> bool:
        return any(q in self.raw for q in "\"'")


def split_words(text: str) -> list[Word]:
    """Shell-like split; Slack's smart quotes count as quotes."""
    if len(text) > MAX_COMMAND_CHARS:
        raise UserError(f"that command is {len(text):,} characters long; at most {MAX_COMMAND_CHARS:,} are read")
    text = text.translate(_SMART_QUOTES)
    try:
        words = shlex.split(text)
    except ValueError as error:
        raise UserError(f"could not read the options: {error} (check your quotes)") from None
    raw = _RAW_WORD.findall(text)
    result = []
    for index, value in enumerate(words):
        word = Word(value)
        word.raw = raw[index] if len(raw) == len(words) else value
        result.append(word)
    return result


def _unknown_option(word: str, specs: list[OptionSpec]) -> UserError | None:
    """A name:value word for an option the command does not have, as the error to give."""
    match = _OPTION_WORD.match(word)
    if match is None or not getattr(word, "raw", word).startswith(match.group(1)):
        return None  # "Note: this" in quotes is text, not an option
    names = ", ".join(s.name for s in specs)
    takes = f"this command takes: {names}" if names else "this command takes no options"
    return UserError(f'unknown option "{match.group(1)}" — {takes}')


def bind_text(specs: list[OptionSpec], words: list[str], preset: dict[str, Any] | None = None) -> dict[str, Any]:
    """Bind words to options and convert them. Raises UserError naming what was wrong.

    ``preset``: values that arrived beside the text (uploaded files), already separated.
    """
    by_name = {s.name.lower(): s for s in specs}
    named: dict[str, Any] = {k.lower(): v for k, v in (preset or {}).items()}
    positional: list[str] = []
    for word in words:
        match = _OPTION_WORD.match(word)
        key = match.group(1).lower().replace("-", "_") if match else None
        if match and key in by_name:
            if key in named:
                raise UserError(f"{key} given twice")
            named[key] = match.group(2)
        elif match and (guess := difflib.get_close_matches(key or "", list(by_name), n=1, cutoff=0.75)):
            raise UserError(f'unknown option "{match.group(1)}" — did you mean "{guess[0]}"?')
        else:
            positional.append(word)  # free text may contain colons ("Week 3: recap")
    unfilled = [s for s in specs if s.name.lower() not in named]
    required_unfilled = [s for s in unfilled if s.required]
    positional_targets = required_unfilled + [s for s in unfilled if not s.required]
    # "/prompt post What surprised you this week?", "/help poll create": unquoted free text for
    # the one text option still to fill — the only required one, or the command's only option
    # (quoted words are separate values: "/poll create "Best day?" "Mon; Tue"")
    free = required_unfilled if len(required_unfilled) == 1 else specs if len(specs) == 1 and not named else []
    if (len(free) == 1 and free[0].kind == "string" and len(positional) > 1
            and not any(getattr(w, "quoted", False) for w in positional)):
        positional = [" ".join(positional)]
        positional_targets = free
    if len(positional) > len(positional_targets):
        extra = positional[len(positional_targets)]
        raise _unknown_option(extra, specs) or UserError(f'unexpected "{extra}" — name the option, like name:value')
    for spec, word in zip(positional_targets, positional):
        if spec.kind != "string" and (unknown := _unknown_option(word, specs)):
            raise unknown  # colour:red is not a value for multi
        named[spec.name.lower()] = word
    return bind_values(specs, named)


def bind_values(specs: list[OptionSpec], raw: dict[str, Any]) -> dict[str, Any]:
    """Convert already-separated values (text or platform-typed) into handler arguments."""
    raw = {k.lower(): v for k, v in raw.items()}
    known = {s.name.lower() for s in specs}
    unknown = [k for k in raw if k not in known]
    if unknown:
        raise UserError(f'unknown option "{unknown[0]}"')
    missing = [s.name for s in specs if s.required and raw.get(s.name.lower()) in (None, "")]
    if missing:
        raise UserError(f"missing {', '.join(missing)}")
    values: dict[str, Any] = {}
    for spec in specs:
        if spec.name.lower() in raw and raw[spec.name.lower()] is not None:
            values[spec.name] = spec.convert(raw[spec.name.lower()])
        else:
            values[spec.name] = spec.default
    return values
