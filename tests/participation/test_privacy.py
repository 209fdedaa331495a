"""/privacy: forget erases a member from every table of every cog; they stay opted out after."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import MetaData, String, select

from bot.config import builtin_cogs

from .helpers import YAML, events, start, stats

ALL_COGS = builtin_cogs()  # every built-in cog: forget must reach them all
WHO = "zoe42"


def rows_about(bot, member_id: int, external_id: str) -> list[tuple[str, dict]]:
    """Every row anywhere that references the member id or contains the external id."""
    meta = MetaData()
    meta.reflect(bot.db.engine)
    found = []
    with bot.db.engine.connect() as conn:
        for table in meta.sorted_tables:
            id_cols = {fk.parent.name for fk in table.foreign_keys if fk.column.table.name == "member"}
            id_cols |= {c.name for c in table.columns if c.name.endswith("member_id")}
            if table.name == "member":
                id_cols.add("id")
            text_cols = [c.name for c in table.columns if isinstance(c.type, String)]
            for row in conn.execute(select(table)).mappings():
                if any(row[c] == member_id for c in id_cols) or \
                        any(isinstance(row[c], str) and external_id in row[c] for c in text_cols):
                    found.append((table.name, dict(row)))
    return found


async def test_forget_erases_the_member_everywhere_and_keeps_them_opted_out(make_bot) -> None:
    bot = await start(make_bot, YAML, cogs=ALL_COGS)
    assert not bot.app.load_errors
    await bot.command('/prompt post question:"What did you learn?"', as_="tess", role="instructor")
    prompt = bot.last("general")
    await bot.command('/poll create question:"Best day?" options:"Mon; Tue"', as_="tess", role="instructor")
    poll = bot.last("general")
    await bot.join(WHO)
    await bot.message(WHO, reply_to=prompt.ref.message_id)
    await bot.click(poll, "Mon", as_=WHO)
    r = await bot.command('/mentor join role:mentee topics:"python, sql"', as_=WHO)
    assert not r.error, r.text
    await bot.message("ben")
    await stats(bot).flush()
    member_id = bot.member(WHO).id
    kinds = {k for k, _ in events(bot, WHO)}
    assert {"join", "thread_reply", "prompt_response", "poll_vote"} <= kinds
    assert {t for t, _ in rows_about(bot, member_id, WHO)} >= {"member", "participation_event", "poll_vote",
                                                               "prompt_response", "mentor_profile"}

    r = await bot.command("/privacy forget", as_=WHO)
    assert r.ephemeral and "can't be undone" in r.text
    confirm = next(b for b in r.reply.content.buttons if b.label == "Erase everything")
    other = await bot.click(confirm.action_id, as_="ben")
    assert other.error and "belongs to someone else" in other.text
    assert bot.member(WHO) is not None

    done = await bot.click(confirm.action_id, as_=WHO)
    assert "Your data was erased" in done.text and "stats:" in done.text and "poll" in done.text
    assert rows_about(bot, member_id, WHO) == []
    assert bot.member("ben") is not None and events(bot, "ben")

    # they come back: a new member row, opted out from the start, nothing recorded
    await bot.message(WHO)
    bot.clock.advance(timedelta(minutes=5))
    await bot.message(WHO)
    await stats(bot).flush()
    again = bot.member(WHO)
    assert again.opted_out and events(bot, WHO) == []
    r = await bot.command("/privacy optin", as_=WHO)
    assert "opted in" in r.text
    await bot.message(WHO)
    await stats(bot).flush()
    assert [k for k, _ in events(bot, WHO)] == ["message"]

    # and still so after a restart (the mark is in the database, not in memory)
    await bot.command("/privacy forget", as_=WHO)
    await bot.click(f"privacy:forget:{again.id}", as_=WHO)
    await bot.restart()
    await bot.message(WHO)
    await stats(bot).flush()
    assert bot.member(WHO).opted_out and events(bot, WHO) == []


async def test_cancel_erases_nothing(make_bot) -> None:
    bot = await start(make_bot)
    await bot.message(WHO)
    r = await bot.command("/privacy forget", as_=WHO)
    cancel = next(b for b in r.reply.content.buttons if b.label == "Cancel")
    r = await bot.click(cancel.action_id, as_=WHO)
    assert "Nothing was erased" in r.text
    await stats(bot).flush()
    assert events(bot, WHO) == [("message", 1)]


async def test_forget_is_all_or_nothing_when_one_cogs_hook_fails(make_bot) -> None:
    await _forget_fails_whole(await start(make_bot, YAML, cogs=[*ALL_COGS, "tests.fixtures.failing_erase_cog"]))


async def test_forget_is_all_or_nothing_on_postgresql(make_bot, pg_url) -> None:
    await _forget_fails_whole(await make_bot(yaml=YAML, cogs=[*ALL_COGS, "tests.fixtures.failing_erase_cog"],
                                             db_url=pg_url))


async def _forget_fails_whole(bot) -> None:
    from tests.fixtures.failing_erase_cog import FailingErase

    await bot.command('/poll create question:"Best day?" options:"Mon; Tue"', as_="tess", role="instructor")
    await bot.click(bot.last("general"), "Mon", as_=WHO)
    await bot.command('/mentor join role:mentee topics:"python"', as_=WHO)
    await bot.message(WHO)
    await stats(bot).flush()
    member_id = bot.member(WHO).id
    before = rows_about(bot, member_id, WHO)
    assert {"member", "poll_vote", "mentor_profile", "participation_event"} <= {t for t, _ in before}
    r = await bot.command("/privacy forget", as_=WHO)
    confirm = next(b for b in r.reply.content.buttons if b.label == "Erase everything")
    calls = FailingErase.calls
    done = await bot.click(confirm.action_id, as_=WHO)
    assert FailingErase.calls == calls + 1  # the other cogs' hooks ran first, in the same transaction
    assert done.error and "erasing your failing data failed, so nothing was erased" in done.text
    assert rows_about(bot, member_id, WHO) == before  # not one row gone
    assert not bot.member(WHO).opted_out


async def test_privacy_works_with_no_feature_cog_loaded(make_bot) -> None:
    bot = await start(make_bot, "", cogs=[])
    assert set(bot.app.cogs) == {"help", "about", "privacy", "dashboard"}  # the core's own
    await bot.message(WHO)  # no cog tracks anything; the member row exists
    r = await bot.command("/privacy forget", as_=WHO)
    done = await bot.click(next(b for b in r.reply.content.buttons if b.label == "Erase everything").action_id, as_=WHO)
    assert "Your data was erased" in done.text and "your member record" in done.text
    assert bot.member(WHO) is None
    r = await bot.command("/privacy optout", as_=WHO)
    assert "opted out" in r.text and bot.member(WHO).opted_out


async def test_a_cog_keeping_member_data_without_an_erase_hook_is_refused_at_load(make_bot) -> None:
    from bot.app import BotApp
    from bot.config import parse_config
    from tests.fixtures import leaky_cog

    bot = await start(make_bot, "", cogs=["tests.fixtures.leaky_cog"])
    assert "leaky" not in bot.app.cogs
    assert "keeps member data in leaky_note but does not erase it" in bot.app.load_errors["tests.fixtures.leaky_cog"]
    app = BotApp(config=parse_config("", "x.yaml", cogs=[]), db=bot.db)
    try:
        leaky_cog.setup_async(app)
    except TypeError as error:
        assert "must be a plain def (session, community_id, member_id)" in str(error)
    else:
        raise AssertionError("an async delete_member_data was accepted")
