"""End to end: slash commands and button clicks through the real platform clients.

Discord: the real discord.py client (our DiscordAdapter in a real BotApp) on the local
FakeDiscord; each interaction is an INTERACTION_CREATE pushed down the gateway, and its
"time to ack" runs from the injection to the moment the fake receives the interaction's
first callback (the request Discord must see within 3 s).

Slack: the real slack-bolt app in HTTP mode (our SlackAdapter) against the local FakeSlack;
each interaction is a signed POST to /slack/events, "time to ack" is the HTTP response time
(bolt acknowledges before the cog runs) and "time to reply" runs until the cog's answer
(chat.postMessage / chat.update) reaches the fake.

Half the interactions are `/sample echo` commands, half are clicks on a `sample:pick:<n>`
button, with at most `concurrency` interactions in progress at once (a slot is freed when
the interaction has been answered): a closed loop, so the mean latency is at least
(in flight) / throughput. The bot runs in a child process of its own (bench/e2e_bot.py), as
in production where Discord and Slack are elsewhere; a second measurement puts it in the
fake's process and event loop, where the fake's work counts against the bot. Both processes
call bot.cli.settle_heap() once started, as `python -m bot run` does.

    python -m bench --only e2e_bench          # 500 + 500 at 100 concurrent, 5 runs
    python -m bench --quick --only e2e_bench  # 50 + 50 at 10 concurrent, 1 run
    python -m bench.e2e_bench --platform slack --in-flight 10 --runs 3 --no-shared  # some rows only

Each row also gives the bot process's CPU per interaction (all its threads; by thread in
RunResult.threads): in this closed loop the bot is the bottleneck, so time to ack and
throughput follow it. BENCH_PROFILE=<folder> profiles the bot process (cProfile; with
BENCH_PROFILER=pyinstrument, sampled, if pyinstrument is installed).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the sample cog and the Discord helpers live under tests/
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bot.cli import settle_heap  # noqa: E402
from bot.testing.fake_discord import FakeDiscord  # noqa: E402
from bot.testing.fake_slack import block_actions_body, signed_headers, slash_command_body  # noqa: E402
from bot.testing.fake_slack.server import FakeSlack  # noqa: E402
from tests.adapters.discord_support import ALICE, GENERAL, GUILD, INSTRUCTOR_ROLE, IVY, OWNER, sub  # noqa: E402

from .e2e_bot import Endpoint, Running, bot_elsewhere, bot_in_this_process  # noqa: E402
from .e2e_rows import ROW, RunResult, ack_value, comparison_rows, reply_row, throughput_value  # noqa: E402

SLACK_CHANNEL = "C0GENERAL"
SLACK_USERS = {"U1": "ana", "U2": "ben"}
DISCORD_USERS = (ALICE, IVY)
WARMUP = 20  # interactions before timing: first-use costs (caches, lazy imports) are not steady state
TIMEOUT = 30.0
POLL = 0.001  # how often the arrival watcher looks at the fake's records (times come from the records)
BASELINE = "platform deadline 3 s"
TARGET = "p99 < 50 ms"


@dataclass
class Load:
    total: int
    concurrency: int
    runs: int
    elsewhere: bool = True  # the bot in a process of its own, as in production; else in the fake's
    bare: bool = False  # the bare framework's bot (bench/bare_bots.py) instead of ours

    def bot(self, endpoint: Endpoint, tmp: Path) -> contextlib.AbstractAsyncContextManager[Running]:
        return (bot_elsewhere if self.elsewhere else bot_in_this_process)(endpoint, tmp, self.bare)


class Arrivals:
    """Watches a fake's growing list of records and resolves one future per expected key.

    One watcher scanning only new records keeps the measuring cheap: a waiter per interaction
    re-checking the whole record list on every change would cost more than the bot itself.
    """

    def __init__(self, records: list[Any], key: Callable[[Any], str | None]) -> None:
        self.records, self.key = records, key
        self.seen = len(records)
        self.pending: dict[str, asyncio.Future[float]] = {}
        self.early: dict[str, float] = {}  # arrived before anyone expected them
        self._task: asyncio.Task[None] | None = None

    def expect(self, key: str) -> asyncio.Future[float]:
        """A future for the arrival time (perf_counter) of the first record with this key."""
        future = self.pending.setdefault(key, asyncio.get_running_loop().create_future())
        if key in self.early:
            future.set_result(self.early.pop(key))
            del self.pending[key]
        return future

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _watch(self) -> None:
        while True:
            new, self.seen = self.records[self.seen:], len(self.records)
            for record in new:
                key = self.key(record)
                if key is None:
                    continue
                future = self.pending.pop(key, None)
                if future is None:
                    self.early.setdefault(key, record.at)
                elif not future.done():
                    future.set_result(record.at)
            await asyncio.sleep(POLL)


@contextlib.contextmanager
def settled_heap() -> Iterator[None]:
    """What `python -m bot run` does once started (bot.cli.settle_heap); undone after the run so
    one run's leftovers are not frozen into the next."""
    settle_heap()
    try:
        yield
    finally:
        gc.unfreeze()


