"""``python -m bot {run, check, commands, manifest, invite, db, export, demo}``."""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any, Sequence

from .access import Access
from .cli_parser import build_parser
from .errors import ConfigError

log = logging.getLogger("bot")
CONSOLE_PORT = 8080  # the console's HTTP server (calendar feeds, /healthz) when PORT is not set
CONSOLE_WEB_AFTER = 0.5  # seconds after start: a terminal console's server listens once its prompt is up


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb; a problem is one line on stderr and a non-zero exit, never a traceback."""
    try:
        return _main(argv)
    except BrokenPipeError:  # the reader went away (`... | head -1`): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the final flush at exit does not fail again
        return 128 + signal.SIGPIPE
    except KeyboardInterrupt:
        return 130


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .settings import Settings

    try:
        settings = Settings.from_environment()
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    if args.verb == "export" and args.until and args.until < args.since:
        parser.exit(2, f"python -m bot export: error: --until {args.until} is before --since {args.since}\n")
    problem = _unwritable(args.out) if args.verb == "export" else None  # (a backup makes its folder)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    from .logging_setup import configure

    level = settings.log_level
    if args.verb in ("run", "demo") and settings.adapters() == ["console"] and "log_level" not in settings.model_fields_set:
        level = "WARNING"  # on the console, info lines would interleave with the chat
    if (args.verb in ("manifest", "invite") or getattr(args, "db_verb", None) == "revision") and "log_level" not in settings.model_fields_set:
        level = "CRITICAL"  # their output is the product; a problem is our own one line
    configure(level, settings.secrets())
    handler = {"run": cmd_run, "check": cmd_check, "commands": cmd_commands, "manifest": cmd_manifest,
               "invite": cmd_invite, "db": cmd_db,
               "export": cmd_export, "demo": cmd_demo}[args.verb]
    try:
        return handler(args, settings)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise
    except OSError as error:
        print(f"error: {_os_problem(error)}", file=sys.stderr)
        return 1
    except Exception as error:
        problem = _database_problem(error, settings.database_url)
        if problem is None:
            raise
        print(f"error: {problem}", file=sys.stderr)
        return 1


def _unwritable(path: str | None) -> str | None:
    """Why a file cannot be written there, said before any work is done (None: it can)."""
    if not path:
        return None
    target = Path(path)
    if target.is_dir():
        return f"cannot write {path}: it is a folder"
    folder = target.parent
    if not folder.is_dir():
        return f"cannot write {path}: the folder {folder} does not exist"
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        return f"cannot write {path}: permission denied"
    return None


def _os_problem(error: OSError) -> str:
    where = f"{error.filename}: " if error.filename else ""
    if isinstance(error, (FileExistsError, NotADirectoryError)) and error.filename and Path(error.filename).is_file():
        return f"{where}is a file, not a folder"
    return f"{where}{error.strerror or error}"


def _database_problem(error: Exception, url: str) -> str | None:
    """One line for a database that cannot be reached or used (None: not a database error)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from .errors import TemporarilyUnavailable

    if isinstance(error, TemporarilyUnavailable) and error.__cause__ is not None:
        error = error.__cause__  # type: ignore[assignment]
    if not isinstance(error, SQLAlchemyError):
        return None
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    shown = make_url(url).render_as_string(hide_password=True)
    return f"cannot use the database {shown}: {first} (check DATABASE_URL)"


def _config_path(args: Any, settings: Any) -> str:
    return getattr(args, "config", None) or getattr(args, "file", None) or settings.bot_config


def _named(args: Any, settings: Any) -> bool:
    """A file named with --config or BOT_CONFIG must exist: a typo is not an empty course
    (only the default ./schedules.yaml may be absent, for a first try on the console)."""
    return bool(getattr(args, "config", None)) or "bot_config" in settings.model_fields_set


def cmd_check(args: Any, settings: Any) -> int:
    from .config import load_config

    path = _config_path(args, settings)
    load_config(path, required=True)
    print("ok")
    return 0


def _app(settings: Any, config_path: str, clock: Any = None, *, required: bool = False,
         database_url: str | None = None) -> Any:
    from .app import BotApp
    from .config import load_config
    from .storage import Database

    config = load_config(config_path, required=required)
    db = Database(database_url or settings.database_url)
    app = BotApp(config=config, db=db, clock=clock, settings=settings)
    app.load_cogs()
    return app


def cmd_commands(args: Any, settings: Any) -> int:
    from .reference import command_reference

    app = _app(settings, _config_path(args, settings), required=_named(args, settings))
    print(command_reference(app, markdown=args.markdown))
    return 0


def _declarations_app(args: Any, settings: Any) -> Any:
    """The app with every cog loaded on an in-memory database (the declarations are all that is
    read); None, after one line per cog that failed to load."""
    app = _app(settings, _config_path(args, settings), required=_named(args, settings), database_url="sqlite://")
    for path, error in app.load_errors.items():
        print(f"error: cog {path} was not loaded: {error}", file=sys.stderr)
    return None if app.load_errors else app


