"""Anonymous polls: only a has-voted guard and counts are stored — no member-to-option link."""

from sqlalchemy import MetaData, select as sa_select

from .helpers import counts, settled, start

# The only columns a row that names a voter may have: the guard's.
GUARD_COLUMNS = {"id", "community_id", "poll_id", "member_id", "first_at"}


def rows_naming(bot, member_ids: set[int]) -> list[tuple[str, dict]]:
    """Every row in the whole database that points at one of these members (except the member rows)."""
    meta = MetaData()
    meta.reflect(bot.db.engine)
    found = []
    with bot.db.engine.connect() as conn:
        for table in meta.sorted_tables:
            member_cols = [fk.parent.name for fk in table.foreign_keys if fk.column.table.name == "member"]
            for row in conn.execute(sa_select(table)).mappings():
                if any(row[c] in member_ids for c in member_cols):
                    found.append((table.name, dict(row)))
    return found


async def test_anonymous_votes_store_no_link_between_voter_and_option(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command('/poll create question:"Secret?" options:"Yes; No; Maybe" anonymous:true', as_="tess",
                      role="instructor")
    poll = bot.last("general")
    for voter, pick in (("ben", "Yes"), ("cy", "No"), ("dee", "No")):
        r = await bot.click(poll, pick, as_=voter)
        assert "Anonymous votes are final" in r.text
    assert counts(bot, 1) == [1, 2, 0]

    voters = {bot.member(v).id for v in ("ben", "cy", "dee")}
    naming = rows_naming(bot, voters)
    assert {table for table, _ in naming} == {"poll_voter"}
    for table, row in naming:
        assert set(row) <= GUARD_COLUMNS, f"{table} links a voter to more than having voted: {row}"

    r = await bot.command("/poll results 1", as_="tess", role="instructor")
    assert "67% (2)" in r.text and "nobody can see who voted what" in r.text
    assert not any(name in r.text for name in ("ben", "cy", "dee"))


async def test_an_anonymous_vote_is_final(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command('/poll create question:"Secret?" options:"Yes; No" anonymous:true', as_="ana")
    poll = bot.last("general")
    await bot.click(poll, "Yes", as_="ben")
    for again in ("No", "Yes"):
        r = await bot.click(poll, again, as_="ben")
        assert r.error and "anonymous votes are final" in r.text
    assert counts(bot, 1) == [1, 0]
    await settled(bot)
    assert "anonymous" in poll.text and "1 vote" in poll.text


async def test_an_anonymous_quiz_publishes_no_correctness(make_bot) -> None:
    from .helpers import recorder

    bot = await start(make_bot)
    await bot.command('/poll create question:"2+2?" options:"4; 5" answer:1 anonymous:true', as_="ana")
    r = await bot.click(bot.last("general"), "5", as_="ben")
    assert "❌ Not quite" in r.text
    assert recorder(bot).of_kind("quiz_answer") == recorder(bot).of_kind("quiz_correct") == []
    assert len(recorder(bot).of_kind("poll_vote")) == 1
