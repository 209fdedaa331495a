"""schedules.yaml is synced into the database at start, idempotently."""

from __future__ import annotations

from datetime import timedelta

from bot.models import Community

from .helpers import PROMPTS, SUNDAY, community_yaml, posts, schedule

WARMUP = '- {id: warmup, channel: discussion, when: "mon 09:00", bank: reflection}'
BANK = 'reflection: ["A?", "B?"]'


async def test_restarting_with_the_same_yaml_changes_nothing(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(prompts=WARMUP, banks=BANK), cogs=PROMPTS, start=SUNDAY)
    before = schedule(bot, "warmup")
    bot.clock.advance(timedelta(hours=1))
    await bot.restart()
    after = schedule(bot, "warmup")
    assert (after.id, after.updated_at, after.active_since, after.config_hash) == \
        (before.id, before.updated_at, before.active_since, before.config_hash)


async def test_a_changed_schedule_is_updated_and_a_removed_one_deactivated_with_history_kept(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(prompts=WARMUP, banks=BANK), cogs=PROMPTS, start=SUNDAY)
    await bot.advance(timedelta(days=1))
    assert len(posts(bot)) == 1
    first_id = schedule(bot, "warmup").id
    await bot.restart(yaml=community_yaml(prompts=WARMUP.replace("mon 09:00", "tue 10:00"), banks=BANK))
    row = schedule(bot, "warmup")
    assert row.id == first_id and row.when_text == "tue 10:00" and row.active
    await bot.advance(timedelta(days=1))
    assert [p.posted_at.strftime("%a %H:%M") for p in posts(bot)] == ["Mon 08:00", "Tue 09:00"]  # UTC
    await bot.restart(yaml=community_yaml(banks=BANK))
    row = schedule(bot, "warmup")
    assert not row.active and row.inactive_reason == "removed"
    await bot.advance(timedelta(days=14))
    assert len(posts(bot)) == 2  # nothing more posted, and the history is still there
    r = await bot.command("/prompt list", role="instructor")
    assert "No prompt schedules yet" in r.text


async def test_cancelling_a_yaml_schedule_pauses_it_until_the_file_changes_it(make_bot) -> None:
    yaml = community_yaml(prompts=WARMUP, banks=BANK)
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    r = await bot.command("/prompt cancel warmup", role="instructor")
    assert "stays paused until /prompt resume id:warmup or a change to that schedule in the file" in r.text
    await bot.restart()  # same file: still paused
    await bot.advance(timedelta(days=7))
    assert posts(bot) == []
    assert "cancelled — /prompt resume id:warmup starts it again" in (await bot.command("/prompt list", role="instructor")).text
    await bot.restart(yaml=community_yaml(prompts=WARMUP.replace("}", ", thread: true}"), banks=BANK))
    await bot.advance(timedelta(days=7))
    assert len(posts(bot)) == 1 and posts(bot)[0].thread_id


async def test_yaml_banks_follow_the_file_and_keep_hand_added_questions(make_bot) -> None:
    bot = await make_bot(yaml=community_yaml(banks=BANK), cogs=PROMPTS, start=SUNDAY)
    await bot.command('/prompt bank add bank:reflection question:"Mine?"', role="instructor")
    await bot.restart(yaml=community_yaml(banks='reflection: ["B?", "C?"]'))
    r = await bot.command("/prompt bank list bank:reflection", role="instructor")
    assert r.text.splitlines()[1:] == ["1. B?", "2. C?", "3. Mine?"]
    r = await bot.command("/prompt bank remove bank:reflection number:1", role="instructor")
    assert r.error and "comes from schedules.yaml" in r.text


async def test_wildcard_prompts_are_synced_the_first_time_a_server_is_seen(make_bot) -> None:
    yaml = """
communities:
  - id: "*"
    timezone: Europe/Berlin
    banks: {reflection: ["A?"]}
    prompts:
      - {id: warmup, channel: general, when: "mon 09:00", bank: reflection}
"""
    bot = await make_bot(yaml=yaml, cogs=PROMPTS, start=SUNDAY)
    await bot.message("ana", server="guild-42")  # the bot first sees this server
    await bot.advance(timedelta(days=1))
    assert [m.text.splitlines()[1] for m in bot.messages("general", server="guild-42")] == ["A?"]
    await bot.restart()  # a known server keeps its schedule without waiting for a message
    await bot.advance(timedelta(days=7))
    assert len(bot.messages("general", server="guild-42")) == 2
    with bot.session() as s:
        assert s.get(Community, posts(bot)[0].community_id).external_id == "guild-42"
