"""Reaction kudos through the harness: the configured emoji on someone's message is a small
kudos with its own points; within the daily limit shared with /kudos; never your own message
or a bot's; once per giver and message (duplicate events, re-reacting, a second kudos emoji);
other emoji and opted-out members count nothing; forget erases them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlmodel import select

from cogs.kudos.logic import is_kudos_emoji
from cogs.kudos.models import KudosGiven
from cogs.participation.models import ParticipationDailyKind
from tests.kudos.test_kudos import YAML, start

REACTION_YAML = YAML.replace("{kudos: 4}", "{kudos: 4, kudos_reaction: 1.5, reaction: 0}") + \
    '    kudos: {per_day: 3, emoji: ["🙏", thanks]}\n'


def rows(bot: Any) -> list[tuple[str, str, str, str | None]]:
    with bot.session() as s:
        found = s.exec(select(KudosGiven).order_by(KudosGiven.id)).all()
        return [(k.source, str(k.giver_id), str(k.receiver_id), k.message_id) for k in found]


def kinds(bot: Any, kind: str) -> dict[int, int]:
    with bot.session() as s:
        found = s.exec(select(ParticipationDailyKind).where(ParticipationDailyKind.kind == kind)).all()
    return {r.member_id: r.count for r in found}


async def points(bot: Any, who: str) -> float:
    r = await bot.command("/stats me", as_=who)
    return float(next(f.value for f in r.reply.content.fields if f.name == "Points (all time)"))


async def test_a_kudos_emoji_on_someones_message_is_a_small_kudos_for_its_author(make_bot: Any) -> None:
    bot = await start(make_bot, REACTION_YAML)
    ben_message = await bot.message("ben")
    before = await points(bot, "ben")
    await bot.react("ana", ben_message.message_id, emoji="🙏🏽")  # any skin tone
    with bot.session() as s:
        [row] = s.exec(select(KudosGiven)).all()
    assert (row.source, row.giver_id, row.receiver_id, row.message_id) == (
        "reaction", bot.member("ana").id, bot.member("ben").id, ben_message.message_id)
    assert await points(bot, "ben") == before + 1.5  # participation.points: {kudos_reaction: 1.5}
    stats = await bot.command("/stats me", as_="ben")
    assert next(f.value for f in stats.reply.content.fields if f.name == "Kudos received") == \
        "this week: 0 kudos + 1 by reaction · in all: 0 kudos + 1 by reaction"
    assert "reaction kudos received 1" in stats.text
    assert [m.text for m in bot.messages("general")] == []  # silent: nobody is pinged
    await bot.command("/kudos-board join", as_="ben")
    assert (await bot.command("/kudos-board", as_="cat")).reply.content.text == "1. ben — 0 kudos + 1 🙏"


async def test_duplicates_re_reacting_and_a_second_kudos_emoji_count_once(make_bot: Any) -> None:
    bot = await start(make_bot, REACTION_YAML)
    ben_message = await bot.message("ben")
    await bot.react("ana", ben_message.message_id, emoji="🙏")
    await bot.react("ana", ben_message.message_id, emoji="🙏")  # the platform delivered it twice
    await bot.react("ana", ben_message.message_id, emoji="🙏", removed=True)
    await bot.react("ana", ben_message.message_id, emoji="🙏")  # un-react, react again
    await bot.react("ana", ben_message.message_id, emoji="thanks")  # another kudos emoji, same message
    await bot.restart()
    await bot.react("ana", ben_message.message_id, emoji="🙏")  # still once after a restart
    assert [r[0] for r in rows(bot)] == ["reaction"]
    await bot.app.get_cog("stats").flush()
    assert kinds(bot, "kudos_reaction") == {bot.member("ben").id: 1}
    await bot.react("cat", ben_message.message_id, emoji="🙏")  # someone else: their own kudos
    assert len(rows(bot)) == 2


async def test_never_your_own_message_a_bots_post_or_another_emoji(make_bot: Any) -> None:
    bot = await start(make_bot, REACTION_YAML)
    ana_message = await bot.message("ana")
    await bot.react("ana", ana_message.message_id, emoji="🙏")  # your own message
    r = await bot.command("/kudos member:ben reason:thanks", as_="cat")
    assert not r.error
    await bot.react("ana", bot.last("general").ref.message_id, emoji="🙏")  # the bot's post
    await bot.react("ben", ana_message.message_id, emoji="👍")  # not a kudos emoji
    await bot.react("ben", "unknown-message", emoji="🙏")  # a message whose author nobody knows
    assert [r[0] for r in rows(bot)] == ["command"]


async def test_reactions_share_the_daily_limit_with_kudos(make_bot: Any) -> None:
    bot = await start(make_bot, REACTION_YAML)  # per_day: 3
    bot.clock.set(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    messages = [await bot.message("ben") for _ in range(4)]
    assert not (await bot.command("/kudos member:ben reason:thanks", as_="ana")).error
    for m in messages:
        await bot.react("ana", m.message_id, emoji="🙏")
    assert [r[0] for r in rows(bot)] == ["command", "reaction", "reaction"]  # the 4th and 5th: over the limit
    over = await bot.command("/kudos member:cat reason:thanks", as_="ana")
    assert over.error and "your 3 kudos for today (reaction kudos count too)" in over.text
    bot.clock.set(datetime(2026, 3, 11, 12, 0, tzinfo=timezone.utc))  # a new day
    await bot.react("ana", messages[3].message_id, emoji="🙏")
    assert len(rows(bot)) == 4


async def test_opted_out_members_are_not_watched_or_counted_and_forget_erases(make_bot: Any) -> None:
    bot = await start(make_bot, REACTION_YAML)
    ben_message, cat_message = await bot.message("ben"), await bot.message("cat")
    await bot.command("/privacy optout", as_="cat")
    await bot.react("cat", ben_message.message_id, emoji="🙏")  # an opted-out giver is not watched
    await bot.react("ana", cat_message.message_id, emoji="🙏")  # an opted-out author is not counted
    assert rows(bot) == []
    await bot.react("ana", ben_message.message_id, emoji="🙏")
    assert (await bot.forget("ben"))["kudos"] == 1
    assert rows(bot) == []


async def test_reaction_kudos_can_be_turned_off(make_bot: Any) -> None:
    bot = await start(make_bot, YAML + "    kudos: {emoji: []}\n")
    ben_message = await bot.message("ben")
    await bot.react("ana", ben_message.message_id, emoji="🙏")
    assert rows(bot) == []


def test_the_configured_emoji_match_what_each_platform_reports() -> None:
    assert is_kudos_emoji("🙏", ["🙏"]) and is_kudos_emoji("🙏🏿", ["🙏"])          # Discord, skin tone
    assert is_kudos_emoji("pray", ["🙏"]) and is_kudos_emoji("pray::skin-tone-4", ["🙏"])  # Slack
    assert is_kudos_emoji("<:thanks:123456>", ["thanks"]) and is_kudos_emoji("thanks", [":thanks:"])
    assert is_kudos_emoji("❤️", ["heart"]) and is_kudos_emoji("heart", ["❤"])
    assert not is_kudos_emoji("👍", ["🙏"]) and not is_kudos_emoji("", ["🙏"]) and not is_kudos_emoji("pray", [])
    assert not is_kudos_emoji("<:prayer:1>", ["pray"])


async def test_the_weekly_digest_counts_kudos_without_names(make_bot: Any) -> None:
    yaml = REACTION_YAML + "    channels: {staff: staff}\n    digest: {channel: staff, when: \"fri 17:00\"}\n"
    bot = await start(make_bot, yaml)  # the harness clock starts Mon 2026-01-12
    ben_message = await bot.message("ben")
    await bot.command("/kudos member:ben reason:thanks", as_="ana")
    await bot.command("/kudos member:cat reason:thanks", as_="ana")
    await bot.react("cat", ben_message.message_id, emoji="🙏")
    await bot.advance(datetime(2026, 1, 16, 16, 0, tzinfo=timezone.utc))  # Fri 17:00 Berlin
    fields = {f.name: f.value for f in bot.last("staff").content.fields}
    assert fields["Kudos"] == "2 kudos + 1 by reaction, from 2 members to 2 members"
    assert "thanks" not in str(fields)


def test_reaction_kudos_and_the_board_in_the_console(tmp_path: Any) -> None:
    from tests.core.test_console import run_console

    script = "\n".join([
        ":as ben member",
        "here is how I solved it",       # m1, ben's message
        ":as you member",
        ":react m1 🙏",
        ":react m1 🙏",                   # again: still one kudos
        ":react m9",                      # no such message
        ":as ben member",
        "/kudos-board join",
        "/stats me",
        "/kudos-board",
    ]) + "\n"
    result = run_console(tmp_path, script, config="cogs: [cogs.kudos, cogs.participation]\n")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert out.count("you reacted 🙏 to m1.") == 2 and "⚠️ usage: :react ID [EMOJI]" in out
    assert "You're on the kudos board" in out
    assert "this week: 0 kudos + 1 by reaction · in all: 0 kudos + 1 by reaction" in out
    assert "1. ben — 0 kudos + 1 🙏" in out
    assert "Traceback" not in out + result.stderr
