"""The malformed-request corpus (corpus.py) replayed against ``python -m bot run`` in Slack HTTP
mode, every cog loaded, the dashboard on (with "Sign in with Discord / Slack" configured), on
SQLite and PostgreSQL: 0 responses 5xx, 0 tracebacks and no ERROR line in the process's log, and
the bot still answers a command afterwards.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.testing.fake_slack import FakeSlack, sign, slash_command_body

from . import corpus
from .test_crash_inbox import BotProcess

GENERAL = corpus.GENERAL


class CorpusBot(BotProcess):
    def start(self) -> None:  # every cog (no cogs: line), the dashboard and both sign-ins configured
        import subprocess

        from .helpers import child_env, python

        config = self.tmp_path / "schedules.yaml"
        config.write_text('communities:\n  - id: "*"\n    instructors: {users: [U1]}\n')
        env = child_env(BOT_CONFIG=str(config), PORT=str(self.port), HOST="127.0.0.1", **self.platform_env)
        with open(self.tmp_path / "stderr.log", "ab") as stderr:
            self.process = subprocess.Popen([python(), "-m", "bot", "run"], cwd=self.tmp_path, env=env,
                                            stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr)


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return request.getfixturevalue("pg_url") if request.param == "postgres" else f"sqlite:///{tmp_path / 'bot.db'}"


async def test_the_corpus_gets_no_5xx_and_leaves_no_traceback(database: str, tmp_path: Path) -> None:
    async with FakeSlack() as fake, aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        fake.add_channel(GENERAL, "general", members=["U1", "U2"])
        fake.add_user("U1", "ana")
        fake.add_user("U2", "ben")
        bot = CorpusBot(tmp_path, DATABASE_URL=database, SLACK_BOT_TOKEN=fake.bot_token,
                        SLACK_SIGNING_SECRET=fake.signing_secret, SLACK_API_URL=fake.api_url,
                        DASHBOARD_SECRET="s" * 40, DISCORD_CLIENT_ID="1", DISCORD_CLIENT_SECRET="x",
                        SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="y")
        bot.start()
        statuses: dict[str, int] = {}  # the last status of each label
        sent: list[int] = []

        async def send(label: str, method: str, path: str, body: bytes, headers: dict[str, str]) -> str:
            async with http.request(method, bot.url + path, data=body, headers=headers,
                                    allow_redirects=False) as response:
                statuses[label] = response.status
                sent.append(response.status)
                return await response.text(errors="replace")

        async def signed(label: str, body: str, content_type: str) -> str:
            headers = {**sign(fake.signing_secret, body), "Content-Type": content_type}
            return await send(label, "POST", "/slack/events", body.encode(), headers)

        try:
            await bot.ready(http)
            for request in [*corpus.unsigned(fake.signing_secret), *corpus.web()]:
                await send(*request)
            for label, body, content_type in corpus.signed(fake.team_id, fake.response_url(GENERAL)):
                await signed(label, body, content_type)
            # signed in on the dashboard (a /dashboard link from the chat), then broken forms and ids
            await signed("/dashboard", slash_command_body("/dashboard", "", user_id="U1", team_id=fake.team_id,
                                                          channel_id=GENERAL, response_url=fake.response_url(GENERAL)),
                         corpus.FORM)
            answer = await fake.wait_for_response(predicate=lambda r: "/dashboard/login" in r.get("text", ""))
            link = re.search(r"(/dashboard/login\?t=[^\s>|)]+)", answer["text"])
            assert link, answer
            await send("sign in", "GET", link.group(1), b"", {})
            page = await send("overview", "GET", "/dashboard/c/1", b"", {})
            csrf = re.search(r'name="csrf" value="([^"]+)"', page)
            assert statuses["overview"] == 200 and csrf, statuses
            for path in ["/m/99999999999999999999", "/m/%C2%B2", "/p/%ff", "/p/stats/bars/99999999999999999999/0.svg",
                         "/members?page=99999999999999999999&sort=%ff&q=%00", "/active.svg?days=abc"]:
                await send(f"signed in GET {path}", "GET", "/dashboard/c/1" + path, b"", {})
            form = {"Content-Type": corpus.FORM}
            for what, data in [("click", f"action=poll%3Avote%3A99999999999999999999%3A1&csrf={csrf[1]}"),
                               ("click", f"action=%00&csrf={csrf[1]}"), ("click", "action=x&csrf=%C3%A9"),
                               ("command", f"command=%2Fpoll+results+99999999999999999999&csrf={csrf[1]}"),
                               ("command", f"command={'x' * 100_000}&csrf={csrf[1]}"),
                               ("download", f"command=..%2F..%2Fetc%2Fpasswd&csrf={csrf[1]}")]:
                await send(f"signed in POST {what} {data[:40]}", "POST", f"/dashboard/c/1/{what}", data.encode(), form)
            await send("signed in broken multipart", "POST", "/dashboard/c/1/click", b"--x\r\n",
                       {"Content-Type": "multipart/form-data; boundary=x"})
            # and the bot still works
            await signed("a real command", slash_command_body(
                "/poll", 'create question:"Still up?" options:"Yes; No"', user_id="U1", team_id=fake.team_id,
                channel_id=GENERAL, response_url=fake.response_url(GENERAL)), corpus.FORM)
            await fake.wait_for_call("chat.postMessage", predicate=lambda c: "Still up?" in str(c.params))
            await asyncio.sleep(1)  # what the handlers log after their acknowledgement
        finally:
            bot.stop()
    log = (tmp_path / "stderr.log").read_text(errors="replace")
    server_errors = {label: status for label, status in statuses.items() if status >= 500}
    print(f"\ncorpus: {len(sent)} requests, statuses {sorted(set(sent))}, {sum(s >= 500 for s in sent)} 5xx")
    assert len(sent) >= 130 and max(sent) < 500
    assert server_errors == {}
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]
    assert statuses["json {"] == 401 and statuses["payload=notjson"] == 401 and statuses["json []"] == 400
