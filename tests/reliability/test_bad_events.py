"""One bad event must not stop participation tracking.

An event whose channel can't be stored (an object, a 71-character id) used to make the batched
writer retry the same batch forever, every later event queued behind it and every /stats answered
"Something went wrong". Now: the platform edge refuses such fields (Slack, the console, and the
core again for every adapter), and if a bad row still reaches the writer, its batch is split until
the bad row stands alone; that row is dropped with one log line and counted, the rest commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from bot.testing.fake_slack import FakeSlack, message_event
from bot.testing.harness import Harness
from bot.testing.slack import SlackBot
from cogs.participation.writer import EventWriter, Item

from .helpers import prepare_database
from tests.core.test_console import run_console

PARTICIPATION = "cogs.participation"
T0 = datetime(2026, 1, 12, 8, 0, tzinfo=timezone.utc)
GOOD = 1000


def _item(member_id: int, n: int, channel: Any = "general") -> Item:
    at = T0 + timedelta(seconds=n)
    return Item(1, member_id, "message", channel, at, at.date(), 1.0)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def bot(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
        prepare_database(url, cogs=[PARTICIPATION])
    harness = Harness(cogs=[PARTICIPATION], db_url=url, tmpdir=tmp_path)
    await harness.start()
    yield harness
    await harness.stop()


def _stored(bot: Harness) -> int:
    from sqlalchemy import func, select

    from cogs.participation.models import ParticipationEvent

    with bot.db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(ParticipationEvent.__table__)).scalar_one()


async def test_bad_rows_in_a_batch_are_dropped_alone_and_the_rest_commit(bot: Harness,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    await bot.message("ana")  # the member exists
    await bot.app.get_cog("stats").flush()
    base = _stored(bot)
    member = bot.member("ana")
    assert member is not None and member.id is not None
    writer = EventWriter(bot.db, batch_size=GOOD + 10, interval=3600)
    # what each database refuses: an object everywhere; a list on SQLite, a 71-character id on PostgreSQL
    bad = [{"a": 1}, [1, 2]] if bot.db.is_sqlite else [{"a": 1}, "x" * 71]
    for n in range(GOOD):
        writer.put(_item(member.id, n))
        if n in (17, 640):  # two bad rows inside one batch
            writer.put(_item(member.id, n, bad[0 if n == 17 else 1]))
    with caplog.at_level(logging.WARNING, logger="cogs.stats.writer"):
        written = await writer.flush()
    assert written == GOOD and _stored(bot) == base + GOOD
    assert writer.rejected == 2 and writer.queue.empty()  # nothing left to retry forever
    refused = [r for r in caplog.records if "the database refused" in r.getMessage()]
    assert len(refused) == 1 and "dropped 2 participation event(s)" in refused[0].getMessage()

    writer.put(_item(member.id, GOOD + 1))  # later events keep flowing
    assert await writer.flush() == 1 and _stored(bot) == base + GOOD + 1


async def test_a_71_character_channel_is_refused_at_the_edge_and_tracking_goes_on(
        bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        await bot.message("ana", channel="x" * 71)
    assert bot.app.refused_events == 1
    assert "ignored a console event with an unusable channel id" in caplog.text
    for _ in range(3):
        await bot.message("ana")
    me = await bot.command("/stats me", as_="ana")
    assert not me.error, me.text
    assert "3 events" in me.text and _stored(bot) == 3


async def test_a_command_from_an_unusable_channel_gets_one_clear_line(bot: Harness) -> None:
    result = await bot.command("/stats me", as_="ana", channel="c" * 65)
    assert result.error and "channel id I cannot use" in result.text and "Something went wrong" not in result.text


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_channel("C0GENERAL", "general", members=["U1"])
        fake.add_user("U1", "ana")
        yield fake


@pytest.mark.parametrize("field, value", [("channel", {"a": 1}), ("channel", "C" * 71), ("user", ["U1"]),
                                          ("ts", {"x": 1}), ("channel", "C0\x00GEN")])
async def test_a_slack_event_with_an_unusable_field_is_ignored_and_later_ones_count(
        fake: FakeSlack, tmp_path: Path, field: str, value: Any, caplog: pytest.LogCaptureFixture) -> None:
    bot = SlackBot(fake, tmpdir=tmp_path, cogs=[PARTICIPATION])
    await bot.start()
    try:
        bad = message_event("U1", "C0GENERAL", "hello")
        bad[field] = value
        with caplog.at_level(logging.WARNING):
            assert (await bot.event(bad))[0] == 200
            await bot.idle()
        assert bot.app.refused_events == 1 and "unusable" in caplog.text
        for n in range(3):
            assert (await bot.event(message_event("U1", "C0GENERAL", f"hi {n}")))[0] == 200
        await bot.idle()
        stats = bot.app.get_cog("stats")
        await stats.flush()
        assert stats.writer.written == 3 and stats.writer.rejected == 0
        assert "Traceback" not in caplog.text
    finally:
        await bot.stop()


def test_console_refuses_a_70_character_channel_and_keeps_counting(tmp_path: Path) -> None:
    script = "\n".join([f":channel {'x' * 70}", "hello", "again", ":as " + "n" * 65, "/stats me"]) + "\n"
    result = run_console(tmp_path, script, config=f"cogs: [{PARTICIPATION}]\n")
    assert result.returncode == 0, result.stderr
    assert "a channel is 1 to 64 printable characters (got 70) — nothing changed" in result.stdout
    assert "a name is 1 to 64 printable characters (got 65)" in result.stdout
    assert "2 events" in result.stdout and "Something went wrong" not in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def test_a_nul_in_typed_text_is_dropped_not_refused_by_postgresql(backend: str, request: pytest.FixtureRequest,
                                                                        tmp_path: Path) -> None:
    """PostgreSQL text cannot hold NUL: `/poll create question:"a<NUL>b"` was "Something went wrong"
    (psycopg DataError) there and fine on SQLite. Typed text loses its NULs on every backend."""
    url = None
    if backend == "postgresql":
        url = request.getfixturevalue("pg_url")
        prepare_database(url, cogs=["cogs.polls"])
    async with Harness(cogs=["cogs.polls"], db_url=url, tmpdir=tmp_path) as bot:
        created = await bot.command('/poll create question:"Lunch\0 today?" options:"Pizza\0; Soup"', as_="ana")
        assert not created.error and bot.app.errors.last_reference is None, created.text
        results = await bot.command("/poll results 1", as_="ana")
        assert "Lunch today?" in results.text and "Pizza" in results.text
