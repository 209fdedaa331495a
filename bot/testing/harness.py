"""The Harness: a BotApp on a throwaway database with a memory adapter and a fake clock."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

from sqlmodel import Session, select

from ..access import Access
from ..ports import MessageRef
from ..adapters.memory import MemoryAdapter, MemoryResponder, Posted, Reply
from ..app import BotApp
from ..clock import FakeClock
from ..config import parse_config
from ..content import Button
from ..models import Member
from ..options import FileUpload
from ..storage import Database

_TEMPLATES: dict[tuple[str, ...], Path] = {}
_TEMPLATE_DIR: Path | None = None


class Result:
    """What one command or click produced."""

    def __init__(self, responder: MemoryResponder) -> None:
        self.responder = responder
        self.replies = responder.replies
        self.forms = responder.forms

    @property
    def reply(self) -> Any:
        if not self.replies:
            raise AssertionError("no reply was sent")
        return self.replies[-1]

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    @property
    def ephemeral(self) -> bool:
        return self.reply.ephemeral

    @property
    def deferred(self) -> bool:
        """The core acknowledged before the handler ran (``@command(defer=True)``)."""
        return self.responder.deferred

    @property
    def error(self) -> bool:
        """True when the bot answered with an error (ephemeral ⚠️ or a failure reference)."""
        return any(r.ephemeral and (r.text.startswith("⚠️") or "Something went wrong" in r.text
                                    or "temporarily unavailable" in r.text) for r in self.replies)

    def __repr__(self) -> str:
        return f"Result({self.text!r})"


def _role(role: str | Access) -> Access:
    return role if isinstance(role, Access) else Access.parse(role)


class Harness:
    def __init__(self, *, yaml: str = "", cogs: Iterable[str] | None = None, start: datetime | None = None,
                 db_url: str | None = None, platform: str = "console", tmpdir: Path | None = None,
                 web: bool = False, config_file: str = "schedules.yaml") -> None:
        self.yaml = yaml
        self.config_file = config_file  # the name the config is known by (as with --config FILE)
        self.cog_paths = list(cogs) if cogs is not None else None
        self.clock = FakeClock(start or datetime(2026, 1, 12, 8, 0, tzinfo=timezone.utc))
        self.platform = platform
        self._own_tmp = tmpdir is None
        self.tmpdir = Path(tmpdir or tempfile.mkdtemp(prefix="cohort-test-"))
        self.db_url = db_url
        self.web = web  # serve the core's HTTP server on 127.0.0.1, a free port (``self.url``)
        self.app: BotApp = None  # type: ignore[assignment]
        self.adapter: MemoryAdapter = None  # type: ignore[assignment]
        self.db: Database = None  # type: ignore[assignment]
        self._kept: tuple[Any, ...] | None = None  # platform state carried over a restart

    # -- lifecycle ------------------------------------------------------------------------
    def _config(self) -> Any:
        return parse_config(self.yaml, self.config_file, cogs=self.cog_paths)

    async def start(self) -> "Harness":
        config = self._config()
        if self.db_url is None:
            self.db_url = migrated_sqlite(self.tmpdir / "bot.db", config.cogs)
        self.db = Database(self.db_url)
        self.app = BotApp(config=config, db=self.db, clock=self.clock)
        self.app.load_cogs()
        self.app.web.enabled, self.app.web.host, self.app.web.port = self.web, "127.0.0.1", 0
        self.adapter = MemoryAdapter(self.app, platform=self.platform)
        if self._kept is not None:
            self.adapter.messages.update(self._kept[0])
            self.adapter._ids = self._kept[1]
            self.adapter.channels.update(self._kept[2])
            self.adapter.groups.update(self._kept[3])
        await self.app.start([self.adapter])
        return self

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
        if self.db is not None:
            self.db.dispose()

    async def restart(self, *, yaml: str | None = None) -> "Harness":
        """Stop and start a new app on the same database (what a process restart does)."""
        await self.stop()
        if yaml is not None:
            self.yaml = yaml
        # The platform keeps its messages (and never reuses their ids), already while the
        # new process starts: catch-up firings at start may edit or add to them.
        self._kept = (self.adapter.messages, self.adapter._ids, self.adapter.channels, self.adapter.groups)
        await self.start()
        return self

    async def __aenter__(self) -> "Harness":
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()
        if self._own_tmp:
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    @property
    def url(self) -> str:
        """The base URL of the bot's HTTP server (``Harness(web=True)``)."""
        return self.app.web.url

    # -- acting ---------------------------------------------------------------------------
    async def command(self, text: str, *, as_: str = "alice", role: str | Access = "member",
                      channel: str = "general", server: str = "console", thread: str | None = None,
                      files: dict[str, FileUpload] | None = None) -> Result:
        responder = await self.adapter.command(text, user=as_, access=_role(role), channel=channel,
                                               server=server, thread_id=thread, files=files)
        return Result(responder)

    async def click(self, target: "Posted | MessageRef | Result | Reply | str", button: str | int | None = None, *,
                    as_: str = "alice", role: str | Access = "member", values: dict[str, str] | None = None,
                    server: str = "console") -> Result:
        """Press a button by label (or index) on a posted message or on a reply (a ``Result``: its
        last reply, private ones included), or an action id directly."""
        if isinstance(target, Result):
            target = target.reply
        if isinstance(target, str):
            action_id, message = target, None
        elif isinstance(target, Reply):  # a private reply is on no channel: the click carries no message
            action_id, message = self._find_button(target, button).action_id, target.ref
        else:
            posted = target if isinstance(target, Posted) else self.adapter.messages[target.message_id]
            action_id, message = self._find_button(posted, button).action_id, posted.ref
        responder = await self.adapter.click(action_id, user=as_, access=_role(role), message=message,
                                             values=values, server=server)
        return Result(responder)

    @staticmethod
    def _find_button(posted: "Posted | Reply", button: str | int | None) -> Button:
        buttons = posted.content.buttons
        if isinstance(button, int):
            return buttons[button]
        for b in buttons:
            if button is not None and b.label.lower() == str(button).lower():
                return b
        for b in buttons:
            if button is not None and str(button).lower() in b.label.lower():
                return b
        raise AssertionError(f"no button {button!r} on message; buttons: {[b.label for b in buttons]}")

    async def message(self, as_: str, *, channel: str = "general", server: str = "console",
                      thread: str | None = None, reply_to: str | None = None, length: int = 42) -> MessageRef:
        return await self.adapter.post_as(as_, channel=channel, server=server, thread_id=thread,
                                          reply_to=reply_to, length=length)

    async def react(self, as_: str, message_id: str, *, emoji: str = "👍", removed: bool = False,
                    server: str = "console") -> None:
        await self.adapter.react_as(as_, message_id, emoji=emoji, removed=removed, server=server)

    async def join(self, as_: str, *, server: str = "console", left: bool = False) -> None:
        await self.adapter.join_as(as_, server=server, left=left)

    async def advance(self, to: timedelta | datetime) -> int:
        """Move the fake clock, running every schedule that falls due (in order)."""
        return await self.app.scheduler.advance(to)

    # -- reading --------------------------------------------------------------------------
    def messages(self, channel: str = "general", server: str = "console") -> list[Posted]:
        return self.adapter.channel_messages(channel, server)

    def last(self, channel: str = "general", server: str = "console") -> Posted:
        posted = self.messages(channel, server)
        if not posted:
            raise AssertionError(f"nothing was posted in #{channel}")
        return posted[-1]

    def dms(self, user: str, server: str = "console") -> list[Posted]:
        return self.messages(f"dm-{user}", server)

    def session(self) -> Session:
        return self.db.session()

    async def forget(self, external_id: str) -> dict[str, int]:
        """Erase a member as a confirmed ``/privacy forget`` does; returns rows removed per cog."""
        member = self.member(external_id)
        if member is None:
            raise AssertionError(f"no member {external_id!r}")
        return (await self.app.privacy.forget(member)).per_cog

    def member(self, external_id: str) -> Member | None:
        with self.session() as s:
            return s.exec(select(Member).where(Member.external_id == external_id)).first()


def migrated_sqlite(path: Path, cogs: Iterable[str]) -> str:
    """A SQLite file at ``path`` with every migration of these cogs applied; returns its URL.

    Copies a per-cog-set template migrated once, so each test doesn't run Alembic again.
    An existing file is kept (a restart reuses its database).
    """
    if not path.exists():
        shutil.copy(_template(tuple(cogs)), path)
    return f"sqlite:///{path}"


def _template(cogs: tuple[str, ...]) -> Path:
    """A migrated SQLite file per cog set, copied for each test (migrating once is much faster)."""
    global _TEMPLATE_DIR
    if cogs in _TEMPLATES and _TEMPLATES[cogs].exists():
        return _TEMPLATES[cogs]
    if _TEMPLATE_DIR is None:
        _TEMPLATE_DIR = Path(tempfile.mkdtemp(prefix="cohort-templates-"))
    path = _TEMPLATE_DIR / f"t{len(_TEMPLATES)}.db"
    db = Database(f"sqlite:///{path}")
    app = BotApp(config=parse_config("", "x.yaml", cogs=list(cogs)), db=db)
    app.load_cogs(list(cogs))
    db.upgrade(app.migration_dirs())
    db.dispose()
    _TEMPLATES[cogs] = path
    return path
