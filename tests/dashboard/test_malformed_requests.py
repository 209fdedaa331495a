"""Requests to the dashboard that are not what a browser sends: refused with a page, never a 500.

Each of these answered 500 with a traceback in the log: a member id past SQLite's INTEGER
(OverflowError), a broken multipart body (aiohttp's ValueError), a csrf field or a sign-in
token with non-ASCII characters (``hmac.compare_digest`` refuses to compare them: TypeError).
"""

from __future__ import annotations

import logging
from typing import Any

from tests.participation.helpers import YAML

from .helpers import DASHBOARD_COGS, client, csrf_of, link_for, sign_in


def tracebacks(caplog: Any) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info]


async def test_malformed_dashboard_requests_get_a_4xx_page_and_no_traceback(make_bot: Any, caplog: Any) -> None:
    caplog.set_level(logging.INFO)
    bot = await make_bot(yaml=YAML, cogs=DASHBOARD_COGS, web=True)
    await bot.message("ana")
    link = await link_for(bot, "tess", "instructor")
    community = bot.member("tess").community_id
    base = f"{bot.url}/dashboard/c/{community}"
    statuses: dict[str, int] = {}
    async with client() as http:
        for token in ("a.%C3%A9", "%C3%A9.%C3%A9", "x." + "f" * 32):
            async with http.get(f"{bot.url}/dashboard/login?t={token}") as response:
                statuses[f"login {token}"] = response.status
        await sign_in(http, link)
        async with http.get(base) as page:
            csrf = csrf_of(await page.text())
        for mid in ("99999999999999999999", "9223372036854775808", "%C2%B2", "-1", "0", "abc"):
            async with http.get(f"{base}/m/{mid}") as response:
                statuses[f"member {mid}"] = response.status
        for i, j in (("99999999999999999999", "0"), ("-1", "-1"), ("%C2%B2", "0")):
            async with http.get(f"{base}/p/stats/bars/{i}/{j}.svg") as response:
                statuses[f"bars {i}/{j}"] = response.status
        multipart = {"Content-Type": "multipart/form-data; boundary=x"}
        for path in ("click", "command", "download"):
            async with http.post(f"{base}/{path}", data=b"--x\r\n", headers=multipart) as response:
                statuses[f"{path} broken multipart"] = response.status
            async with http.post(f"{base}/{path}", data={"csrf": "é" + csrf[1:], "action": "x"}) as response:
                statuses[f"{path} non-ASCII csrf"] = response.status
        async with http.post(f"{bot.url}/dashboard/logout", data=b"--x\r\n", headers=multipart) as response:
            statuses["logout broken multipart"] = response.status
        async with http.post(f"{bot.url}/dashboard/logout", data={"csrf": "é"}) as response:
            statuses["logout non-ASCII csrf"] = response.status
        async with http.get(base) as page:  # and the session still works
            statuses["overview after"] = page.status
    assert all(400 <= status < 500 for what, status in statuses.items() if what != "overview after"), statuses
    assert statuses["overview after"] == 200
    assert statuses["member 99999999999999999999"] == 404 and statuses["click broken multipart"] == 400
    assert tracebacks(caplog) == []