async def drive(count: int, concurrency: int, one: Callable[[int], Awaitable[None]]) -> float:
    """Run one(i) for i in range(count), at most `concurrency` at once; the wall time in seconds."""
    slots = asyncio.Semaphore(concurrency)

    async def slot(i: int) -> None:
        async with slots:
            await one(i)

    start = time.perf_counter()
    await asyncio.gather(*(slot(i) for i in range(count)))
    return time.perf_counter() - start


# -- Discord ------------------------------------------------------------------------------------
CALLBACK = re.compile(r"^/interactions/(\d+)/[^/]+/callback$")


def callback_key(record: Any) -> str | None:
    match = CALLBACK.match(record.path) if record.method == "POST" else None
    return match.group(1) if match else None


def discord_fake() -> FakeDiscord:
    fake = FakeDiscord()
    fake.add_guild(GUILD, "Cohort 7", owner_id=OWNER, roles=[{"id": INSTRUCTOR_ROLE, "name": "Instructor"}],
                   channels=[{"id": GENERAL, "name": "general"}],
                   members=[{"id": ALICE, "username": "alice"},
                            {"id": IVY, "username": "ivy", "roles": [INSTRUCTOR_ROLE]}])
    return fake


def button_messages(fake: FakeDiscord, template: dict[str, Any], numbers: range) -> dict[int, str]:
    """Copies of a real `/sample buttons` message, one per click, the pick button saying `n`.

    A click answers by replacing the message without its buttons, and discord.py only runs a
    button the clicked message carries, so every click needs a message of its own; posting
    them through the fake's state keeps that set-up out of the timed interactions."""
    ids = {}
    for n in numbers:
        components = json.loads(json.dumps(template["components"]).replace('"sample:pick:1"', f'"sample:pick:{n}"'))
        message = fake.state.new_message(str(GENERAL), fake.state.bot_user, by_bot=True,
                                         content=template["content"], components=components)
        ids[n] = message["id"]
    return ids


async def discord_run(load: Load) -> RunResult:
    tmp = Path(tempfile.mkdtemp(prefix="bench-e2e-discord-"))
    async with discord_fake() as fake, load.bot(Endpoint("discord", token=fake.token, api_base=fake.api_base,
                                                         gateway_url=fake.gateway_url), tmp) as bot:
        posted = await fake.send_interaction_command(GUILD, GENERAL, ALICE, "sample", sub("buttons"))
        await fake.wait_for(lambda: fake.interaction_responses.get(posted["id"]), TIMEOUT)
        messages = button_messages(fake, fake.messages[GENERAL][-1], range(load.total + WARMUP))
        arrivals = Arrivals(fake.requests, callback_key)
        acks: list[float] = []

        async def one(i: int) -> None:
            user = DISCORD_USERS[i % len(DISCORD_USERS)]
            start = time.perf_counter()
            # the id is only known once the fake sent the payload, maybe after the callback arrived
            if i % 2:
                sent = await fake.send_interaction_component(GUILD, GENERAL, user, messages[i], f"sample:pick:{i}")
            else:
                sent = await fake.send_interaction_command(GUILD, GENERAL, user, "sample", sub("echo", text=f"e{i}"))
            acks.append(await asyncio.wait_for(arrivals.expect(sent["id"]), TIMEOUT) - start)

        arrivals.start()
        try:
            with settled_heap():
                await drive(WARMUP, load.concurrency, lambda i: one(load.total + i))
                acks.clear()
                before = await bot.cpu()
                wall = await drive(load.total, load.concurrency, one)
                cpu = spent(before, await bot.cpu())
        finally:
            await arrivals.stop()
        check_discord_answers(fake, load.total + WARMUP)
        return RunResult(acks, wall, cpu=cpu["all"], threads=cpu)


