"""Kudos on PostgreSQL (skipped without TEST_DATABASE_URL): /kudos, reaction kudos once per
message (the unique index and its savepoint), the board, /stats me and forget."""

from __future__ import annotations

from typing import Any

from tests.kudos.test_kudos import COGS
from tests.kudos.test_reactions import REACTION_YAML, rows


async def test_kudos_board_and_reactions_on_postgres(make_bot: Any, pg_url: str) -> None:
    bot = await make_bot(yaml=REACTION_YAML, cogs=COGS, db_url=pg_url)
    ben_message = await bot.message("ben")
    await bot.message("ana")
    assert not (await bot.command("/kudos member:ben reason:thanks", as_="ana")).error
    for _ in range(2):
        await bot.react("ana", ben_message.message_id, emoji="🙏")
    assert [r[0] for r in rows(bot)] == ["command", "reaction"]
    await bot.command("/kudos-board join", as_="ben")
    assert (await bot.command("/kudos-board", as_="ana")).reply.content.text == "1. ben — 1 kudos + 1 🙏"
    assert "this week: 1 kudos + 1 by reaction" in (await bot.command("/stats me", as_="ben")).text
    assert (await bot.forget("ben"))["kudos"] == 3
    assert rows(bot) == []
