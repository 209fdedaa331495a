"""schedules.yaml: loading, strict validation with FILE:LINE:COL errors, and per-community lookup.

The core owns the community keys every feature shares (id, name, platform, timezone,
instructors, term, channels, grace); each cog declares the sections it owns
(``Cog.config_sections``) and the community model is assembled from the loaded cogs, so
unknown keys are caught strictly without the core knowing any cog by name.
"""

from __future__ import annotations

import difflib
import importlib
import sys
import importlib.util
import pkgutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Iterable, Literal, get_args, get_origin
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, create_model, field_validator

from .cog import Cog
from .errors import ConfigError

CORE_COGS = ["bot.builtin", "bot.privacy_cog", "bot.dashboard"]
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


def __getattr__(name: str) -> Any:
    """Names resolved on first use: BUILTIN_COGS (importing cogs imports bot), and the loaders,
    which live in config_load.py (it imports this module: no load-time cycle)."""
    if name == "BUILTIN_COGS":
        return builtin_cogs()
    if name in ("load_config", "parse_config"):
        from . import config_load

        return getattr(config_load, name)
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


def _id_as_text(value: Any) -> Any:
    """A channel may be given by its numeric id (Discord): kept as text, like a name."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class _ChannelMark:
    """Marks a field holding a channel (name or id), so the core can list the channels a
    community's setup names without knowing the sections (the console creates them)."""


def _some_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty — give a channel name (or id)")
    return value


CHANNEL = _ChannelMark()
ChannelName = Annotated[str, BeforeValidator(_id_as_text), AfterValidator(_some_text), CHANNEL]


def _visible_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty (or only spaces)")
    return value


# Text a member will read (a question, a title): blank would post an empty message.
SomeText = Annotated[str, AfterValidator(_visible_text)]


def _named_channels(annotation: Any, value: Any) -> Iterable[str]:
    if value is None:
        return
    if isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            marked = CHANNEL in field.metadata
            yield from _named_channels(ChannelName if marked else field.annotation, getattr(value, name))
    elif get_origin(annotation) is Annotated:
        base, *marks = get_args(annotation)
        if CHANNEL in marks and isinstance(value, str):
            yield value
        else:
            yield from _named_channels(base, value)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from (n for arg in get_args(annotation) or (Any,) for n in _named_channels(arg, item))
    elif get_args(annotation):  # a union (X | None): whichever member the value is
        for arg in get_args(annotation):
            yield from _named_channels(arg, value)


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
    channels: dict[str, ChannelName] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _some_id(cls, value: str | int) -> str | int:
        if isinstance(value, str) and not value.strip():
            raise ValueError('must not be empty — a server/workspace id, "*" (any other) or "console"')
        return value

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

    def named_channels(self) -> set[str]:
        """Every channel this community's setup names: the ``channels:`` aliases' targets and
        each cog field typed ``ChannelName`` (help channels, where introductions go...)."""
        return {str(v) for v in self.channels.values()} | set(_named_channels(None, self))

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
    _found: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict, repr=False, compare=False)

    def community_for(self, platform: str, server_id: str) -> Any:
        """The config for a server: exact id (and platform), else ``"*"``, else the defaults.
        Remembered per server (asked 3-4 times per request); a changed community list is read again."""
        key = (platform, str(server_id))
        found = self._found.get(key)
        if found is not None and found[0] == len(self.communities):
            return found[1]
        config = self._find(platform, str(server_id))
        if len(self._found) > 10_000:  # many servers on a "*" entry: keep the memo bounded
            self._found.clear()
        self._found[key] = (len(self.communities), config)
        return config

    def _find(self, platform: str, server_id: str) -> Any:
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
        classes.extend(defined_cogs(path))
    return classes, problems


def defined_cogs(path: str) -> list[type[Cog]]:
    """The Cog classes defined in a module or package as imported now (no process-wide list:
    a class a test defined elsewhere, or a module imported twice, is not counted)."""
    found: dict[str, type[Cog]] = {}
    for name, module in sorted(sys.modules.items()):
        if module is None or not (name == path or name.startswith(path + ".")):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, type) and issubclass(value, Cog) and value.__module__ == name:
                found[f"{name}.{value.__qualname__}"] = value
    return list(found.values())


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