def check_discord_answers(fake: FakeDiscord, expected: int) -> None:
    """Every timed interaction got the answer a user would see, not an error message."""
    answers = [entries[0] for entries in fake.interaction_responses.values()][-expected:]
    wrong = [a for a in answers if not (a["type"] == 4 and a["data"].get("content", "").endswith("[calm]")
                                        or a["type"] == 7 and " picked " in a["data"].get("content", ""))]
    if wrong or fake.handler_errors:
        raise RuntimeError(f"unexpected Discord answers: {wrong[:3]}, fake errors: {fake.handler_errors[:3]}")


# -- Slack --------------------------------------------------------------------------------------
def reply_key(call: Any) -> str | None:
    """Which interaction a reply answers: echo replies say "e<i> [calm]", clicks "<name> picked <i>"."""
    text = str(call.params.get("text") or "")
    if call.method == "chat.postMessage" and text.startswith("e"):
        return text.split(" ", 1)[0]
    if call.method == "chat.update" and " picked " in text:
        return "p" + text.rsplit(" ", 1)[-1]
    return None


async def slack_run(load: Load) -> RunResult:
    tmp = Path(tempfile.mkdtemp(prefix="bench-e2e-slack-"))
    async with FakeSlack() as fake:
        fake.add_channel(SLACK_CHANNEL, "general", members=list(SLACK_USERS))
        for user_id, name in SLACK_USERS.items():
            fake.add_user(user_id, name)
        endpoint = Endpoint("slack", bot_token=fake.bot_token, signing_secret=fake.signing_secret,
                            api_url=fake.api_url)
        async with load.bot(endpoint, tmp) as bot, aiohttp.ClientSession() as http:
            async def post(body: str) -> tuple[int, str]:
                """What Slack does: a signed POST to the request URL."""
                headers = signed_headers(fake.signing_secret, body)
                async with http.post(f"{bot.url}/slack/events", data=body.encode(), headers=headers) as response:
                    return response.status, await response.text()

            await post(slash_command_body("/sample", "buttons", user_id="U1", team_id=fake.team_id,
                                          channel_id=SLACK_CHANNEL, response_url=fake.response_url(SLACK_CHANNEL)))
            await fake.wait_for_call("chat.postMessage", TIMEOUT)
            button_ts = fake.messages[SLACK_CHANNEL][-1]["ts"]
            return await _slack_measure(post, fake, button_ts, load, bot)


def slack_body(fake: FakeSlack, i: int, button_ts: str) -> tuple[str, str]:
    """(reply key, form body) for interaction i: an echo command or a click on the buttons."""
    users = list(SLACK_USERS)
    user = users[i % len(users)]
    if i % 2:
        action = f"sample:pick:{i}"
        # Slack sends a copy of the clicked message; the bot refuses a click whose button is not on it
        message = {"type": "message", "ts": button_ts,
                   "blocks": [{"type": "actions", "elements": [{"type": "button", "action_id": action, "value": action}]}]}
        return f"p{i}", block_actions_body(action, value=action, user_id=user, team_id=fake.team_id,
                                           channel_id=SLACK_CHANNEL, message_ts=button_ts, message=message,
                                           response_url=fake.response_url(SLACK_CHANNEL))
    return f"e{i}", slash_command_body("/sample", f"echo e{i}", user_id=user, team_id=fake.team_id,
                                       channel_id=SLACK_CHANNEL, response_url=fake.response_url(SLACK_CHANNEL))


