"""Cog base class and the decorators that declare what a cog offers.

Decorators only attach metadata; ``Cog.__init_subclass__`` collects it once, at class
creation, and the core registers it. A cog never imports a platform library.
"""

from __future__ import annotations

import inspect
import logging
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable, ClassVar, Sequence

from .access import Access
from .activity import ActivityKind, collect_kinds
from .options import OptionSpec, options_from_signature

if TYPE_CHECKING:
    from .app import BotApp

Handler = Callable[..., Awaitable[Any]]
_META = "__cohort_meta__"


@dataclass
class CommandSpec:
    name: str  # subcommand path within the cog: "create", "bank add"; "" = the cog's root command
    handler: Handler
    access: Access
    help: str
    description: str
    options: list[OptionSpec]
    ephemeral: bool  # default visibility of ctx.reply
    defer: bool  # the handler may be slow: adapters acknowledge first
    cog: "type[Cog] | None" = None

    @property
    def full_name(self) -> str:
        assert self.cog is not None
        return " ".join(p for p in (self.cog.name, self.name) if p)

    def usage(self) -> str:
        return " ".join(["/" + self.full_name, *(o.usage() for o in self.options)])


@dataclass
class ActionSpec:
    name: str
    handler: Handler
    access: Access
    arg_types: list[tuple[str, type]]
    cog: "type[Cog] | None" = None
    owner: str | None = None  # the int argument naming the only member who may press it


@dataclass
class EventSpec:
    event_types: tuple[type, ...]
    handler: Handler


@dataclass
class JobSpec:
    name: str
    handler: Handler
    every: str | None = None
    cron: str | None = None
    exclusive: bool = True  # claim each firing in the database (exactly once across processes)


def _first_doc_line(fn: Callable[..., Any]) -> str:
    doc = inspect.getdoc(fn) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def command(name: str = "", *, access: Access = Access.MEMBER, ephemeral: bool = False,
            defer: bool = False, help: str | None = None) -> Callable[[Handler], Handler]:
    """Declare a (sub)command. Options come from the handler's signature."""

    def decorate(fn: Handler) -> Handler:
        doc = inspect.getdoc(fn) or ""
        spec = CommandSpec(name=name.strip(), handler=fn, access=access, help=help or _first_doc_line(fn),
                           description=doc, options=[], ephemeral=ephemeral, defer=defer)
        setattr(fn, _META, spec)
        return fn

    return decorate


def action(name: str, *, access: Access = Access.MEMBER, owner: str | None = None) -> Callable[[Handler], Handler]:
    """Declare a button/form handler. Its id is ``<cog>:<name>:<arg>...``; args typed by hints.

    ``owner="member_id"`` makes it a personal button: the core lets only the member whose id
    that argument carries press it (a "Cancel" under your own "/privacy forget")."""

    def decorate(fn: Handler) -> Handler:
        setattr(fn, _META, ActionSpec(name=name, handler=fn, access=access, arg_types=[], owner=owner))
        return fn

    return decorate


def on_event(*event_types: type) -> Callable[[Handler], Handler]:
    def decorate(fn: Handler) -> Handler:
        setattr(fn, _META, EventSpec(event_types=event_types, handler=fn))
        return fn

    return decorate


def job(name: str, *, every: str | None = None, cron: str | None = None,
        exclusive: bool = True) -> Callable[[Handler], Handler]:
    """Declare a recurring job (``every="1m"`` or a cron line, in UTC)."""
    if (every is None) == (cron is None):
        raise TypeError("job needs exactly one of every= or cron=")

    def decorate(fn: Handler) -> Handler:
        setattr(fn, _META, JobSpec(name=name, handler=fn, every=every, cron=cron, exclusive=exclusive))
        return fn

    return decorate


