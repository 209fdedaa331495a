"""Each member's last active day, kept by the writer: whatever the batches (late events, joins
that make nobody active, the same member over several batches, a refused row), "active members
in the last 7 days" counted from it equals the distinct active members of the daily rollup —
and so do past ranges; "forget" takes the member out of both."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import case, func, select, update
from sqlmodel import Session

from bot import Member
from cogs.participation import reports
from cogs.participation.cog import delete_member_rows
from cogs.participation.models import ParticipantState, ParticipationDaily
from cogs.participation.writer import BatchStore

from .helpers import PARTICIPATION_COGS, YAML
from .test_trend import TODAY, _item, _members

D = ParticipationDaily.__table__.c
S = ParticipantState.__table__.c


def _distinct(conn, cid: int, since, until) -> int:
    """The old question: distinct visible members with an active member-day in the range."""
    hidden = select(Member.__table__.c.id).where(Member.__table__.c.opted_out)
    return conn.execute(select(func.count(func.distinct(case((D.active > 0, D.member_id))))).where(
        D.community_id == cid, D.day >= since, D.day <= until, D.member_id.not_in(hidden))).scalar() or 0


def _newest_active(conn, cid: int) -> dict:
    return dict(conn.execute(select(D.member_id, func.max(D.day)).where(D.community_id == cid, D.active > 0)
                             .group_by(D.member_id)).all())


def _kept(conn, cid: int) -> dict:
    return {m: d for m, d in conn.execute(select(S.member_id, S.last_active_day).where(S.community_id == cid))
            if d is not None}


async def check(make_bot, db_url: str | None, seed: int) -> None:
    bot = await make_bot(yaml=YAML, cogs=PARTICIPATION_COGS, db_url=db_url)
    cid, ids = await _members(bot, 20)
    rnd = random.Random(seed)
    items = [_item(cid, rnd.choice(ids[:-1]), rnd.choice(["message", "reaction", "join", "join"]),
                   TODAY - timedelta(days=rnd.randrange(20))) for _ in range(900)]
    items += [_item(cid, ids[-1], "join", TODAY)]  # only ever joined: never active
    store = BatchStore(bot.db)
    i = 0
    while i < len(items):
        step = rnd.choice([1, 3, 50, 200])
        await bot.db.call(store.write, items[i:i + step])
        i += step
    with bot.db.engine.begin() as conn:
        conn.execute(update(Member.__table__).where(Member.__table__.c.id.in_(ids[:2])).values(opted_out=True))
    ranges = [(TODAY - timedelta(days=6), TODAY), (TODAY - timedelta(days=13), TODAY - timedelta(days=7)),
              (TODAY, TODAY), (TODAY - timedelta(days=40), TODAY + timedelta(days=3))]

    def compare() -> None:
        with bot.db.engine.connect() as conn:
            assert _kept(conn, cid) == _newest_active(conn, cid)
            for since, until in ranges:
                assert reports.active_members(conn, cid, since, until) == _distinct(conn, cid, since, until)
            assert reports.week_numbers(conn, cid, *ranges[0]).active == _distinct(conn, cid, *ranges[0]) > 0

    compare()
    with bot.db.engine.connect() as conn:
        assert ids[-1] not in _kept(conn, cid)
    late = [_item(cid, ids[5], "message", TODAY - timedelta(days=30))]  # a late event moves nothing back
    await bot.db.call(store.write, late)
    compare()

    def forget(session: Session) -> None:
        delete_member_rows(session, cid, ids[3])

    await bot.db.run(forget)
    compare()


@pytest.mark.parametrize("seed", [1, 2])
async def test_active_members_from_the_last_active_day_match_the_rollup_sqlite(make_bot, seed: int) -> None:
    await check(make_bot, None, seed)


@pytest.mark.postgres
async def test_active_members_from_the_last_active_day_match_the_rollup_postgres(make_bot, pg_url) -> None:
    await check(make_bot, pg_url, 3)
