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
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable

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


@dataclass(frozen=True)
class Running:
    """A started bot: its URL (Slack HTTP mode) or "", and how to read its process's CPU seconds so far
    ("all", and by thread: "loop" for the event loop's, "inbox", "db"... for the pools' threads)."""

    url: str
    cpu: Callable[[], Awaitable[dict[str, float]]]


def cpu_by_thread() -> dict[str, float]:
    """CPU seconds of this process so far, in all and by thread (Linux /proc; 10 ms ticks)."""
    out = {"all": time.process_time()}
    ticks = os.sysconf("SC_CLK_TCK")
    for thread in threading.enumerate():
        try:  # fields after the command name: state is [0], utime [11], stime [12]
            fields = Path(f"/proc/self/task/{thread.native_id}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        group = "loop" if thread is threading.main_thread() else thread.name.split("_")[0]
        out[group] = out.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return out


async def _own_cpu() -> dict[str, float]:
    return cpu_by_thread()


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
async def bot_in_this_process(endpoint: Endpoint, tmp: Path, bare: bool = False) -> AsyncIterator[Running]:
    """bot_here as a Running (its CPU is this whole process's, the fake's included)."""
    async with bot_here(endpoint, tmp, bare) as url:
        yield Running(url, _own_cpu)


@contextlib.asynccontextmanager
async def bot_elsewhere(endpoint: Endpoint, tmp: Path, bare: bool = False) -> AsyncIterator[Running]:
    """The bot, started in a child process; yields its URL (Slack HTTP mode) or "" and its CPU reading.

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

        async def cpu() -> dict[str, float]:  # every thread of the child: the inbox's and the database pool's too
            ours.send("cpu")
            return dict(await loop.run_in_executor(None, ours.recv))

        yield Running(str(answer), cpu)
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
            # BENCH_PROFILE: a folder for the bot's event loop under cProfile (BENCH_PROFILER=pyinstrument:
            # sampled instead, an HTML and a text report; far less overhead on the profiled code)
            profile = os.environ.get("BENCH_PROFILE")
            name = f"{endpoint.platform}-{'bare' if bare else 'ours'}-{os.getpid()}"
            stop_profile = _start_profile(Path(profile), name) if profile else None
            conn.send(url)
            while await loop.run_in_executor(None, conn.recv) == "cpu":  # until the bench says stop
                conn.send(cpu_by_thread())
            if stop_profile is not None:
                stop_profile()
    except Exception as error:
        conn.send(error)


def _start_profile(folder: Path, name: str) -> Callable[[], None]:
    if os.environ.get("BENCH_PROFILER") == "pyinstrument":
        from pyinstrument import Profiler  # not a dependency: pip install pyinstrument to use it

        sampler = Profiler(interval=0.0005, async_mode="disabled")
        sampler.start()

        def stop_sampling() -> None:
            sampler.stop()
            (folder / f"{name}.html").write_text(sampler.output_html())
            (folder / f"{name}.txt").write_text(sampler.output_text(unicode=True, show_all=False))
            sampler.last_session.save(str(folder / f"{name}.pyisession"))  # pyinstrument --load=... to re-render

        return stop_sampling
    profiler = cProfile.Profile()
    profiler.enable()

    def stop_profiling() -> None:
        profiler.disable()
        profiler.dump_stats(folder / f"{name}.prof")

    return stop_profiling
