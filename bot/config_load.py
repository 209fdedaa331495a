"""Loading schedules.yaml: every problem reported once, at its own line, in plain words.

A community is ``defaults:`` with the community's own keys on top (a key replaces the same key
of the defaults as a whole). A problem in a key a community inherits is reported at the line
in ``defaults:`` (once, however many communities inherit it); a problem in the community's own
key at that key's line. One bad entry does not hide the others: the entry is set aside and the
rest of the community is still checked (duplicate ids, unknown banks, the term's dates...).
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import BaseModel, ValidationError

from .activity import merge_kinds
from .config import BotConfig, build_models, cog_classes, resolve_cog_paths
from .config_yaml import Marks, compose
from .errors import ConfigError
from .plain_errors import describe, group_by_location

Loc = tuple[Any, ...]
_ENTRY = re.compile(r"\b(?:at )?([a-z_]+)\[(\d+)\]")
_UNION_TAGS = {"str", "int", "bool", "float", "function-after", "none"}


def load_config(path: str | Path, *, required: bool = False) -> BotConfig:
    """Load and validate; raise ConfigError listing every problem as FILE:LINE:COL: message."""
    path = Path(path)
    if not path.exists():
        if required:
            raise ConfigError([f"{path}: file not found"])
        return parse_config("", path)
    if path.is_dir():
        raise ConfigError([f"{path}: is a folder, not a schedules.yaml file"])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: is not a text file (UTF-8)"]) from None
    except OSError as error:
        raise ConfigError([f"{path}: cannot read: {error.strerror or error}"]) from None
    return parse_config(text, path)


class _Report:
    """Collects problems, each once; listed in file order as FILE:LINE:COL: message."""

    def __init__(self, path: Path, marks: Marks) -> None:
        self.path, self.marks = path, marks
        self.found: dict[tuple[int, int, str], None] = {}

    def __call__(self, loc: Loc, message: str, *, key: bool = False) -> None:
        self.add(*self.marks.find(loc, key=key), message)

    def add(self, line: int, col: int, message: str) -> None:
        self.found.setdefault((line, col, message))

    def lines_for_entries(self, message: str, place: _Placement) -> str:
        """"(also polls[2])" -> "(also at line 14)": an entry named by its line, as everywhere else."""
        def line(match: re.Match[str]) -> str:
            return f"at line {self.marks.find(place((match.group(1), int(match.group(2)))))[0]}"
        return _ENTRY.sub(line, message)

    @property
    def problems(self) -> list[str]:
        return [f"{self.path}:{line}:{col}: {message}" for line, col, message in sorted(self.found)]


class _Placement:
    """Where a location inside one community is written: its own key, or the inherited one in
    ``defaults:``; list indexes are mapped back past entries set aside as invalid."""

    def __init__(self, base: Loc, inherited: Iterable[str] = ()) -> None:
        self.base, self.inherited = base, set(inherited)
        self.kept: dict[str, list[int]] = {}  # section -> original index of each kept entry
        # (section, original index) of each entry set aside -> its bad keys (None: bad as a whole)
        self.set_aside: dict[tuple[str, int], set[str] | None] = {}
        self.data: dict[str, Any] = {}  # what validated, once it did

    def __call__(self, loc: Loc) -> Loc:
        loc = tuple(loc)
        if len(loc) >= 2 and loc[0] in self.kept and isinstance(loc[1], int) and loc[1] < len(self.kept[loc[0]]):
            loc = (loc[0], self.kept[loc[0]][loc[1]]) + loc[2:]
        return (("defaults",) if loc and loc[0] in self.inherited else self.base) + loc


def parse_config(text: str, path: Path | str = "schedules.yaml", *, cogs: list[str] | None = None) -> BotConfig:
    """Parse and validate. ``cogs`` replaces the file's ``cogs:`` list (tests, tools)."""
    path = Path(path)
    root, data, duplicates = compose(text, path)
    report = _Report(path, Marks(root))
    for line, col, message in duplicates:
        report.add(line, col, message)
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ConfigError([f"{path}:1:1: expected a mapping with defaults:, communities: and cogs:"])

    top_allowed = ["defaults", "communities", "cogs"]
    for k in data:
        if k not in top_allowed:
            report((k,), _unknown_key(str(k), top_allowed), key=True)

    raw_cogs = data.get("cogs") if cogs is None else list(cogs)
    if raw_cogs is not None and not (isinstance(raw_cogs, list) and all(isinstance(c, str) for c in raw_cogs)):
        report(("cogs",), "cogs: expected a list of module paths, like [cogs.polls, cogs.prompts]")
        raw_cogs = None
    cog_paths = resolve_cog_paths(raw_cogs)
    classes, cog_problems = cog_classes(cog_paths)
    for index, message in cog_problems:
        report(("cogs", index), message)
    community_model, defaults_model = build_models(classes)
    # what cog validators may check names against (pydantic's validation context)
    try:
        context = {"activity_kinds": list(merge_kinds({c.__qualname__: c.activity_kinds for c in classes}))}
    except ValueError as error:  # two cogs declare one kind
        report(("cogs",), str(error))
        context = {"activity_kinds": [k for c in classes for k in c.activity_kinds]}

    def cross_checks(community: Any, place: _Placement) -> None:
        found = core_checks(community) + [p for cls in classes for p in cls.validate_community(community)]
        for sub_loc, message in found:
            report(place(tuple(sub_loc)), report.lines_for_entries(message, place))

    def second_look(model: type[BaseModel], place: _Placement, raw: dict[str, Any], section: str, orig: int,
                    dropped: set[str]) -> None:
        """An entry set aside for a bad key still gets its cross-field checks (duplicate ids, ranges
        against the term...) in this run, validated once more without that key; what would only
        follow from the key being absent (a problem at the entry itself, at that key, or naming it)
        is not reported. An entry whose bad key is required waits for the next run."""
        entries = raw.get(section)
        if not isinstance(entries, list) or not isinstance(entries[orig], dict):
            return
        probe = _Placement(place.base, place.inherited)
        probe.kept = {**place.kept, section: sorted([*place.kept.get(section, []), orig])}
        data = {**place.data, section: [entries[i] if i != orig else
                                        {k: v for k, v in entries[i].items() if k not in dropped}
                                        for i in probe.kept[section]]}
        try:
            community = model.model_validate(data, context=context)
        except ValidationError:
            return
        checks = core_checks(community) + [p for cls in classes for p in cls.validate_community(community)]
        for sub_loc, message in checks:
            at = tuple(sub_loc)
            mine = len(at) >= 2 and at[0] == section and at[1] == probe.kept[section].index(orig)
            if mine and (len(at) < 3 or at[2] in dropped or any(k in message for k in dropped)):
                continue
            report(probe(tuple(sub_loc)), report.lines_for_entries(message, probe))

    defaults_raw = data.get("defaults") or {}
    if not isinstance(defaults_raw, dict):
        report(("defaults",), "defaults: expected key: value lines (a mapping)")
        defaults_raw = {}
    defaults_place = _Placement(("defaults",))
    defaults = _validate(defaults_model, defaults_raw, defaults_place, report, context) or defaults_model()

    communities = []
    raw_list = data.get("communities") or []
    if not isinstance(raw_list, list):
        report(("communities",), "communities: expected a list of communities (- id: ...)")
        raw_list = []
    seen: dict[tuple[str, str | None], int] = {}
    for index, raw in enumerate(raw_list):
        loc = ("communities", index)
        if not isinstance(raw, dict):
            report(loc, "each community is a mapping with at least an id")
            continue
        place = _Placement(loc, inherited=set(defaults_raw) - set(raw))
        community = _validate(community_model, {**defaults_raw, **raw}, place, report, context)
        if community is None:
            continue
        ident = (community.key, community.platform)
        if ident in seen:
            line, _ = report.marks.find(("communities", seen[ident]))
            report(loc + ("id",), f'duplicate community id "{community.key}" (also at line {line})')
        seen[ident] = index
        if community.key == "*" and community.platform is not None:
            report(loc + ("platform",), 'omit platform for the "*" community (it matches any server)')
        cross_checks(community, place)
        for (section, orig), keys in place.set_aside.items():  # checked too, without their bad keys
            if keys:
                second_look(community_model, place, {**defaults_raw, **raw}, section, orig, keys)
        communities.append(community)
    if not any(c.key == "*" for c in communities):  # the defaults are what unlisted servers get
        cross_checks(defaults, defaults_place)
    if report.problems:
        raise ConfigError(report.problems)
    return BotConfig(communities=communities, defaults=defaults, cogs=cog_paths, path=path)


