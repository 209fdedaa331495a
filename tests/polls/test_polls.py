"""Polls through the in-process bot: create, vote, live results, close, results, export."""

import csv
import io
from datetime import timedelta

import pytest

from .helpers import ballots, counts, polls, recorder, settled, start

CREATE = '/poll create question:"Best day?" options:"Mon; Tue; Wed"'


async def test_votes_show_live_as_bars_and_percentages(make_bot) -> None:
    bot = await start(make_bot)
    r = await bot.command(CREATE, as_="ana")
    assert r.ephemeral and "Poll #1" in r.text
    poll = bot.last("general")
    assert [b.label for b in poll.buttons] == ["Mon", "Tue", "Wed", "Results"]

    r = await bot.click(poll, "Mon", as_="ben")
    assert r.ephemeral and "Vote recorded: **Mon**" in r.text
    await bot.click(poll, "Tue", as_="cy")
    await settled(bot)
    text = bot.messages("general")[0].text
    assert "2 votes" in text
    assert "1. Mon  `█████░░░░░` 50% (1)" in text and "3. Wed  `░░░░░░░░░░` 0% (0)" in text


async def test_single_choice_moves_and_removes_a_vote(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(CREATE, as_="ana")
    poll = bot.last("general")
    await bot.click(poll, "Mon", as_="ben")
    r = await bot.click(poll, "Tue", as_="ben")
    assert "moved from **Mon** to **Tue**" in r.text
    assert counts(bot, 1) == [0, 1, 0] and ballots(bot, 1) == [("ben", 2)]
    r = await bot.click(poll, "Tue", as_="ben")
    assert "was removed" in r.text
    assert counts(bot, 1) == [0, 0, 0] and ballots(bot, 1) == []
    await settled(bot)
    assert "0 votes" in bot.messages("general")[0].text


async def test_multi_toggles_up_to_max_picks(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(CREATE + " multi:true max_picks:2", as_="ana")
    poll = bot.last("general")
    await bot.click(poll, "Mon", as_="ben")
    r = await bot.click(poll, "Wed", as_="ben")
    assert "your picks: **Mon**, **Wed**" in r.text
    r = await bot.click(poll, "Tue", as_="ben")
    assert r.error and "at most 2" in r.text
    r = await bot.click(poll, "Mon", as_="ben")
    assert "Removed **Mon**" in r.text
    await bot.click(poll, "Tue", as_="ben")
    await bot.click(poll, "Tue", as_="cy")
    assert counts(bot, 1) == [0, 2, 1]
    await settled(bot)
    assert "2 voters, 3 votes" in bot.messages("general")[0].text


async def test_hidden_results_appear_only_when_closed(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(CREATE + " hidden:true", as_="ana")
    poll = bot.last("general")
    await bot.click(poll, "Wed", as_="ben")
    await settled(bot)
    assert "hidden until the poll closes" in poll.text and "100%" not in poll.text
    assert "Results" not in [b.label for b in poll.buttons]
    r = await bot.command("/poll results 1", as_="ben")
    assert r.error and "hidden until it closes" in r.text
    r = await bot.command("/poll results 1", as_="tess", role="instructor")
    assert not r.error and "100% (1)" in r.text
    await bot.command("/poll close 1", as_="ana")
    assert "3. Wed  `██████████` 100% (1)" in bot.messages("general")[0].text
    assert "100% (1)" in (await bot.command("/poll results 1", as_="ben")).text


async def test_quiz_tells_the_voter_and_publishes_the_first_answer(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command('/poll create question:"2+2?" options:"3; 4; 5" answer:2 explain:"Two pairs make four."',
                      as_="tess", role="instructor")
    quiz = bot.last("general")
    r = await bot.click(quiz, "3", as_="ben")
    assert "❌ Not quite — the answer is **4**. Two pairs make four." in r.text
    r = await bot.click(quiz, "4", as_="ben")
    assert r.text.startswith("❌ Not quite") and "You already answered **3** — your first answer stands." in r.text
    r = await bot.click(quiz, "4", as_="cy")
    assert r.text.startswith("✅ Correct! Two pairs make four.")
    events = recorder(bot)
    assert [e.member_id for e in events.of_kind("quiz_answer")] == [bot.member("ben").id, bot.member("cy").id]
    assert [e.member_id for e in events.of_kind("quiz_correct")] == [bot.member("cy").id]  # ben's first was wrong
    assert len(events.of_kind("poll_vote")) == 2  # once per member, not per click
    assert {e.subject for e in events.of_kind("poll_vote")} == {"poll:1"}
    await bot.command("/poll close 1", as_="tess", role="instructor")
    final = bot.messages("general")[0].text
    assert "2. 4 ✅" in final and "Correct answer: **4** — Two pairs make four." in final


async def test_a_quiz_answer_is_final_at_the_first_click_everywhere(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command('/poll create question:"Capital of France?" options:"Paris; Lyon; Nice" answer:1',
                      as_="tess", role="instructor")
    quiz = bot.last("general")
    first = await bot.click(quiz, "Paris", as_="ben")
    same = await bot.click(quiz, "Paris", as_="ben")  # on a plain poll this would remove the vote
    other = await bot.click(quiz, "Lyon", as_="ben")  # ... and this would move it
    assert first.text.startswith("✅ Correct!") and "Vote recorded: **Paris**" in first.text
    for again in (same, other):
        assert not again.error and again.ephemeral
        assert again.text.startswith("✅ Correct!")
        assert "You already answered **Paris** — your first answer stands." in again.text
    await bot.click(quiz, "Nice", as_="cy")
    await bot.click(quiz, "Paris", as_="cy")

    assert counts(bot, 1) == [1, 0, 1] and ballots(bot, 1) == [("ben", 1), ("cy", 3)]
    results = await bot.command("/poll results 1", as_="tess", role="instructor")
    assert "1. Paris  `█████░░░░░` 50% (1)" in results.text and "2. Lyon  `░░░░░░░░░░` 0% (0)" in results.text
    rows = _csv(await bot.command("/poll export 1", as_="tess", role="instructor"))
    assert sorted((r[0], r[3], r[5]) for r in rows[1:]) == [("ben", "Paris", "yes"), ("cy", "Nice", "no")]
    events = recorder(bot)  # participation points: one answer each, ben's counted as correct
    assert [e.member_id for e in events.of_kind("quiz_answer")] == [bot.member("ben").id, bot.member("cy").id]
    assert [e.member_id for e in events.of_kind("quiz_correct")] == [bot.member("ben").id]
    await settled(bot)
    assert "2 votes" in bot.messages("general")[0].text


async def test_rating_scale_shows_the_average(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command('/poll create question:"How confident?" scale:5', as_="ana")
    poll = bot.last("general")
    assert [b.label for b in poll.buttons][:5] == ["1", "2", "3", "4", "5"]
    for voter, pick in (("ben", "2"), ("cy", "4"), ("dee", "5")):
        await bot.click(poll, pick, as_=voter)
    await settled(bot)
    assert "Average: 3.7 / 5" in poll.text


async def test_twenty_five_options_fill_every_button_slot(make_bot) -> None:
    bot = await start(make_bot)
    options = "; ".join(f"Option {i}" for i in range(1, 26))
    r = await bot.command(f'/poll create question:"Pick" options:"{options}"', as_="ana")
    assert not r.error
    poll = bot.last("general")
    assert len(poll.buttons) == 25 and len(poll.content.rows) == 5
    assert all(len(b.action_id) <= 100 for b in poll.buttons)
    await bot.click(poll, 24, as_="ben")
    assert counts(bot, 1)[24] == 1


async def test_closing_rules(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(CREATE, as_="ana")
    poll = bot.last("general")
    await bot.click(poll, "Mon", as_="ben")
    r = await bot.command("/poll close 1", as_="ben")
    assert r.error and "only the author" in r.text
    assert polls(bot)[0].status == "open"
    r = await bot.command("/poll close 99", as_="ana")
    assert r.error and "unknown poll #99" in r.text
    r = await bot.command("/poll close 1", as_="ana")
    assert not r.error and "Closed poll #1" in r.text
    final = bot.messages("general")[0]
    assert "Closed — final results" in final.text and final.buttons == []
    notice = bot.last("general")
    assert "Poll #1 closed" in notice.text and "100% (1)" in notice.text
    r = await bot.click("poll:vote:1:2", as_="cy")
    assert r.error and "this poll is closed" in r.text
    assert counts(bot, 1) == [1, 0, 0]
    r = await bot.command("/poll close 1", as_="tess", role="instructor")
    assert r.error and "already closed" in r.text


async def test_an_instructor_may_close_anyones_poll(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(CREATE, as_="ana")
    r = await bot.command("/poll close 1", as_="tess", role="instructor")
    assert not r.error and polls(bot)[0].status == "closed"


async def test_auto_close_survives_a_restart_and_happens_once(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(CREATE + " closes_in:2h", as_="ana")
    await bot.click(bot.last("general"), "Tue", as_="ben")
    await bot.restart()
    await bot.advance(timedelta(hours=1, minutes=50))
    assert polls(bot)[0].status == "open"
    await bot.advance(timedelta(minutes=15))
    assert polls(bot)[0].status == "closed"
    assert "Closed — final results" in bot.messages("general")[0].text
    await bot.restart()
    await bot.advance(timedelta(minutes=30))
    notices = [m for m in bot.messages("general") if "Poll #1 closed" in m.text]
    assert len(notices) == 1


async def test_results_show_who_voted_what_only_to_instructors(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(CREATE, as_="ana")
    poll = bot.last("general")
    await bot.click(poll, "Mon", as_="ben")
    await bot.click(poll, "Wed", as_="cy")
    staff = await bot.command("/poll results 1", as_="tess", role="instructor")
    assert staff.ephemeral and "1. Mon: ben" in staff.text and "3. Wed: cy" in staff.text
    member = await bot.command("/poll results 1", as_="ben")
    assert member.ephemeral and "50% (1)" in member.text and "cy" not in member.text
    button = await bot.click(poll, "Results", as_="dee")
    assert button.ephemeral and "2 votes" in button.text


def _csv(result) -> list[list[str]]:
    files = result.reply.content.files
    assert len(files) == 1 and files[0].filename.endswith(".csv")
    return list(csv.reader(io.StringIO(files[0].data.decode())))


async def test_export_lists_voters_and_neutralises_formulas(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command('/poll create question:"Tools?" options:"=SUM(1); Pen"', as_="ana")
    await bot.click(bot.last("general"), "Pen", as_="ben")
    await bot.click(bot.last("general"), "=SUM(1)", as_="cy")
    r = await bot.command("/poll export 1", as_="ben")
    assert r.error and "instructor" in r.text
    rows = _csv(await bot.command("/poll export 1", as_="tess", role="instructor"))
    assert rows[0] == ["voter", "voter_id", "option_number", "option", "voted_at"]
    assert sorted(r[:4] for r in rows[1:]) == [["ben", "ben", "2", "Pen"], ["cy", "cy", "1", "'=SUM(1)"]]


async def test_anonymous_export_has_counts_and_no_names(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(CREATE + " anonymous:true", as_="ana")
    for voter, pick in (("ben", "Mon"), ("cy", "Mon"), ("dee", "Wed")):
        await bot.click(bot.last("general"), pick, as_=voter)
    await bot.command("/poll close 1", as_="ana")  # anonymous counts: in batches, and all at close
    r = await bot.command("/poll export 1", as_="tess", role="instructor")
    rows = _csv(r)
    assert rows == [["option_number", "option", "votes", "percent"], ["1", "Mon", "2", "67"],
                    ["2", "Tue", "0", "0"], ["3", "Wed", "1", "33"]]
    raw = r.reply.content.files[0].data.decode()
    assert not any(name in raw for name in ("ben", "cy", "dee"))


@pytest.mark.parametrize("command, message", [
    ('/poll create question:"Q?" options:"Only"', "at least 2 options"),
    ('/poll create question:"Q?" options:"' + "; ".join(f"o{i}" for i in range(26)) + '"', "at most 25"),
    ('/poll create question:"Q?" options:"A; B; a"', "listed twice"),
    ('/poll create question:"Q?" options:"A;;B"', "empty"),
    ('/poll create question:"" options:"A; B"', "question"),
    ('/poll create question:"' + "x" * 301 + '" options:"A; B"', "at most 300"),
    ('/poll create question:"Q?" options:"A; B" closes_in:0m', "longer than 0"),
    ('/poll create question:"Q?" options:"A; B" closes_in:33d', "at most 32 days"),
    ('/poll create question:"Q?" options:"A; B" answer:3', "1 to 2"),
    ('/poll create question:"Q?" options:"A; B" multi:true anonymous:true', "single choice"),
    ('/poll create question:"No options?"', 'a poll needs its choices: options (like "Mon; Tue; Wed")'),
    ('/poll create question:"Q?" options:"A; B" scale:5', "not both"),
    ('/poll create question:"Q?" options:"A; B" colour:red', 'unknown option "colour" — this command takes: question,'),
    ('/poll create "Q?" "A; B" colour:red', 'unknown option "colour"'),
    ('/poll create question:"Q?" options:"A; B" channel:#nowhere', "unknown channel"),
    ("/poll results 42", "unknown poll #42"),
])
async def test_bad_input_is_explained_and_nothing_is_stored(make_bot, command: str, message: str) -> None:
    bot = await start(make_bot)
    r = await bot.command(command, as_="tess", role="instructor")
    assert r.error and message in r.text, r.text
    assert polls(bot) == [] and bot.messages("general") == []


async def test_positional_question_and_options_stay_apart_when_quoted(make_bot) -> None:
    bot = await start(make_bot)
    r = await bot.command('/poll create "Best day?" "Mon; Tue"', as_="ana")
    assert not r.error, r.text
    [poll] = polls(bot)
    assert poll.question == "Best day?"
    assert [b.label for b in bot.last("general").buttons][:2] == ["Mon", "Tue"]


async def test_a_poll_can_be_posted_in_another_channel(make_bot) -> None:
    bot = await start(make_bot)
    r = await bot.command(CREATE + " channel:#random", as_="ana")
    assert "in #random" in r.text
    assert bot.last("random").content.title == "📊 Best day?" and bot.messages("general") == []
    await bot.click(bot.last("random"), "Mon", as_="ben")
    await settled(bot)
    assert "1 vote" in bot.last("random").text


async def test_polls_of_another_community_are_unknown(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(CREATE, as_="ana")
    r = await bot.click("poll:vote:1:1", as_="ben", server="other")
    assert r.error and counts(bot, 1) == [0, 0, 0]
    r = await bot.command("/poll close 1", as_="tess", role="instructor", server="other")
    assert r.error and "unknown poll #1" in r.text


async def test_a_poll_due_while_the_bot_was_down_closes_within_a_minute_of_start(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(CREATE + " closes_in:30m", as_="ana")
    bot.clock.set(bot.clock.now() + timedelta(hours=5))  # down for five hours
    await bot.restart()
    r = await bot.click("poll:vote:1:1", as_="ben")
    assert r.error and "this poll is closed" in r.text  # overdue counts as closed at once
    await bot.advance(timedelta(minutes=1))
    assert polls(bot)[0].status == "closed"
    assert "Closed — final results" in bot.messages("general")[0].text


async def test_forgetting_a_member_removes_their_votes(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(CREATE, as_="ana")
    await bot.click(bot.last("general"), "Mon", as_="ben")
    await bot.click(bot.last("general"), "Mon", as_="cy")
    removed = (await bot.forget("ben"))["poll"]
    assert removed == 2  # the ballot and the has-voted guard
    assert counts(bot, 1) == [1, 0, 0] and ballots(bot, 1) == [("cy", 1)]


async def test_a_poll_whose_message_is_gone_closes_with_its_results_posted_afresh(make_bot, caplog) -> None:
    bot = await start(make_bot)
    await bot.command(CREATE + " closes_in:1h", as_="ana")
    posted = bot.last("general")
    await bot.click(posted, "Tue", as_="ben")
    await settled(bot)
    del bot.adapter.messages[posted.ref.message_id]  # the platform lost it (e.g. a console restart)
    await bot.advance(timedelta(hours=1, minutes=1))  # closed by the job
    notice = bot.last("general")
    assert notice.ref != posted.ref and "Poll #1 closed: Best day?" in notice.text and "Tue" in notice.text
    assert [p.is_open for p in polls(bot)] == [False]
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


STAFF_YAML = "communities:\n  - id: console\n    platform: console\n    channels: {staff: instructors}\n"


async def test_a_member_posts_polls_only_where_they_can_post_themselves(make_bot) -> None:
    bot = await start(make_bot, STAFF_YAML)
    r = await bot.command(CREATE + " channel:#instructors", as_="ana")
    assert r.error and "you can't post in #instructors yourself" in r.text
    assert polls(bot) == [] and bot.messages("instructors") == []
    bot.adapter.add_channel("console", "cohort-leads", writers={"lea"})  # a private channel lea is in
    assert (await bot.command(CREATE + " channel:#cohort-leads", as_="ana")).error
    assert not (await bot.command(CREATE + " channel:#cohort-leads", as_="lea")).error
    r = await bot.command(CREATE + " channel:#instructors", as_="tess", role="instructor")  # instructors: any
    assert not r.error and len(bot.messages("instructors")) == 1
