"""The bot side of bench/e2e_bench.py: a real BotApp with the Discord or Slack adapter and the
sample cog, pointed at a local fake platform, either in the bench's own process or in a child
process of its own (as in production, where Discord and Slack run elsewhere).
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import multiprocessing
import os
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import AsyncIterator

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the sample cog and the Discord helpers live under tests/
    sys.path.insert(0, str(ROOT))

from bot.cli import settle_heap  # noqa: E402
from bot.testing.slack import SlackBot  # noqa: E402
from tests.adapters.discord_support import running  # noqa: E402

SAMPLE_COG = "tests.fixtures.sample_cog"
SLACK_YAML = "communities:\n  - id: '*'\n"
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Endpoint:
    """What the bot is told about the fake platform; picklable, so a child process can have it.
    Attribute names are the ones discord_support.settings_for and SlackBot.settings read."""

    platform: str  # "discord" or "slack"
    token: str = ""  # Discord bot token
    api_base: str = ""
    gateway_url: str = ""
    bot_token: str = ""  # Slack
    signing_secret: str = ""
    api_url: str = ""
    app_token: str | None = None


@contextlib.asynccontextmanager
async def bot_here(endpoint: Endpoint, tmp: Path, bare: bool = False) -> AsyncIterator[str]:
    """The bot (``bare``: the bare framework's, bench/bare_bots.py), started in this process;
    yields its URL (Slack HTTP mode) or ""."""
    if bare:
        from .bare_bots import bare_here

        async with bare_here(endpoint, tmp) as url:
            yield url
        return
    if endpoint.platform == "discord":
        async with running(endpoint, tmp / "bot.db"):  # type: ignore[arg-type]
            yield ""
        return
    bot = await SlackBot(endpoint, tmpdir=tmp, cogs=[SAMPLE_COG], yaml=SLACK_YAML).start()  # type: ignore[arg-type]
    try:
        yield bot.url
    finally:
        await bot.stop()


@contextlib.asynccontextmanager
async def bot_elsewhere(endpoint: Endpoint, tmp: Path, bare: bool = False) -> AsyncIterator[str]:
    """The bot, started in a child process; yields its URL (Slack HTTP mode) or "".

    The waits for the child run in a thread: this process's event loop must keep serving the
    fake platform the child is connecting to."""
    context = multiprocessing.get_context("spawn")  # no fork of a process with a running loop
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve_in_child, args=(endpoint, str(tmp), theirs, bare), daemon=True)
    process.start()
    loop = asyncio.get_running_loop()
    try:
        if not await loop.run_in_executor(None, ours.poll, START_TIMEOUT):
            raise RuntimeError(f"the {endpoint.platform} bot process did not start in {START_TIMEOUT:.0f} s")
        answer = ours.recv()
        if isinstance(answer, BaseException):
            raise RuntimeError(f"the {endpoint.platform} bot process failed to start") from answer
        yield str(answer)
    finally:
        with contextlib.suppress(OSError):
            ours.send("stop")
        await loop.run_in_executor(None, process.join, 20)
        if process.is_alive():
            process.kill()


def _serve_in_child(endpoint: Endpoint, tmp: str, conn: Connection, bare: bool = False) -> None:
    asyncio.run(_serve(endpoint, Path(tmp), conn, bare))


async def _serve(endpoint: Endpoint, tmp: Path, conn: Connection, bare: bool = False) -> None:
    loop = asyncio.get_running_loop()
    try:
        async with bot_here(endpoint, tmp, bare) as url:
            settle_heap()  # what `python -m bot run` does once started
            profile = os.environ.get("BENCH_PROFILE")  # a folder: the bot's event loop under cProfile
            profiler = cProfile.Profile() if profile else None
            if profiler is not None:
                profiler.enable()
            conn.send(url)
            await loop.run_in_executor(None, conn.recv)  # until the bench says stop
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(Path(profile) / f"{endpoint.platform}-{'bare' if bare else 'ours'}-{os.getpid()}.prof")
    except Exception as error:
        conn.send(error)