def _validate(model: type[BaseModel], data: dict[str, Any], place: _Placement,
              report: Callable[..., None], context: dict[str, Any]) -> Any:
    """Validate, reporting every problem; a bad entry (or key) is set aside and the rest
    validated again, so the cross-field checks still see everything else. None if the
    community cannot be built at all (no id)."""
    data = dict(data)
    for _ in range(len(data) + 50):
        try:
            place.data = data
            return model.model_validate(data, context=context)
        except ValidationError as error:
            bad_entries: dict[str, set[int]] = {}
            for loc, items in group_by_location(error.errors(include_url=False), _clean_loc).items():
                _report_items(model, loc, items, place, report)
                if not loc or loc[0] == "id":
                    return None
                if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data.get(loc[0]), list):
                    bad_entries.setdefault(loc[0], set()).add(loc[1])
                    orig = place.kept.get(loc[0], list(range(len(data[loc[0]]))))[loc[1]]
                    keys = place.set_aside.setdefault((loc[0], orig), set())
                    if keys is not None and len(loc) >= 3 and isinstance(loc[2], str) and \
                            not any(i["type"] == "missing" for i in items):
                        keys.add(loc[2])
                    else:
                        place.set_aside[loc[0], orig] = None
                else:
                    data.pop(loc[0], None)
            for key, indexes in bad_entries.items():
                kept = place.kept.get(key, list(range(len(data[key]))))
                place.kept[key] = [orig for i, orig in enumerate(kept) if i not in indexes]
                data[key] = [entry for i, entry in enumerate(data[key]) if i not in indexes]
    return None


