"""Anonymous polls: only a has-voted guard, sealed ballots and counts are stored — no member-to-option
link. (The attacks on that — xmin, old row versions, the WAL, the live counts — are in
tests/reliability/test_anonymity.py.)"""

from sqlalchemy import MetaData, select as sa_select

from .helpers import counts, live, settled, start

# The only columns a row that names a voter may have: the guard's.
GUARD_COLUMNS = {"id", "community_id", "poll_id", "member_id", "first_at"}


def sealed(bot) -> int:
    from cogs.polls.models import PollSealedBallot

    with bot.session() as s:
        return len(s.exec(sa_select(PollSealedBallot.id)).all())


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
        assert "anonymous votes are final" in r.text and "batches of at least 5" in r.text
        assert pick not in r.text  # the confirmation never names the choice (it passes through platform logs)
    assert counts(bot, 1) == [0, 0, 0] and sealed(bot) == 3  # fewer than 2k: nothing counted yet
    await settled(bot)
    assert "0 votes counted, 3 more not yet" in poll.text and "3 voters" not in poll.text
    assert (await bot.command("/poll close 1", as_="tess", role="instructor")).text == "Closed poll #1."
    assert counts(bot, 1) == [1, 2, 0] and sealed(bot) == 0  # all counted at close

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
    assert counts(bot, 1) == [0, 0] and sealed(bot) == 1
    await settled(bot)
    assert "anonymous" in poll.text and "1 more not yet" in poll.text
    await bot.command("/poll close 1", as_="ana")
    assert counts(bot, 1) == [1, 0]


async def test_an_anonymous_quiz_publishes_no_correctness(make_bot) -> None:
    from .helpers import recorder

    bot = await start(make_bot)
    await bot.command('/poll create question:"2+2?" options:"4; 5" answer:1 anonymous:true', as_="ana")
    r = await bot.click(bot.last("general"), "5", as_="ben")
    assert "❌ Not quite" in r.text
    assert recorder(bot).of_kind("quiz_answer") == recorder(bot).of_kind("quiz_correct") == []
    assert len(recorder(bot).of_kind("poll_vote")) == 1


async def test_counts_move_only_in_batches_of_at_least_k_and_k_stay_sealed(make_bot) -> None:
    bot = await start(make_bot)
    live(bot).batch = 3
    await bot.command('/poll create question:"Secret?" options:"Yes; No" anonymous:true', as_="ana")
    poll = bot.last("general")
    seen = []
    for n in range(14):
        await bot.click(poll, "Yes" if n % 3 else "No", as_=f"voter{n}")
        seen.append((sum(counts(bot, 1)), sealed(bot)))
    # 6 sealed -> 3 counted, 3 kept; then every 3 more: 3 counted again
    assert seen == [(0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (3, 3), (3, 4), (3, 5), (6, 3), (6, 4), (6, 5),
                    (9, 3), (9, 4), (9, 5)]
    steps = [b - a for (a, _), (b, _) in zip(seen, seen[1:]) if b != a]
    assert steps and min(steps) >= 3
    assert all(s >= 3 for c, s in seen if c)  # once counting started, at least k always stay sealed
    await bot.command("/poll close 1", as_="ana")
    assert counts(bot, 1) == [9, 5] and sealed(bot) == 0


async def test_a_ballot_sealed_under_another_key_is_dropped_with_a_log_line_not_miscounted(make_bot, caplog) -> None:
    from cogs.polls.ballots import BallotSeal

    bot = await start(make_bot)
    await bot.command('/poll create question:"Secret?" options:"Yes; No" anonymous:true', as_="ana")
    await bot.click(bot.last("general"), "Yes", as_="ben")
    live(bot).seal = BallotSeal(b"another key")  # BALLOT_KEY changed while a ballot was sealed
    await bot.click(bot.last("general"), "No", as_="cy")
    await bot.command("/poll close 1", as_="ana")
    assert counts(bot, 1) == [0, 1]
    assert any("could not be opened" in r.getMessage() for r in caplog.records)
