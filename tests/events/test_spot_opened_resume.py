"""The "a spot opened" DM of a waitlist promotion is remembered in the promotion's transaction:
a process that stopped between that commit and the DM (kill -9, a crash) leaves it marked, and
the events cog's minute sync sends it — once — after the restart."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from cogs.events.models import EventRsvp

from .helpers import create, events, rsvps, start

JAM = 'title:"Study jam" when:"2026-01-14 18:00" channel:general'
SPOT = "A spot opened: you're now going to **Study jam**"


def spot_dms(bot: Any, user: str) -> int:
    return sum(SPOT in m.text for m in bot.dms(user))


def marked(bot: Any) -> list[Any]:
    with bot.session() as session:
        return list(session.exec(select(EventRsvp.promoted_at).where(EventRsvp.promoted_at != None)).all())  # noqa: E711


async def test_a_spot_opened_dm_the_process_did_not_send_goes_out_once_after_the_restart(make_bot: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, f"{JAM} capacity:1")
    await bot.click(card, "Going", as_="ana")
    await bot.click(card, "Going", as_="ben")  # the waitlist

    async def stopped_before_the_dm(event_id: int, member_ids: list[int]) -> None:
        return None  # the promotion is committed; the process is gone before it sends
    events(bot)._tell_promoted = stopped_before_the_dm
    await bot.click(card, "Can't go", as_="ana")
    assert rsvps(bot) == {"ana": "no", "ben": "going"}
    assert spot_dms(bot, "ben") == 0 and len(marked(bot)) == 1

    await bot.restart()
    await bot.advance(timedelta(minutes=1))
    await bot.app.scheduler.run_background()  # the minute sync; not yet: a live send may be under way
    assert spot_dms(bot, "ben") == 0
    await bot.advance(timedelta(minutes=2))
    await bot.app.scheduler.run_background()
    assert spot_dms(bot, "ben") == 1 and marked(bot) == []
    await bot.restart()
    await bot.advance(timedelta(minutes=5))
    await bot.app.scheduler.run_background()
    assert spot_dms(bot, "ben") == 1


async def test_a_spot_opened_dm_sent_at_once_is_not_sent_again(make_bot: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, f"{JAM} capacity:1")
    await bot.click(card, "Going", as_="ana")
    await bot.click(card, "Going", as_="ben")
    await bot.click(card, "Can't go", as_="ana")
    assert spot_dms(bot, "ben") == 1 and marked(bot) == []
    await bot.advance(timedelta(minutes=5))
    await bot.app.scheduler.run_background()
    assert spot_dms(bot, "ben") == 1