async def _slack_measure(post: Callable[[str], Awaitable[tuple[int, str]]], fake: FakeSlack, button_ts: str,
                         load: Load, bot: Running) -> RunResult:
    arrivals = Arrivals(fake.calls, reply_key)
    acks: list[float] = []
    replies: list[float] = []

    async def one(i: int) -> None:
        key, body = slack_body(fake, i, button_ts)
        landed = arrivals.expect(key)
        start = time.perf_counter()
        status, text = await post(body)
        acks.append(time.perf_counter() - start)
        if status != 200:
            raise RuntimeError(f"Slack request {i} answered {status}: {text[:200]}")
        replies.append(await asyncio.wait_for(landed, TIMEOUT) - start)

    arrivals.start()
    try:
        with settled_heap():
            await drive(WARMUP, load.concurrency, lambda i: one(load.total + i))  # keys unlike the timed ones
            acks.clear()
            replies.clear()
            before = await bot.cpu()
            wall = await drive(load.total, load.concurrency, one)
            cpu = spent(before, await bot.cpu())
    finally:
        await arrivals.stop()
    return RunResult(acks, wall, replies, cpu["all"], cpu)


# -- rows ---------------------------------------------------------------------------------------
def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {key: value - before.get(key, 0.0) for key, value in after.items()}


def runs_of(measure: Callable[[Load], Awaitable[RunResult]], load: Load) -> list[RunResult]:
    return [asyncio.run(measure(load)) for _ in range(load.runs)]


def platform_rows(platform: str, what: str, load: Load, quick: bool, measure: Callable[[Load], Awaitable[RunResult]],
                  replies: bool = False, framework: str = "", in_flight: Sequence[int] = (100, 10),
                  shared: bool = True) -> list[dict[str, Any]]:
    levels = [load.concurrency] if quick else list(in_flight)
    own: dict[int, list[RunResult]] = {n: [] for n in levels}
    bare: dict[int, list[RunResult]] = {n: [] for n in levels}
    for _ in range(load.runs):  # interleaved, one run each at a time: drift in the machine hits both alike
        for n in levels:
            own[n] += runs_of(measure, Load(load.total, n, 1))
            bare[n] += runs_of(measure, Load(load.total, n, 1, bare=True))
    rows = []
    for n in levels:
        rows += comparison_rows(platform, f"{load.total} {what}", framework, f"{n} in flight", own[n], bare[n], quick)
    if replies:
        rows.append(reply_row(platform, framework, own[levels[0]], bare[levels[0]]))
    if shared:
        in_fake = runs_of(measure, Load(load.total, levels[0], load.runs, elsewhere=False))
        rows.append({"row": ROW, "measure": f"{platform}, bot in the fake's process ({levels[0]} in flight): time to "
                                            "ack p50 / p99; throughput",
                     "value": f"{ack_value(in_fake)}; {throughput_value(in_fake)}", "baseline": BASELINE,
                     "target": "—", "ok": None})
    return rows


def run(quick: bool = False, platforms: Sequence[str] = ("discord", "slack"), runs: int | None = None,
        in_flight: Sequence[int] = (100, 10), shared: bool = True) -> list[dict[str, Any]]:
    load = Load(total=50, concurrency=10, runs=1) if quick else Load(total=500, concurrency=100, runs=5)
    load.runs = runs or load.runs
    rows = []
    if "discord" in platforms:
        rows += platform_rows("Discord", "slash commands + button clicks", load, quick, discord_run,
                              framework="discord.py CommandTree bot", in_flight=in_flight, shared=shared)
    if "slack" in platforms:
        rows += platform_rows("Slack (HTTP)", "signed slash commands + block_actions", load, quick, slack_run,
                              replies=True, framework="bolt app", in_flight=in_flight, shared=shared)
    return rows


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.e2e_bench [--platform slack] [--in-flight 10] [--runs 3] [--no-shared]``: some rows only."""
    import argparse

    from .__main__ import table

    parser = argparse.ArgumentParser(prog="python -m bench.e2e_bench", description=main.__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--platform", nargs="*", choices=["discord", "slack"], default=["discord", "slack"])
    parser.add_argument("--in-flight", nargs="*", type=int, default=[100, 10])
    parser.add_argument("--runs", type=int, help="interleaved pairs of runs (default 5)")
    parser.add_argument("--no-shared", action="store_true", help="skip the bot-in-the-fake's-process row")
    args = parser.parse_args(argv)
    print(table(run(args.quick, args.platform, args.runs, args.in_flight, not args.no_shared)))


if __name__ == "__main__":
    main()
