"""Every command option that takes a file, on the Discord fake, with bad attachments: empty,
binary, not UTF-8, a CSV without the column, thousands of lines, one line past any limit, past
the size cap, one the CDN no longer has, and one missing from the interaction. No traceback, no
raw library text, one private clear line, payloads within Discord's rules."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.testing import payload_checks
from bot.testing.discord import GENERAL, GUILD, IVY, responses, running, text_of
from bot.testing.fake_discord import FakeDiscord

from .corpus import answer_problems, tracebacks
from .discord_corpus import ATTACHMENT, nest, subcommands, valid_value
from .test_discord import cohort
from .world import COGS, community

FILES = {"empty.txt": b"", "binary.png": bytes(range(256)) * 4, "latin1.txt": "Été ?\n".encode("latin-1"),
         "nocolumn.csv": b"a,b\n1,2\n", "many.txt": b"".join(b"Question %d?\n" % n for n in range(20_000)),
         "long.txt": b"x" * 5000 + b"\n", "blank.txt": b"\n \n\t\n", "bom.csv": b"\xef\xbb\xbfquestion\n\x00\x1b\n"}


async def test_every_file_option_with_bad_attachments_on_discord(tmp_path: Path, caplog: Any) -> None:
    caplog.set_level(logging.WARNING)
    async def serve(request: web.Request) -> web.Response:  # Discord's CDN; a file it no longer has is a 404
        name = request.match_info["name"]
        return web.Response(body=FILES[name]) if name in FILES else web.Response(status=404)

    cdn = web.Application()
    cdn.router.add_get("/{name}", serve)
    runner = web.AppRunner(cdn)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    problems: list[str] = []
    try:
        async with FakeDiscord() as fake:
            cohort(fake)
            yaml = community(str(GUILD), "discord", instructors="{roles: [Instructor]}", staff="staff-room")
            async with running(fake, tmp_path / "bot.db", yaml=yaml, cogs=COGS):
                registered = max(fake.registered_commands.values(), key=len)
                ids = {"member": 604, "member_payload": fake.state.user(604), "channel": GENERAL,
                       "channel_payload": fake.state.channels[str(GENERAL)]}
                leaves = [(p, o) for p, o in subcommands(registered) if any(x["type"] == ATTACHMENT for x in o)]
                assert leaves  # /prompt bank import
                cases = [(name, len(data)) for name, data in FILES.items()] + [
                    ("gone.txt", 10), ("huge.txt", 50_000_000), ("not in the interaction", 0)]
                for path, options in leaves:
                    for name, size in cases:
                        caplog.clear()
                        seen = len(payload_checks.seen)
                        sent = []
                        for option in options:
                            if option["type"] == ATTACHMENT:
                                sent.append({"type": ATTACHMENT, "name": option["name"], "value": "900"})
                            elif option.get("required") and (valid := valid_value(path, option, ids)):
                                value = "reflection" if option["name"] == "bank" else valid[0]  # a bank that exists
                                sent.append({"type": option["type"], "name": option["name"], "value": value})
                        resolved = {} if name.startswith("not") else {"attachments": {"900": {
                            "id": "900", "filename": name, "size": size, "url": f"{base}/{name}",
                            "proxy_url": f"{base}/{name}", "content_type": "text/plain"}}}
                        interaction = await fake.send_interaction_command(GUILD, GENERAL, IVY, path[0],
                                                                          nest(path, sent), resolved=resolved)
                        line = f"/{' '.join(path)} [{name}] (Discord)"
                        try:
                            records = await responses(fake, interaction)
                        except TimeoutError:
                            problems.append(f"{line}: no answer")
                            continue
                        private = bool(((records[0].get("data") or {}).get("flags") or 0) & 64)
                        problems += answer_problems(line, [(text_of(r), private) for r in records])
                        problems += [f"{line}: {v}" for v in payload_checks.seen[seen:]]
                        if logged := tracebacks(caplog.records):
                            problems.append(f"{line}: logged {logged}")
                payload_checks.seen.clear()  # each is named above, with its line
    finally:
        await runner.cleanup()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