class Cog:
    """Base class of every feature. Subclass with ``class Polls(Cog, name="poll")``."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    # one line for /about (default: the first line of the class docstring)
    summary: ClassVar[str] = ""
    # activity kinds this cog publishes (``bot.Activity``), with default points and labels
    activities: ClassVar[Sequence[ActivityKind]] = ()
    activity_kinds: ClassVar[dict[str, ActivityKind]]
    # schedules.yaml keys this cog owns inside a community, with their pydantic types.
    config_sections: ClassVar[dict[str, Any]] = {}
    commands: ClassVar[dict[str, CommandSpec]]
    actions: ClassVar[dict[str, ActionSpec]]
    listeners: ClassVar[list[EventSpec]]
    jobs: ClassVar[list[JobSpec]]

    def __init_subclass__(cls, name: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = name or cls.__dict__.get("name") or cls.__name__.lower()
        cls.description = (inspect.getdoc(cls) or "").strip()
        if not cls.__dict__.get("summary"):
            cls.summary = cls.description.splitlines()[0] if cls.description else ""
        cls.activity_kinds = {}
        for klass in reversed(cls.__mro__):
            if "activities" in vars(klass):
                cls.activity_kinds.update(collect_kinds(vars(klass)["activities"], cls.__name__))
        cls.commands, cls.actions, cls.listeners, cls.jobs = {}, {}, [], []
        for klass in reversed(cls.__mro__):
            for attr in vars(klass).values():
                meta = getattr(attr, _META, None)
                if isinstance(meta, CommandSpec):
                    meta.options = options_from_signature(attr)
                    meta.cog = cls
                    cls.commands[meta.name] = meta
                elif isinstance(meta, ActionSpec):
                    meta.arg_types = _action_args(attr)
                    if meta.owner is not None and (meta.owner, int) not in meta.arg_types:
                        raise TypeError(f"action {meta.name}: owner={meta.owner!r} must name an int argument")
                    meta.cog = cls
                    cls.actions[meta.name] = meta
                elif isinstance(meta, EventSpec):
                    cls.listeners.append(meta)
                elif isinstance(meta, JobSpec):
                    cls.jobs.append(meta)

    def __init__(self, app: "BotApp") -> None:
        self.app = app
        self.db = app.db
        self.log = logging.getLogger(f"cogs.{self.name}")

    # -- lifecycle hooks (override as needed) ---------------------------------------------
    async def cog_load(self) -> None:
        """Called once the database is migrated and before adapters start."""

    async def before_stop(self) -> None:
        """Called first at shutdown, while the platforms are still connected: send what you hold
        back (e.g. the debounced edits of a live message). Then the adapters stop."""

    async def cog_unload(self) -> None:
        """Called last at shutdown, after the platforms disconnected; flush buffers here."""

    async def on_community(self, community: Any, config: Any) -> None:
        """Called once per process for each community: at start for every community the
        database or schedules.yaml knows, and the first time a new server is seen (a server
        matched by the ``"*"`` entry). Register per-community schedules here (idempotently)."""

    def delete_member_data(self, session: Any, community_id: int, member_id: int) -> int:
        """Erase every row this cog holds about a member (privacy "forget") through ``session``
        and return how many rows went. The core calls every loaded cog's hook in ONE
        transaction (then deletes the member row): raise to abort the whole erase — never
        commit here. A cog whose tables reference members must override this (checked at load)."""
        return 0

    def digest_fields(self, session: Any, community_id: int, since: Any, until: Any) -> list[Any]:
        """Lines this cog adds to the instructors' weekly digest (``bot.Field`` items), read through
        ``session`` for the instants ``since`` <= t < ``until`` (aware UTC). Read only; no lines
        when nothing happened. The participation cog posts the digest and calls every loaded cog."""
        return []

    def member_stats_fields(self, session: Any, community_id: int, member_id: int, week_start: Any) -> list[Any]:
        """Lines this cog adds to a member's ``/stats me`` (and ``/stats member``): ``bot.Field``
        items read through ``session`` (read only); ``week_start`` is the aware UTC instant this
        week began in the community (Monday 00:00). The participation cog calls every loaded cog."""
        return []

    async def before_forget(self, community_id: int, member_id: int) -> None:
        """Before the erase transaction: flush what you buffer about the member."""

    async def after_forget(self, community_id: int, member_id: int) -> None:
        """After the erase was committed (e.g. tell the next person on a waitlist)."""

    @classmethod
    def validate_community(cls, community: Any) -> list[tuple[tuple[Any, ...], str]]:
        """Cross-field checks of this cog's YAML sections: ``[(location, message), ...]``."""
        return []

    @classmethod
    def migrations_dir(cls) -> Path | None:
        """Alembic versions owned by this cog: ``<package>/migrations`` next to the module."""
        module = inspect.getmodule(cls)
        if module is None or not getattr(module, "__file__", None):
            return None
        folder = Path(module.__file__).parent / "migrations"
        return folder if folder.is_dir() else None

    # -- helpers --------------------------------------------------------------------------
    async def publish_activity(self, kind: str, *, community_id: int, member_id: int,
                               channel_id: str | None = None, weight: float = 1.0,
                               subject: str | None = None, at: Any = None) -> None:
        """Publish ``bot.Activity`` for one of this cog's declared kinds (``at``: now by the app clock)."""
        from .events import Activity

        if kind not in self.activity_kinds:
            raise ValueError(f"{type(self).__name__} publishes activity {kind!r} but does not declare it "
                             f"in activities (declared: {', '.join(self.activity_kinds) or 'none'})")
        await self.app.publish(Activity(community_id=community_id, member_id=member_id, channel_id=channel_id,
                                        kind=kind, weight=weight, subject=subject,
                                        at=at if at is not None else self.app.clock.now()))

    def action_id(self, action_name: str, *args: Any) -> str:
        """The id a button carries: ``<cog>:<action>:<arg>...`` (≤ 100 characters)."""
        if action_name not in self.actions:
            raise KeyError(f"{self.name} has no action {action_name!r}")
        return ":".join([self.name, action_name, *(str(a) for a in args)])


def _action_args(fn: Handler) -> list[tuple[str, type]]:
    hints = typing.get_type_hints(fn)
    params = list(inspect.signature(fn).parameters.values())[2:]
    out = []
    for p in params:
        hint = hints.get(p.name, str)
        if hint not in (int, str):
            raise TypeError(f"action argument {p.name} must be int or str")
        out.append((p.name, hint))
    return out
