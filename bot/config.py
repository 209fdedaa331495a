"""schedules.yaml: loading, strict validation with FILE:LINE:COL errors, and per-community lookup.

The core owns the community keys every feature shares (id, name, platform, timezone,
instructors, term, channels, grace); each cog declares the sections it owns
(``Cog.config_sections``) and the community model is assembled from the loaded cogs, so
unknown keys are caught strictly without the core knowing any cog by name.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import pkgutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Iterable, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model

from .activity import merge_kinds
from .cog import Cog
from .errors import ConfigError

CORE_COGS = ["bot.builtin", "bot.dashboard"]
# The distribution's cog namespace: every package in it with a setup(app) is a built-in cog,
# loaded when schedules.yaml has no cogs: list. Adding a cog is adding a folder there.
COG_PACKAGE = "cogs"


def builtin_cogs() -> list[str]:
    """Every ``cogs.<name>`` package that has a ``setup`` function, by name."""
    spec = importlib.util.find_spec(COG_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return []
    names = sorted(m.name for m in pkgutil.iter_modules(spec.submodule_search_locations) if m.ispkg)
    return [path for path in (f"{COG_PACKAGE}.{n}" for n in names) if _has_setup(path)]


def __getattr__(name: str) -> Any:  # BUILTIN_COGS: computed on first use (importing cogs imports bot)
    if name == "BUILTIN_COGS":
        return builtin_cogs()
    raise AttributeError(name)


# --- reusable validated field types (cogs use these too) -------------------------------
def _check_tz(value: str) -> str:
    from .when import parse_timezone

    return parse_timezone(value).key


def _check_duration(value: Any) -> str:
    from .when import parse_duration

    parse_duration(str(value))
    return str(value)


def _check_when(value: str) -> str:
    from .when import parse_when

    parse_when(value, ZoneInfo("UTC"))
    return value


def _check_range(value: Any) -> str:
    from .when import parse_date_range

    parse_date_range(str(value))
    return str(value)


TimezoneName = Annotated[str, AfterValidator(_check_tz)]
DurationText = Annotated[str, AfterValidator(_check_duration)]
WhenText = Annotated[str, AfterValidator(_check_when)]
DateRangeText = Annotated[str, AfterValidator(_check_range)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class InstructorsConfig(Strict):
    roles: list[str | int] = Field(default_factory=list)
    users: list[str | int] = Field(default_factory=list)


class TermConfig(Strict):
    start: date | None = None
    end: date | None = None
    breaks: list[DateRangeText] = Field(default_factory=list)

    def break_ranges(self) -> list[tuple[date, date]]:
        from .when import parse_date_range

        return [parse_date_range(b) for b in self.breaks]

    def is_active(self, day: date) -> bool:
        """Inside the term and not on a break."""
        if self.start and day < self.start or self.end and day > self.end:
            return False
        return not any(a <= day <= b for a, b in self.break_ranges())


CORE_KEYS = {"id", "name", "platform", "timezone", "grace", "instructors", "term", "channels"}


class CommunityBase(Strict):
    id: str | int
    name: str | None = None
    platform: Literal["discord", "slack", "console"] | None = None
    timezone: TimezoneName | None = None
    grace: DurationText | None = None
    instructors: InstructorsConfig = Field(default_factory=InstructorsConfig)
    term: TermConfig = Field(default_factory=TermConfig)
    channels: dict[str, str | int] = Field(default_factory=dict)

    @property
    def key(self) -> str:
        return str(self.id)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone or "UTC")

    @property
    def grace_period(self) -> timedelta:
        from .when import parse_duration

        return parse_duration(self.grace or "2h")

    def channel(self, alias: str) -> str:
        """A channel alias from ``channels:`` resolved to the name/id it stands for."""
        return str(self.channels.get(alias, alias))

    def section(self, name: str, default: Any = None) -> Any:
        value = getattr(self, name, None)
        return default if value is None else value


CommunityConfig = CommunityBase  # the assembled model subclasses this


@dataclass
class BotConfig:
    communities: list[Any]  # assembled CommunityConfig instances, in file order
    defaults: Any
    cogs: list[str]
    path: Path | None = None

    def community_for(self, platform: str, server_id: str) -> Any:
        """The config for a server: exact id (and platform), else ``"*"``, else the defaults."""
        wildcard = None
        for c in self.communities:
            if c.key == "*":
                wildcard = wildcard or c
            elif c.key == str(server_id) and (c.platform in (None, platform)):
                return c
        if wildcard is not None:
            return wildcard
        return self.defaults


def resolve_cog_paths(paths: Iterable[str] | None) -> list[str]:
    """The cog modules to load: the configured list, or every built-in cog that exists."""
    if paths is None:
        return builtin_cogs()
    return list(paths)


def _has_setup(path: str) -> bool:
    try:
        return importlib.util.find_spec(path) is not None and hasattr(importlib.import_module(path), "setup")
    except ModuleNotFoundError as error:
        return not (error.name and path.startswith(error.name))  # absent, vs. broken inside
    except Exception:  # a broken built-in cog is reported when it is loaded, not here
        return True


def cog_classes(paths: Iterable[str]) -> tuple[list[type[Cog]], list[tuple[int, str]]]:
    """Import cog modules (without starting them); returns classes and (index, error) pairs."""
    classes: list[type[Cog]] = []
    problems: list[tuple[int, str]] = []
    for index, path in enumerate(paths):
        try:
            module = importlib.import_module(path)
        except ModuleNotFoundError as error:
            if error.name and path.startswith(error.name):
                guess = [g for g in difflib.get_close_matches(path, builtin_cogs(), n=1) if g != path]
                hint = f' — did you mean "{guess[0]}"?' if guess else ""
                problems.append((index, f'unknown cog "{path}"{hint}'))
            else:
                problems.append((index, f'cog "{path}" failed to import: {error}'))
            continue
        except Exception as error:  # a broken cog must not hide the other problems
            problems.append((index, f'cog "{path}" failed to import: {type(error).__name__}: {error}'))
            continue
        if not hasattr(module, "setup"):
            problems.append((index, f'cog "{path}" has no setup(app) function'))
            continue
        classes.extend(c for c in Cog.registry if c.__module__ == path or c.__module__.startswith(path + "."))
    return classes, problems


def build_models(classes: Iterable[type[Cog]]) -> tuple[type[BaseModel], type[BaseModel]]:
    """Assemble the community and defaults models from the core keys and the cogs' sections."""
    sections: dict[str, Any] = {}
    for cls in classes:
        for key, typ in cls.config_sections.items():
            sections[key] = (typ | None, None)
    community = create_model("CommunityConfig", __base__=CommunityBase, **sections)
    defaults = create_model("DefaultsConfig", __base__=CommunityBase,
                            id=(str | int, "*"), **sections)
    return community, defaults