def _clean_loc(loc: Iterable[Any]) -> Loc:
    """Pydantic's location without the tags it adds for union members (``str``, ``int``...)."""
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in _UNION_TAGS)))


def _report_items(model: type[BaseModel], loc: Loc, items: list[dict[str, Any]], place: _Placement,
                  report: Callable[..., None]) -> None:
    extra = [i for i in items if i["type"] == "extra_forbidden"]
    for item in extra:
        # The unknown key is always last, and kept even if it looks like a tag ("[" is a valid key).
        key = item["loc"][-1]
        parent_loc = loc[:-1] if loc and loc[-1] == key else loc
        parent = _model_at(model, parent_loc)
        allowed = list(parent.model_fields) if parent else []
        report(place(parent_loc + (key,)), _unknown_key(str(key), allowed), key=True)
    items = [i for i in items if i["type"] != "extra_forbidden"]
    if not items:
        return
    if items[0]["type"] == "missing":
        report(place(loc[:-1]), f"{_name(loc)}: required")
    else:
        report(place(loc), f"{_name(loc)}: {describe(items)}")


def _name(loc: Loc) -> str:
    """The key a problem is about, as written in the file (the line number says which entry):
    ``polls.1.scale`` -> ``scale``, ``term.start`` stays, ``instructors.roles.0`` -> ``roles``."""
    parts = list(loc)
    while parts and isinstance(parts[-1], int):
        parts.pop()
    last_index = max((i for i, p in enumerate(parts) if isinstance(p, int)), default=-1)
    return ".".join(str(p) for p in parts[last_index + 1:]) or "value"


# --- checks the core owns: the term ---------------------------------------------------
def core_checks(community: Any) -> list[tuple[Loc, str]]:
    """The term's own dates, and every schedule's start/end/skip against the term."""
    term = community.term
    problems: list[tuple[Loc, str]] = []
    start, end = term.start, term.end
    if start and end and end < start:
        problems.append((("term", "end"), f"the term ends ({end}) before it starts ({start}) — "
                                          "nothing would ever be posted"))
        return problems
    span = f"{start or '…'} to {end or '…'}"

    def outside(day: date) -> bool:
        return bool(start and day < start or end and day > end)

    for index, (first, last) in enumerate(term.break_ranges()):
        if outside(first) or outside(last):
            problems.append((("term", "breaks", index), f"the break {first}..{last} is not inside the term ({span})"))
    if not (start or end):
        return problems
    for section, entries in _schedule_sections(community):
        for index, entry in enumerate(entries):
            what = f'{section[:-1] if section.endswith("s") else section} "{getattr(entry, "id", index + 1)}"'
            for key in ("start", "end"):
                day = getattr(entry, key, None)
                if isinstance(day, date) and outside(day):
                    problems.append(((section, index, key), f"{what} {key}s on {day}, outside the term ({span}) — "
                                                            "nothing is posted outside the term"))
            for n, skipped in enumerate(getattr(entry, "skip", None) or []):
                first, last = _range(skipped)
                if start and last < start or end and first > end:
                    problems.append(((section, index, "skip", n), f"{what} skips {skipped}, which is outside the "
                                                                 f"term ({span}) — check the year"))
    return problems


def _schedule_sections(community: Any) -> list[tuple[str, list[Any]]]:
    """The cogs' list sections whose entries are schedules (they have a ``when``)."""
    out = []
    for name in type(community).model_fields:
        value = getattr(community, name, None)
        if isinstance(value, list) and value and all(isinstance(v, BaseModel) and hasattr(v, "when") for v in value):
            out.append((name, value))
    return out


def _range(text: str) -> tuple[date, date]:
    from .when import parse_date_range

    return parse_date_range(str(text))


# --- did-you-mean for unknown keys -----------------------------------------------------
def _unknown_key(key: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    guess = difflib.get_close_matches(key, allowed, n=1)
    hint = f' — did you mean "{guess[0]}"?' if guess else f" (expected one of: {', '.join(allowed)})"
    return f'unknown key "{key}"{hint}'


def _model_at(model: Any, loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model describing the mapping at ``loc`` (for did-you-mean suggestions)."""
    from typing import get_args, get_origin

    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif get_origin(current) in (list, tuple, set) and isinstance(part, int):
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    import types
    from typing import Annotated as _A, Union, get_args, get_origin

    while True:
        origin = get_origin(tp)
        if origin is _A:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            tp = models[0] if models else args[0]
        else:
            return tp
