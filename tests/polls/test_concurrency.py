"""200 near-simultaneous clicks on one poll end with exact counts and few message edits."""

import asyncio
from collections import Counter

from .helpers import ballots, counts, live, settled, start


async def test_a_burst_of_200_clicks_counts_every_vote_exactly_once(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command('/poll create question:"Best day?" options:"Mon; Tue; Wed"', as_="ana")
    poll = bot.messages("general")[0]
    switchers = [f"s{i}" for i in range(40)]
    for voter in switchers:  # they voted Mon earlier...
        await bot.click(poll, "Mon", as_=voter)
    await settled(bot)
    live(bot).update_delay = 60  # real seconds: the whole burst falls inside one debounce window
    edits_before = poll.edits

    fresh = [(f"f{i}", ("Mon", "Tue", "Wed")[i % 3]) for i in range(120)]
    double = [f"d{i}" for i in range(20)]  # click Wed twice: add then remove, whatever the order
    clicks = ([(v, "Tue") for v in switchers] + fresh + [(v, "Wed") for v in double for _ in range(2)])
    assert len(clicks) == 200
    results = await asyncio.gather(*(bot.click(poll, label, as_=voter) for voter, label in clicks))

    assert not any(r.error for r in results), [r.text for r in results if r.error][:3]
    expected = Counter(label for _, label in fresh) + Counter({"Tue": len(switchers)})
    assert counts(bot, 1) == [expected["Mon"], expected["Tue"], expected["Wed"]] == [40, 80, 40]
    stored = Counter(position for _, position in ballots(bot, 1))
    assert [stored[1], stored[2], stored[3]] == counts(bot, 1)  # counters agree with the ballots
    assert len(ballots(bot, 1)) == 160  # nobody counted twice

    assert poll.edits == edits_before  # no edit per vote...
    await settled(bot)
    assert poll.edits == edits_before + 1  # ...one debounced edit with the final counts
    assert "160 votes" in poll.text and "2. Tue  `█████░░░░░` 50% (80)" in poll.text


async def test_a_burst_on_a_multi_poll_stays_within_max_picks(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command('/poll create question:"Tools?" options:"A; B; C; D" multi:true max_picks:2', as_="ana")
    poll = bot.messages("general")[0]
    # each of 50 voters clicks all four options at once: exactly two picks may win
    clicks = [(f"v{i}", label) for i in range(50) for label in "ABCD"]
    results = await asyncio.gather(*(bot.click(poll, label, as_=voter) for voter, label in clicks))
    refused = [r for r in results if r.error]
    assert len(refused) == 100 and all("at most 2" in r.text for r in refused)
    per_voter = Counter(voter for voter, _ in ballots(bot, 1))
    assert set(per_voter.values()) == {2} and len(per_voter) == 50
    assert sum(counts(bot, 1)) == 100
