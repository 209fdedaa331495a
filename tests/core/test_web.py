"""The core's HTTP server: cog routes without aiohttp in the cog, /healthz, and sharing with Slack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.testing.fake_slack.server import FakeSlack
from bot.testing.slack import SlackBot
from bot.web import WebResponse, WebServer

WEB_COG = "tests.fixtures.web_cog"


async def get(url: str) -> tuple[int, str, Any]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.text(), response.headers


async def test_a_cog_route_answers_with_its_status_type_and_headers(make_bot: Any) -> None:
    bot = await make_bot(cogs=[WEB_COG], web=True)
    status, text, headers = await get(f"{bot.url}/hello/ana.txt?mood=happy")
    assert (status, text) == (200, "hello ana happy")
    assert headers["Content-Type"].startswith("text/plain") and headers["Cache-Control"] == "no-store"
    assert (await get(f"{bot.url}/hello/nobody.txt"))[:2] == (404, "no such person")
    assert (await get(f"{bot.url}/nowhere"))[0] == 404


async def test_a_failing_route_is_a_500_without_internals(make_bot: Any, caplog: Any) -> None:
    bot = await make_bot(cogs=[WEB_COG], web=True)
    status, text, _ = await get(f"{bot.url}/broken")
    assert (status, text) == (500, "internal error")
    assert "secret internals" in caplog.text  # logged for the operator, not shown to the caller


async def test_healthz_lists_the_adapters(make_bot: Any) -> None:
    bot = await make_bot(cogs=[WEB_COG], web=True)
    status, text, _ = await get(f"{bot.url}/healthz")
    assert status == 200 and text == '{"ok": true, "adapters": ["console"]}'


async def test_slack_events_and_cog_routes_share_one_port(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        bot = await SlackBot(fake, tmpdir=tmp_path, cogs=[WEB_COG]).start()
        try:
            assert (await get(f"{bot.url}/hello/slack.txt"))[:2] == (200, "hello slack")
            status, text = await bot.post('{"type": "url_verification", "challenge": "c1", "token": "x"}')
            assert status == 200 and "c1" in text
        finally:
            await bot.stop()


async def test_routes_cannot_be_added_twice_or_once_running() -> None:
    server = WebServer()

    async def answer(request: Any) -> WebResponse:
        return WebResponse("x")

    server.add_route("GET", "/a", answer)
    with pytest.raises(ValueError):
        server.add_route("GET", "/a", answer)
    await server.start()
    try:
        with pytest.raises(RuntimeError):
            server.add_route("GET", "/b", answer)
    finally:
        await server.stop()


async def test_slack_http_mode_needs_its_port_so_a_busy_one_is_a_config_error(tmp_path: Path) -> None:
    import socket

    from bot.adapters.slack import SlackAdapter
    from bot.app import BotApp
    from bot.config import parse_config
    from bot.errors import ConfigError
    from bot.storage import Database
    from bot.testing.harness import migrated_sqlite

    async with FakeSlack() as fake:
        settings = SlackBot(fake, tmpdir=tmp_path).settings()
        db = Database(migrated_sqlite(tmp_path / "busy.db", [WEB_COG]))
        app = BotApp(config=parse_config("", cogs=[WEB_COG]), db=db, settings=settings)
        app.load_cogs()
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            taken = busy.getsockname()[1]
            adapter = SlackAdapter(app, settings=settings, host="127.0.0.1", port=taken)
            with pytest.raises(ConfigError) as caught:
                await app.start([adapter])
            await app.stop()
        db.dispose()
    [problem] = caught.value.problems
    assert problem.startswith(f"cannot listen on 127.0.0.1:{taken}") and "Slack events in HTTP mode" in problem