class _Marks:
    """Finds the line/column of a location (key path) in the YAML node tree."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root

    def find(self, loc: tuple[Any, ...], *, key: bool = False) -> tuple[int, int]:
        node = self.root
        last_key_node = None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                found = next(((k, v) for k, v in node.value if k.value == str(part)), None)
                if found is None:
                    break
                last_key_node, node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                last_key_node, node = None, node.value[part]
            else:
                break
        target = last_key_node if key and last_key_node is not None else node
        if target is None:
            return 1, 1
        return target.start_mark.line + 1, target.start_mark.column + 1


def load_config(path: str | Path, *, required: bool = False) -> BotConfig:
    """Load and validate; raise ConfigError listing every problem as FILE:LINE:COL: message."""
    path = Path(path)
    if not path.exists():
        if required:
            raise ConfigError([f"{path}: file not found"])
        return parse_config("", path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"{path}: cannot read: {error}"]) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path | str = "schedules.yaml", *, cogs: list[str] | None = None) -> BotConfig:
    """Parse and validate. ``cogs`` replaces the file's ``cogs:`` list (tests, tools)."""
    path = Path(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError([f"{where}: invalid YAML: {problem}"]) from None
    marks = _Marks(root)
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ConfigError([f"{path}:1:1: expected a mapping with defaults:, communities: and cogs:"])
    problems: list[str] = []

    def report(loc: tuple[Any, ...], message: str, *, key: bool = False) -> None:
        line, col = marks.find(loc, key=key)
        problems.append(f"{path}:{line}:{col}: {message}")

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

    defaults_raw = data.get("defaults") or {}
    defaults = defaults_model()
    if not isinstance(defaults_raw, dict):
        report(("defaults",), "defaults: expected a mapping")
    else:
        try:
            defaults = defaults_model.model_validate(defaults_raw, context=context)
        except ValidationError as error:
            _report_validation(error, ("defaults",), defaults_model, report)

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
        merged = {**_explicit(defaults), **raw}
        try:
            community = community_model.model_validate(merged, context=context)
        except ValidationError as error:
            _report_validation(error, loc, community_model, report)
            continue
        ident = (community.key, community.platform)
        if ident in seen:
            report(loc + ("id",), f'duplicate community id "{community.key}" (also at communities[{seen[ident]}])')
        seen[ident] = index
        if community.key == "*" and community.platform is not None:
            report(loc + ("platform",), 'omit platform for the "*" community (it matches any server)')
        for cls in classes:
            for sub_loc, message in cls.validate_community(community):
                report(loc + tuple(sub_loc), message)
        communities.append(community)
    if problems:
        raise ConfigError(problems)
    return BotConfig(communities=communities, defaults=defaults, cogs=cog_paths, path=path)


def _explicit(model: BaseModel) -> dict[str, Any]:
    """The defaults' keys that were actually written (so they don't clobber nothing)."""
    return {k: getattr(model, k) for k in model.model_fields_set if k != "id"}


def _unknown_key(key: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    guess = difflib.get_close_matches(key, allowed, n=1)
    hint = f' — did you mean "{guess[0]}"?' if guess else f" (expected one of: {', '.join(allowed)})"
    return f'unknown key "{key}"{hint}'


def _report_validation(error: ValidationError, base: tuple[Any, ...], model: type[BaseModel], report: Any) -> None:
    for item in error.errors(include_url=False):
        loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and ("[" in p or p in {"function-after", "str", "int"})))
        if item["type"] == "extra_forbidden":
            # The unknown key is always last, and kept even if it looks like a tag ("[" is a valid key).
            key = item["loc"][-1]
            parent_loc = loc[:-1] if loc and loc[-1] == key else loc
            parent = _model_at(model, parent_loc)
            allowed = list(parent.model_fields) if parent else []
            report(base + parent_loc + (key,), _unknown_key(str(key), allowed), key=True)
            continue
        message = item["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        name = ".".join(str(p) for p in loc) or "value"
        if item["type"] == "missing":
            report(base + loc[:-1], f"{name}: required")
        else:
            report(base + loc, f"{name}: {message}")


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