def cmd_manifest(args: Any, settings: Any) -> int:
    from .adapters.slack.manifest import render_manifest  # the only platform with a manifest

    app = _declarations_app(args, settings)
    if app is None:
        return 1
    sys.stdout.write(render_manifest(app, url=args.url))
    return 0


def cmd_invite(args: Any, settings: Any) -> int:
    from .adapters.discord import invite_url

    application_id = (args.application_id or settings.discord_application_id or "").strip()
    if not application_id:
        print("error: no Discord application id — pass --application-id or set DISCORD_APPLICATION_ID "
              "(Developer Portal → your application → General Information → Application ID)", file=sys.stderr)
        return 1
    if not application_id.isdigit():
        print(f'error: "{application_id}" is not a Discord application id (a number like 123456789012345678)',
              file=sys.stderr)
        return 1
    print(invite_url(application_id))
    return 0


def cmd_db(args: Any, settings: Any) -> int:
    if args.db_verb == "revision":
        return cmd_db_revision(args, settings)
    app = _app(settings, settings.bot_config)
    if args.db_verb == "upgrade":
        app.db.upgrade(app.migration_dirs())
        print(f"database at head: {', '.join(sorted(app.db.current_heads()))}")
        return 0
    if args.db_verb == "backup":
        from .maintenance import backup_sqlite

        backup_sqlite(app.db, Path(args.out))
        print(f"backup written to {args.out}")
        return 0
    return 2


def cmd_db_revision(args: Any, settings: Any) -> int:
    from .migrate import make_revision

    app = _declarations_app(args, settings)  # compared with a throwaway database: DATABASE_URL is never touched
    if app is None:
        return 1
    from alembic.util import CommandError

    try:
        written = make_revision(app, args.cog, args.message)
    except CommandError as error:  # e.g. two revisions revising the same one (two heads on the branch)
        first = (str(error).strip().splitlines() or ["Alembic refused"])[0]
        print(f"error: cannot write the {args.cog} cog's next migration: {first}", file=sys.stderr)
        return 1
    if written is None:
        print(f"no changes: the {args.cog} cog's tables match its migrations (nothing written)")
        return 0
    shown = os.path.relpath(written) if not os.path.relpath(written).startswith("..") else str(written)
    print(f"wrote {shown} — read it through, then run the cog's tests (they check it matches the models)")
    return 0


def cmd_export(args: Any, settings: Any) -> int:
    # checked as dates by the parser; the exporter reads them as YYYY-MM-DD text
    args.since = args.since.isoformat()
    args.until = args.until.isoformat() if args.until else None
    app = _app(settings, settings.bot_config)
    exporter = getattr(app.get_cog("stats"), "export_cli", None)
    if exporter is None:
        print("the participation cog is not loaded (check cogs: in schedules.yaml)", file=sys.stderr)
        return 1
    return int(exporter(args) or 0)


def cmd_demo(args: Any, settings: Any) -> int:
    try:
        demo = importlib.import_module("demo")  # the top-level demo/ package, beside bot/ and cogs/
    except ModuleNotFoundError as missing:
        if missing.name != "demo":
            raise
        print("the demo is not available in this build", file=sys.stderr)
        return 1
    return int(asyncio.run(demo.run_demo(members=args.members, out=args.out)) or 0)


def cmd_run(args: Any, settings: Any) -> int:
    return asyncio.run(run_bot(args, settings))


def settle_heap() -> None:
    """Move everything alive after start-up (modules, cogs, caches, the platform client) out of
    the garbage collector's full passes: they live as long as the process, and scanning them
    stops the event loop for ~100 ms every few hundred interactions (bench/e2e_bench.py)."""
    gc.collect()
    gc.freeze()


async def run_bot(args: Any, settings: Any) -> int:
    from .settings import ADAPTER_PATHS

    app = _app(settings, _config_path(args, settings), required=_named(args, settings))
    for path, error in app.load_errors.items():
        print(f"warning: cog {path} was not loaded: {error}", file=sys.stderr)
    adapters = []
    for platform in settings.adapters():
        module_path, _, cls_name = ADAPTER_PATHS[platform].partition(":")
        try:
            cls = getattr(importlib.import_module(module_path), cls_name)
        except (ImportError, AttributeError) as error:
            print(f"error: the {platform} adapter is not available: {error}", file=sys.stderr)
            return 1
        if platform == "console":
            adapters.append(cls(app, user=args.user, role=Access.parse(args.role), channel=args.channel))
        else:
            adapters.append(cls(app, settings=settings))
    if settings.adapters() == ["console"]:  # a terminal session serves only this machine
        app.web.host = "127.0.0.1"
        app.web.port = settings.port if "port" in settings.model_fields_set else CONSOLE_PORT
        if sys.stdin.isatty():  # someone at a terminal: the prompt first (piped lines end before 0.5 s)
            app.web.after_start = CONSOLE_WEB_AFTER
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):  # before start: a SIGTERM while connecting still stops cleanly
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    try:
        await app.start(adapters)
    except ConfigError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        await app.stop()
        return 1
    settle_heap()
    waiters = [asyncio.ensure_future(a.wait_closed()) for a in adapters] + [asyncio.ensure_future(stop.wait())]
    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
    await app.stop()
    app.db.dispose()
    return 0
