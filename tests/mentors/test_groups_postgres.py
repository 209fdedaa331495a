"""/mentor groups on PostgreSQL (skipped without TEST_DATABASE_URL): preview, confirm, the
no-repeat history, /mentor me and forget."""

from __future__ import annotations

from sqlmodel import select

from cogs.mentors.models import StudyGroupMember

from .support import COGS, YAML, buttons, join
from .test_groups import PEOPLE, intro_groups


async def test_study_groups_on_postgres(make_bot, pg_url: str) -> None:
    bot = await make_bot(yaml=YAML, cogs=COGS, db_url=pg_url)
    for who in PEOPLE[:6]:
        await join(bot, who, topics="python")
    previews = []
    for _ in range(2):
        r = await bot.command("/mentor groups size:3", as_="ivy", role="instructor")
        assert not r.error, r.text
        previews.append(r.text)
        done = await bot.click(buttons(r)["Confirm"], as_="ivy", role="instructor")
        assert "2 groups introduced" in done.text
    # 6 people in threes twice: some pairs must meet again, and the history query says so
    assert "Repeats" not in previews[0] and "Repeats: 2 pairs" in previews[1]
    assert len(intro_groups(bot)) == 4
    assert "Study group" in (await bot.command("/mentor me", as_="ann")).text
    ann = bot.member("ann").id
    await bot.forget("ann")
    with bot.session() as s:
        assert all(m.member_id != ann for m in s.exec(select(StudyGroupMember)).all())
