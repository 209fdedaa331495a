"""The members active per community-day (the chart's line) kept by the writer: whatever the
batches, equal to counting the daily rollup's active member-days; "forget" takes a member out."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from cogs.participation import reports
from cogs.participation.cog import delete_member_rows
from cogs.participation.models import ParticipationDaily, ParticipationDay
from cogs.participation.writer import BatchStore

from .helpers import PARTICIPATION_COGS, YAML
from .test_trend import TODAY, _item, _members

D = ParticipationDaily.__table__.c
A = ParticipationDay.__table__.c


def _counted(conn, cid: int) -> dict:
    """Members active per day, counted from the daily rollup."""
    rows = conn.execute(select(D.day, func.count()).where(D.community_id == cid, D.active > 0).group_by(D.day))
    return {day: n for day, n in rows}


def _kept(conn, cid: int) -> dict:
    return {day: n for day, n in conn.execute(select(A.day, A.active_members).where(A.community_id == cid))
            if n}


async def check(make_bot, db_url: str | None, seed: int) -> None:
    bot = await make_bot(yaml=YAML, cogs=PARTICIPATION_COGS, db_url=db_url)
    cid, ids = await _members(bot, 15)
    rnd = random.Random(seed)
    # joins make nobody active; late events; the same member-day over several batches
    items = [_item(cid, rnd.choice(ids), rnd.choice(["message", "reaction", "join", "join"]),
                   TODAY - timedelta(days=rnd.randrange(6))) for _ in range(700)]
    store = BatchStore(bot.db)
    i = 0
    while i < len(items):
        step = rnd.choice([1, 3, 50, 200])
        await bot.db.call(store.write, items[i:i + step])
        i += step
    expected = Counter(it.day for it in {(it.member_id, it.day): it for it in items if it.active}.values())
    with bot.db.engine.connect() as conn:
        assert _kept(conn, cid) == _counted(conn, cid) == dict(expected)
        series = reports.daily_series(conn, cid, TODAY - timedelta(days=5), TODAY)
    assert {d.day: d.active for d in series if d.active} == dict(expected)

    def forget(session: Session) -> None:
        delete_member_rows(session, cid, ids[0])

    await bot.db.run(forget)
    with bot.db.engine.connect() as conn:
        assert _kept(conn, cid) == _counted(conn, cid)


@pytest.mark.parametrize("seed", [1, 2])
async def test_members_active_per_day_match_the_rollup_sqlite(make_bot, seed: int) -> None:
    await check(make_bot, None, seed)


@pytest.mark.postgres
async def test_members_active_per_day_match_the_rollup_postgres(make_bot, pg_url) -> None:
    await check(make_bot, pg_url, 3)


async def test_the_overviews_week_numbers_equal_the_full_ones(make_bot) -> None:
    """The Overview's numbers (counts from the counts per day, members for two kinds) say what the
    digest's full question says, opted-out members left out of both."""
    from sqlalchemy import update

    from bot import Member

    bot = await make_bot(yaml=YAML, cogs=PARTICIPATION_COGS)
    cid, ids = await _members(bot, 12)
    rnd = random.Random(4)
    kinds = ["message", "reaction", "join", "prompt_response", "poll_vote"]
    items = [_item(cid, rnd.choice(ids), rnd.choice(kinds), TODAY - timedelta(days=rnd.randrange(10)))
             for _ in range(400)]
    await bot.db.call(BatchStore(bot.db).write, items)
    with bot.db.engine.begin() as conn:
        conn.execute(update(Member.__table__).where(Member.__table__.c.id.in_(ids[:2])).values(opted_out=True))
    since = TODAY - timedelta(days=6)
    with bot.db.engine.connect() as conn:
        full = reports.week_numbers(conn, cid, since, TODAY)
        quick = reports.week_numbers(conn, cid, since, TODAY, people_of=["prompt_response", "poll_vote"])
    assert (quick.members, quick.active) == (full.members, full.active)
    assert {k: v.count for k, v in quick.kinds.items()} == {k: v.count for k, v in full.kinds.items()}
    for kind in ("prompt_response", "poll_vote"):
        assert quick.kinds[kind] == full.kinds[kind]
    visible = {it.member_id for it in items if it.member_id not in ids[:2] and it.day >= since and it.active}
    assert full.active == len(visible)
