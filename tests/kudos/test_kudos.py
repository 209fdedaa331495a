"""/kudos through the harness: the public thank-you, the daily limit at the community's
midnight, never yourself or a bot, the receiver's participation (configurable points,
"kudos received" in /stats me), bad input as one line, forget; and the console."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.models import Member
from cogs.kudos.models import KudosGiven
from cogs.participation.models import ParticipationDailyKind
from tests.core.test_console import run_console

COGS = ["cogs.kudos", "cogs.participation"]

YAML = """
communities:
  - id: console
    platform: console
    timezone: Europe/Berlin
    participation:
      points: {kudos: 4}
"""


async def start(make_bot: Any, yaml: str = YAML) -> Any:
    bot = await make_bot(yaml=yaml, cogs=COGS)
    for who in ("ana", "ben", "cat"):
        await bot.message(who)  # they are known members of the community
    return bot


def points_total(result: Any) -> float:
    return float(next(f.value for f in result.reply.content.fields if f.name == "Points (all time)"))


def kudos_rows(bot: Any) -> list[KudosGiven]:
    with bot.session() as s:
        return list(s.exec(select(KudosGiven).order_by(KudosGiven.id)).all())


async def test_kudos_are_a_public_thank_you_that_counts_for_the_receiver(make_bot: Any) -> None:
    bot = await start(make_bot)
    r = await bot.command('/kudos member:ben reason:"explained @everyone merge sort"', as_="ana")
    assert not r.error
    post = bot.last("general")
    assert post.text.startswith("🙏 <@ana> gives kudos to <@ben>: explained")
    assert "@everyone" not in post.text  # the reason can't ping anybody
    assert "Kudos sent (4 left today)." in r.text and r.reply.ephemeral
    stats = await bot.command("/stats me", as_="ben")
    assert "kudos received 1" in stats.text
    assert "kudos received" not in (await bot.command("/stats me", as_="ana")).text
    ben_id = bot.member("ben").id
    with bot.session() as s:
        row = s.exec(select(ParticipationDailyKind).where(ParticipationDailyKind.kind == "kudos")).one()
    assert row.member_id == ben_id and row.count == 1
    ben_points, cat_points = [points_total(await bot.command("/stats me", as_=who)) for who in ("ben", "cat")]
    assert ben_points == cat_points + 4  # participation.points: {kudos: 4} overrides the default 2


async def test_five_a_day_resetting_at_the_communitys_midnight(make_bot: Any) -> None:
    bot = await start(make_bot)
    bot.clock.set(datetime(2026, 3, 10, 22, 30, tzinfo=timezone.utc))  # 23:30 in Berlin
    for n in range(5):
        r = await bot.command(f"/kudos member:{'ben' if n % 2 else 'cat'} reason:thanks", as_="ana")
        assert not r.error, r.text
    sixth = await bot.command("/kudos member:ben reason:thanks", as_="ana")
    assert sixth.error and len(sixth.replies) == 1
    assert "you have given your 5 kudos for today" in sixth.text
    assert len(kudos_rows(bot)) == 5
    other = await bot.command("/kudos member:ana reason:thanks", as_="ben")  # the limit is per giver
    assert not other.error
    bot.clock.set(datetime(2026, 3, 10, 23, 1, tzinfo=timezone.utc))  # 00:01 in Berlin, 23:01 UTC
    assert not (await bot.command("/kudos member:ben reason:thanks", as_="ana")).error
    await bot.restart()  # the count is in the database
    bot.clock.set(datetime(2026, 3, 10, 23, 2, tzinfo=timezone.utc))
    for _ in range(4):
        assert not (await bot.command("/kudos member:cat reason:thanks", as_="ana")).error
    assert (await bot.command("/kudos member:cat reason:thanks", as_="ana")).error
    assert "kudos received 7" in (await bot.command("/stats me", as_="cat")).text  # 3 + 4, this week


async def test_limit_is_configurable(make_bot: Any) -> None:
    bot = await start(make_bot, YAML + "    kudos: {per_day: 1}\n")
    assert not (await bot.command("/kudos member:ben reason:thanks", as_="ana")).error
    r = await bot.command("/kudos member:cat reason:thanks", as_="ana")
    assert r.error and "your 1 kudos for today" in r.text


async def test_never_yourself_never_a_bot_never_a_stranger(make_bot: Any) -> None:
    bot = await start(make_bot)
    community_id = bot.member("ana").community_id
    with bot.session() as s:
        s.add(Member(community_id=community_id, external_id="helperbot", is_bot=True))
        s.commit()
    cases = {
        "/kudos member:ana reason:me": "you can't give kudos to yourself",
        "/kudos member:helperbot reason:beep": "bots don't take kudos",
        "/kudos member:zed reason:hi": 'I don\'t know a member "zed"',
        "/kudos member:ben": "reason",
        '/kudos member:ben reason:"   "': "reason: must not be empty",
        "/kudos reason:hi": "member",
        f"/kudos member:ben reason:{'x' * 301}": "300",
    }
    for line, expected in cases.items():
        r = await bot.command(line, as_="ana")
        assert r.error and len(r.replies) == 1 and expected in r.text, (line, r.text)
        assert r.reply.ephemeral and "Traceback" not in r.text
    assert kudos_rows(bot) == [] and [m.text for m in bot.messages("general")] == []
    assert "kudos received" not in (await bot.command("/stats me", as_="ana")).text


async def test_opted_out_receiver_is_thanked_but_not_counted(make_bot: Any) -> None:
    bot = await start(make_bot)
    await bot.command("/privacy optout", as_="ben")
    r = await bot.command("/kudos member:ben reason:thanks", as_="ana")
    assert not r.error and "gives kudos to <@ben>" in bot.last("general").text
    with bot.session() as s:
        assert s.exec(select(ParticipationDailyKind).where(ParticipationDailyKind.kind == "kudos")).all() == []


async def test_forget_erases_kudos_given_and_received(make_bot: Any) -> None:
    bot = await start(make_bot)
    await bot.command("/kudos member:ben reason:a", as_="ana")
    await bot.command("/kudos member:ana reason:b", as_="ben")
    await bot.command("/kudos member:cat reason:c", as_="ben")
    assert (await bot.forget("ana"))["kudos"] == 2
    assert [(k.giver_id, k.receiver_id) for k in kudos_rows(bot)] == [(bot.member("ben").id, bot.member("cat").id)]
    assert all("thanks" not in str(vars(k)) for k in kudos_rows(bot))  # the reason is never stored


def test_kudos_in_the_console(tmp_path: Path) -> None:
    script = "\n".join([
        "hello everyone",               # "you" posts, so the community knows them
        ":as ben member",
        "/kudos member:you reason:\"great notes\"",
        "/kudos member:ben reason:me",
        "/kudos member:you",
        ":as you member",
        "/stats me",
    ]) + "\n"
    result = run_console(tmp_path, script, config="cogs: [cogs.kudos, cogs.participation]\n")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "gives kudos to" in out and "great notes" in out and "Kudos sent (4 left today)." in out
    assert "you can't give kudos to yourself" in out
    assert "kudos received 1" in out
    assert "Traceback" not in out + result.stderr
