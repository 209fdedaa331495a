"""Dashboard pages on the reports bench's database (10 M events full; 50 k quick).

Server time of each page as a browser asks for it — a real GET through the bot's HTTP server
with a signed-in instructor's (or member's) cookie, on the largest community — beside the
same page's data questions asked of the report functions directly (no HTTP, no HTML, no SVG).
The Overview reuses its data for a minute (its page and its chart ask together): its cold row
is a first visit each time (the clock moved on a minute), its warm row a visit within the minute.
Called by reports_bench with the database it built, so the big database is built once.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

import aiohttp

from bot.access import Access
from bot.app import BotApp
from bot.clock import FakeClock
from bot.config import parse_config
from bot.dashboard import tokens
from bot.dashboard.pages import OVERVIEW_FRESH
from bot.dashboard.models import DashboardSession
from bot.storage import Database
from cogs.participation.logic import signal_columns
from cogs.participation.panels import overview_panels

# the cogs whose kinds bench/kinds.py generates: the same at-risk signals as the reports bench,
# so the trend ring the reports bench wrote is the one this app reads (no rebuild at start)
COGS = ["cogs.participation", "cogs.prompts", "cogs.polls", "cogs.mentors"]

from .stats import summary

TARGET_S = 0.200
RUNS = 5


async def _timed_get(http: aiohttp.ClientSession, url: str, shows: str = "",
                     stale: Callable[[], None] | None = None) -> list[float]:
    """Server time of ``RUNS`` GETs after a warm-up; with ``stale``, called before each, every
    timed GET is a first visit (the Overview's data is reused for a minute: the clock moves on)."""
    async with http.get(url) as response:  # warm-up, and a check that the page answers with its data
        body = await response.text()
        if response.status != 200 or shows not in body:
            raise RuntimeError(f"{url} answered {response.status}" + (f" without {shows!r}" if shows else ""))
    out = []
    for _ in range(RUNS):
        if stale is not None:
            stale()
        started = time.perf_counter()
        async with http.get(url) as response:
            await response.read()
        out.append(time.perf_counter() - started)
    return out


def _signed_in(session: Any, member_id: int, access: Access, now: Any) -> str:
    cookie = secrets.token_urlsafe(32)
    session.add(DashboardSession(token_hash=tokens.digest(cookie), community_id=1, member_id=member_id,
                                 access=int(access), csrf="bench", created_at=now, expires_at=now + timedelta(hours=1)))
    return cookie


async def _pages(path: Path, facts: dict[str, Any]) -> dict[str, list[float]]:
    app = BotApp(config=parse_config("", "bench.yaml"), db=Database(f"sqlite:///{path}"), clock=FakeClock(facts["now"]))
    app.load_cogs(COGS)
    app.web.enabled, app.web.host, app.web.port = True, "127.0.0.1", 0
    await app.start()
    try:
        now = facts["now"]
        instructor = await app.db.run(_signed_in, 1, Access.INSTRUCTOR, now)
        member = await app.db.run(_signed_in, facts["member"], Access.MEMBER, now)
        base = f"{app.web.url}/dashboard/c/1"
        times: dict[str, list[float]] = {}
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            jar.update_cookies({"cohort_session": instructor}, response_url=aiohttp.client.URL(app.web.url))

            def minute_later() -> None:
                app.clock.advance(OVERVIEW_FRESH + timedelta(seconds=1))

            times["Overview, cold: first visit, its data computed (numbers, at-risk list, silent list)"] = \
                await _timed_get(http, base, shows="At risk", stale=minute_later)
            times["Overview, warm: again within the minute its data is reused"] = \
                await _timed_get(http, base, shows="At risk")
            times["Overview chart (SVG, 8 weeks)"] = await _timed_get(http, f"{base}/active.svg")
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            jar.update_cookies({"cohort_session": member}, response_url=aiohttp.client.URL(app.web.url))
            times["My activity (a median member)"] = await _timed_get(http, f"{base}/me")
        return times
    finally:
        await app.stop()
        app.db.dispose()


def page_rows(path: Path, facts: dict[str, Any]) -> list[dict[str, Any]]:
    times = asyncio.run(_pages(path, facts))
    today = facts["today"]
    db = Database(f"sqlite:///{path}")
    app = BotApp(config=parse_config("", "bench.yaml"), db=db)
    app.load_cogs(COGS)
    signals = signal_columns(app.activity_kinds)
    with db.read_engine.connect() as conn:
        def panels() -> Any:
            return overview_panels(conn, 1, today, today - timedelta(days=55), None, signals, {})

        panels()
        data = []
        for _ in range(RUNS):
            started = time.perf_counter()
            panels()
            data.append(time.perf_counter() - started)
    db.dispose()
    size = f"{facts['events']:,} events, {facts['members']:,} members"
    rows = []
    for name, values in times.items():
        baseline = (f"the Overview's report queries alone, one after another: {summary(data, 'ms', scale=1000)}"
                    if name.startswith("Overview, cold") else "—")
        rows.append({"row": "dashboard pages", "measure": f"GET {name} — {size}",
                     "value": summary(values, "ms", scale=1000), "baseline": baseline,
                     "target": "< 200 ms", "ok": statistics.median(values) < TARGET_S})
    return rows
