"""BotApp: lifecycle, the cog registry, dispatch and permission checks.

Adapters call ``handle_command_text`` / ``handle_command`` / ``handle_action`` (bot/requests.py) /
``handle_event``; cogs call ``post`` / ``edit`` / ``dm`` / ``publish``. The app imports no
cog and no adapter by name: both are loaded from dotted paths in configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from datetime import timedelta
from typing import Any, Iterable

from .access import Access
from .activity import ActivityKind, merge_kinds
from .privacy import Privacy, check_erase_hook
from .requests import RequestHandling
from .ports import Adapter, MessageRef
from .clock import Clock
from .cog import Cog
from .config import CORE_COGS, BotConfig
from .commandtree import CommandTree
from .content import Content
from .context import EventContext, JobContext
from .directory import Directory
from .dispatch import ErrorReporter
from .edge import bounded_origin
from .errors import ConfigError, NotFound, UserError
from .events import Event, Origin
from .inbox import Inbox
from .sealing import deployment_key
from .intake import EventIntake
from sqlmodel import select

from .models import Community, Member
from .options import ChannelRef, MemberRef
from .scheduler import EveryTrigger, Scheduler
from .storage import Database
from .web import WebServer
from .wording import shorten_quoted

log = logging.getLogger(__name__)


class BotApp(RequestHandling):
    def __init__(self, *, config: BotConfig, db: Database, clock: Clock | None = None,
                 settings: Any = None) -> None:
        self.config = config
        self.db = db
        self.clock = clock or Clock()
        self.settings = settings
        self.scheduler = Scheduler(db, self.clock)
        self.scheduler.owner_check = self.serves
        self.directory = Directory(db)
        self.privacy = Privacy(self)
        self.cogs: dict[str, Cog] = {}
        self.tree = CommandTree()
        self.adapters: dict[str, Adapter] = {}
        self.load_errors: dict[str, str] = {}
        self.errors = ErrorReporter()
        self._listeners: list[tuple[tuple[type, ...], Any, Cog]] = []
        self._introduced: set[int] = set()  # communities whose cogs ran on_community in this process
        # The bot's HTTP server (healthz, Slack events, cog routes). Started when the process
        # has settings (``python -m bot run``) or someone requires it; test harnesses opt in.
        self.web = WebServer(getattr(settings, "host", "127.0.0.1"), int(getattr(settings, "port", 0) or 0),
                             enabled=settings is not None)
        self.web.public_base = getattr(settings, "public_url", None)
        self.web.add_health(lambda: {"adapters": sorted(self.adapters)})
        self.intake = EventIntake(self)
        # requests stored before they are acknowledged (bot/inbox.py), sealed under the deployment's key
        self.inbox = Inbox(db, self.clock, key=lambda: deployment_key(self.settings, db.sqlite_file))
        self._web_later: asyncio.Task[None] | None = None
        self.started = False

    # -- cogs -----------------------------------------------------------------------------
    def load_cogs(self, paths: Iterable[str] | None = None) -> None:
        """Load each cog module's ``setup(app)``; one that fails is reported and skipped."""
        for path in [*CORE_COGS, *(self.config.cogs if paths is None else paths)]:
            before = set(self.cogs)
            try:
                module = importlib.import_module(path)
                module.setup(self)
            except Exception as error:
                for name in set(self.cogs) - before:  # atomic: nothing half-registered
                    self.remove_cog(name)
                self.load_errors[path] = f"{type(error).__name__}: {error}"
                log.error("cog %s failed to load and was skipped: %s", path, self.load_errors[path],
                          exc_info=not isinstance(error, (ImportError, AttributeError)))

    def add_cog(self, cog: Cog) -> None:
        if cog.name in self.cogs:
            raise ValueError(f"a cog named {cog.name!r} is already loaded")
        merge_kinds({**{n: c.activity_kinds for n, c in self.cogs.items()}, cog.name: cog.activity_kinds})
        check_erase_hook(cog)
        self.cogs[cog.name] = cog
        self.tree.add(cog)
        for spec in cog.listeners:
            self._listeners.append((spec.event_types, spec.handler.__get__(cog), cog))

    def remove_cog(self, name: str) -> None:
        cog = self.cogs.pop(name, None)
        if cog is None:
            return
        self.tree.remove(cog)
        self._listeners = [entry for entry in self._listeners if entry[2] is not cog]
        self.scheduler.remove_prefix(f"{name}:")

    def get_cog(self, name: str) -> Cog | None:
        return self.cogs.get(name)

    @property
    def activity_kinds(self) -> dict[str, ActivityKind]:
        """Every activity kind the loaded cogs declare, by name (see ``bot.ActivityKind``)."""
        return merge_kinds({name: cog.activity_kinds for name, cog in self.cogs.items()})

    def migration_dirs(self) -> list[Any]:
        from .storage import CORE_MIGRATIONS

        dirs = (type(c).migrations_dir() for c in self.cogs.values())
        return list(dict.fromkeys(d for d in dirs if d is not None and d != CORE_MIGRATIONS))

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self, adapters: Iterable[Adapter] = ()) -> None:
        await self.db.call(self.db.upgrade, self.migration_dirs())
        await self.privacy.load()
        for name, cog in list(self.cogs.items()):
            try:
                await cog.cog_load()
            except Exception as error:
                log.exception("cog %s failed to start and was unloaded", name)
                self.load_errors[name] = f"{type(error).__name__}: {error}"
                self.remove_cog(name)
                continue
            for spec in cog.jobs:
                self._register_job(cog, spec)
        await self._introduce_known_communities()
        for adapter in adapters:
            self.adapters[adapter.platform] = adapter
            await adapter.start()
        if self.web.after_start is not None and not self.web.required_by:
            self._web_later = asyncio.get_running_loop().create_task(self._start_web_later(self.web.after_start))
        else:
            await self._start_web()  # after the adapters: they add their routes while starting
        await self.inbox.sweep(self.adapters)  # what a crashed process accepted and left (bot/inbox.py)
        self.scheduler.every("core:inbox", timedelta(minutes=1), lambda: self.inbox.sweep(self.adapters))
        # after the adapters: a catch-up firing at start posts, so a platform must be there
        await self.scheduler.start()
        self.started = True

    async def stop(self) -> None:
        for name, cog in list(self.cogs.items()):  # while the platforms can still take edits
            try:
                await cog.before_stop()
            except Exception:
                log.exception("cog %s failed to send what it held back at shutdown", name)
        for adapter in list(self.adapters.values()):
            try:
                await adapter.stop()
            except Exception:
                log.exception("adapter %s failed to stop cleanly", adapter.platform)
        await self.inbox.stop()
        await self.intake.stop()  # events waiting for the database reach the cogs before they unload
        if self._web_later is not None:
            self._web_later.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._web_later
        await self.web.stop()
        await self.scheduler.stop()
        for name, cog in list(self.cogs.items()):
            try:
                await cog.cog_unload()
            except Exception:
                log.exception("cog %s failed to unload cleanly", name)
        self.started = False

    async def _start_web_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        await self._start_web()

    async def _start_web(self) -> None:
        if not self.web.enabled or self.web.running:
            return
        for cog in self.cogs.values():
            self.web.add_routes_of(cog)
        try:
            await self.web.start()
        except OSError as error:
            problem = f"cannot listen on {self.web.host}:{self.web.port}: {error.strerror or error}"
            if self.web.required_by:
                raise ConfigError([f"{problem} (needed for {', '.join(self.web.required_by)})"]) from None
            log.warning("%s — the HTTP server is off (calendar feeds, /healthz); chat works", problem)
            return
        log.info("HTTP on %s:%s (%s)", self.web.host, self.web.port,
                 ", ".join(f"{m} {p}" for m, p in self.web.paths()))

    def _register_job(self, cog: Cog, spec: Any) -> None:
        from .when import parse_duration, parse_when

        trigger = EveryTrigger(parse_duration(spec.every)) if spec.every else parse_when(spec.cron, _utc())
        handler = spec.handler.__get__(cog)

        async def run(due: Any) -> None:
            await handler(JobContext(app=self, due_at=due))

        grace = parse_duration(spec.every) if spec.every else parse_duration("1h")
        # since = one grace ago: a job missed while the bot was down runs once at start
        self.scheduler.add(f"{cog.name}:job:{spec.name}", trigger, run, grace=grace,
                           since=self.clock.now() - grace, exclusive=spec.exclusive)

    def serves(self, platform: str, server_id: str) -> bool:
        """Whether this process has the adapter for that server (and, on Discord, its shard)."""
        adapter = self.adapters.get(platform)
        return adapter is not None and adapter.serves(str(server_id))

    async def _introduce_known_communities(self) -> None:
        for cfg in self.config.communities:  # listed with a concrete server: make sure it exists
            if cfg.key != "*" and cfg.platform:
                await self.directory.community(cfg.platform, cfg.key, name=cfg.name, timezone=cfg.timezone or "UTC")
        for community in await self.db.read(lambda s: list(s.exec(select(Community)).all())):
            await self._introduce(community)

    async def _introduce(self, community: Community) -> None:
        """Run every cog's ``on_community`` once per process for this community."""
        assert community.id is not None
        if community.id in self._introduced:
            return
        self._introduced.add(community.id)
        cfg = self.community_config(community.platform, community.external_id)
        for name, cog in list(self.cogs.items()):
            try:
                await cog.on_community(community, cfg)
            except Exception:
                log.exception("cog %s failed to set up community %s", name, community.external_id)

    # -- who and where --------------------------------------------------------------------
    def community_config(self, platform: str, server_id: str) -> Any:
        return self.config.community_for(platform, server_id)

    async def community_for(self, origin: Origin) -> Community:
        cfg = self.community_config(origin.platform, origin.server_id)
        name = origin.server_name or (cfg.name if cfg.key == str(origin.server_id) else None)
        community = await self.directory.community(origin.platform, origin.server_id, name=name,
                                                   timezone=cfg.timezone or "UTC")
        if community.id not in self._introduced:  # a server seen for the first time ("*" entry)
            await self._introduce(community)
        return community

    async def server_seen(self, platform: str, server_id: str, name: str | None = None) -> None:
        """Traffic from a server that carries no event for the cogs (a bot's message, a server
        joined, an event type the bot ignores): still its first sight, so its schedules start."""
        origin = bounded_origin(Origin(platform=platform, server_id=str(server_id), user_id="", server_name=name))
        if origin is None:
            return
        try:
            await self.community_for(origin)
        except Exception:  # the database is away: the next event from this server tries again
            log.warning("could not set up %s server %s yet", platform, origin.server_id)

    async def member_for(self, community: Community, origin: Origin) -> Member:
        member = await self.directory.member(community, origin.user_id, name=origin.user_name)
        return await self.privacy.screen(member)

    def access_for(self, origin: Origin, platform_access: Access) -> Access:
        """Platform access (roles, admin) raised by user ids listed under ``instructors.users``."""
        cfg = self.community_config(origin.platform, origin.server_id)
        if str(origin.user_id) in {str(u) for u in cfg.instructors.users}:
            return max(platform_access, Access.INSTRUCTOR)
        return platform_access

    async def resolve_channel(self, community: Community, ref: str | ChannelRef) -> ChannelRef:
        cfg = self.community_config(community.platform, community.external_id)
        text = ref.id if isinstance(ref, ChannelRef) else str(ref)
        target = cfg.channel(text.lstrip("#"))
        adapter = self._adapter(community.platform)
        found = await adapter.resolve_channel(community.external_id, target)
        if found is None:
            raise UserError(f'unknown channel "{text}" — use a channel name like #general'
                            + (f' (alias for "{target}")' if target != text.lstrip("#") else ""))
        if found.name in ("", found.id) and isinstance(ref, ChannelRef) and ref.name not in ("", ref.id):
            found = ChannelRef(found.id, ref.name)  # a Slack <#C123|name> mention carries the name
        return found

    async def can_post(self, community: Community, channel: ChannelRef, member: Member) -> bool:
        """Whether the member may post in that channel themselves, by the platform's rules."""
        return await self._adapter(community.platform).can_post(community.external_id, channel.id,
                                                                member.external_id)

    async def resolve_member(self, community: Community, ref: MemberRef | str | Member) -> Member:
        if isinstance(ref, Member):
            return ref
        text = ref.external_id if isinstance(ref, MemberRef) else str(ref).lstrip("@")
        member = await self.directory.find_member(community, text)
        if member is None and isinstance(ref, MemberRef):
            # picked from the platform's member list (or mentioned) before the bot saw them do anything
            found = await self._adapter(community.platform).member_info(community.external_id, ref.external_id)
            if found is not None:
                name, is_bot = found
                if is_bot:
                    raise UserError(f"{name} is a bot — name a person")
                member = await self.directory.member(community, ref.external_id, name=name)
        if member is None:
            named = ref.name if isinstance(ref, MemberRef) and ref.name else text
            raise NotFound(shorten_quoted(f'I don\'t know a member "{named}" in this community yet'))
        return member

    # -- outgoing -------------------------------------------------------------------------
    def _adapter(self, platform: str) -> Adapter:
        adapter = self.adapters.get(platform)
        if adapter is None:
            raise RuntimeError(f"no {platform} adapter is running")
        return adapter

    async def post(self, community: Community, channel: str | ChannelRef, content: Content | str, *,
                   thread_id: str | None = None) -> MessageRef:
        target = await self.resolve_channel(community, channel)
        return await self._adapter(community.platform).send(community.external_id, target.id,
                                                            Content.of(content), thread_id=thread_id)

    async def edit(self, ref: MessageRef, content: Content | str) -> None:
        await self._adapter(ref.platform).edit(ref, Content.of(content))

    async def dm(self, community: Community, member: Member, content: Content | str) -> MessageRef | None:
        return await self._adapter(community.platform).dm(community.external_id, member.external_id,
                                                          Content.of(content))

    def message_link(self, community: Community, channel_id: str, message_id: str) -> str:
        """A link that opens a message (Discord/Slack permalinks; the console names it)."""
        return self._adapter(community.platform).message_link(community.external_id, channel_id, message_id)

    async def start_thread(self, ref: MessageRef, name: str) -> str:
        return await self._adapter(ref.platform).start_thread(ref, name[:100])

    async def open_group(self, community: Community, members: list[Member], name: str,
                         content: Content | str) -> MessageRef:
        return await self._adapter(community.platform).open_group(
            community.external_id, [m.external_id for m in members], name[:100], Content.of(content))

    async def create_native_event(self, community: Community, event: Any) -> str | None:
        """The platform's own scheduled event (Discord), if it has them and the bot may: its id."""
        return await self._adapter(community.platform).create_native_event(community.external_id, event)

    async def cancel_native_event(self, community: Community, native_id: str) -> None:
        await self._adapter(community.platform).cancel_native_event(community.external_id, native_id)

    # -- inbound and internal events ------------------------------------------------------
    async def handle_event(self, origin: Origin, event: Event) -> None:
        """A platform event: checked, resolved to community and member, dispatched (bot/intake.py)."""
        await self.intake.handle(origin, event)

    def refuse_event(self, platform: str, what: str) -> None:
        """An adapter found a platform event with an unusable field: counted, logged once a minute."""
        self.intake.refuse(platform, what)

    @property
    def refused_events(self) -> int:
        return self.intake.refused

    async def publish(self, event: Event) -> None:
        """A cog's own event (vote, prompt response...) for other cogs to consume."""
        community = await self.db.read(lambda s: s.get(Community, event.community_id))
        member = await self.db.read(lambda s: s.get(Member, event.member_id)) if event.member_id else None
        if community is None:
            log.warning("event for unknown community %s dropped", event.community_id)
            return
        await self._dispatch(event, community, member)

    async def _dispatch(self, event: Event, community: Community, member: Member | None) -> None:
        cfg = self.community_config(community.platform, community.external_id)
        for types, handler, cog in list(self._listeners):
            if isinstance(event, types):
                ctx = EventContext(app=self, community=community, config=cfg, member=member)
                try:
                    await handler(ctx, event)
                except Exception:
                    # one cog's failure never takes down another
                    log.exception("cog %s failed handling %s", cog.name, type(event).__name__)


def _utc() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("UTC")
