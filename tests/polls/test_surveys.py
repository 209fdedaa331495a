"""Surveys: a form per member, answered once, optionally anonymous; results and CSV for instructors."""

import csv
import io
from datetime import timedelta

import pytest


from .helpers import polls, recorder, settled, start
from .test_anonymous import GUARD_COLUMNS, rows_naming

SURVEY = ('/poll survey title:"Week 3 feedback" '
          'questions:"How was the pace? [scale]; Pick one [choice: Labs | Talks]; Anything else?"')
YAML = """
communities:
  - id: console
    platform: console
    surveys:
      - id: feedback
        channel: general
        when: "every 2 weeks on fri 16:00"
        anonymous: true
        title: Fortnightly feedback
        questions:
          - {text: "How was the pace?", kind: scale}
          - {text: "Anything else?", kind: text}
"""


async def answer(bot, survey, who: str, values: dict[str, str]):
    opened = await bot.click(survey, "Answer", as_=who)
    if opened.error:
        return opened
    form = opened.forms[-1]
    return await bot.click(form.submit_action, as_=who, values=values)


async def test_members_answer_a_survey_once_in_a_form(make_bot) -> None:
    bot = await start(make_bot)
    r = await bot.command(SURVEY, as_="tess", role="instructor")
    assert "Survey #1" in r.text
    survey = bot.last("general")
    assert survey.content.title == "📝 Week 3 feedback" and "2. Pick one (Labs / Talks)" in survey.text

    opened = await bot.click(survey, "Answer", as_="ben")
    form = opened.forms[0]
    assert [(f.name, f.kind, f.choices, f.required) for f in form.fields] == [
        ("q1", "scale", (), True), ("q2", "choice", ("Labs", "Talks"), True), ("q3", "text", (), False)]

    r = await bot.click(form.submit_action, as_="ben", values={"q1": "4", "q2": "labs", "q3": "More breaks"})
    assert not r.error and "answers were recorded" in r.text
    r = await answer(bot, survey, "ben", {"q1": "1", "q2": "Talks"})
    assert r.error and "already answered" in r.text
    r = await bot.click(form.submit_action, as_="ben", values={"q1": "1", "q2": "Talks"})  # a stale form
    assert r.error and "already answered" in r.text
    await answer(bot, survey, "cy", {"q1": "2", "q2": "2", "q3": ""})
    await settled(bot)
    assert "2 responses so far" in survey.text
    assert [e.member_id for e in recorder(bot).of_kind("survey_answer")] == [bot.member("ben").id, bot.member("cy").id]

    results = await bot.command("/poll results 1", as_="tess", role="instructor")
    assert results.ephemeral and "average 3.0 / 5 (2 answers)" in results.text
    assert "1. Labs  `█████░░░░░` 50% (1)" in results.text and "ben: More breaks" in results.text
    # each question on its own line, its answers below it (they ran onto the question's line)
    assert "2. Pick one\n    1. Labs  `█████░░░░░` 50% (1)\n    2. Talks" in results.text
    member = await bot.command("/poll results 1", as_="ben")
    assert member.error and "for instructors" in member.text


async def test_bad_form_answers_save_nothing(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(SURVEY, as_="tess", role="instructor")
    r = await answer(bot, bot.last("general"), "ben", {"q1": "9", "q2": "Labs"})
    assert r.error and "number from 1 to 5" in r.text and "nothing was saved" in r.text
    r = await answer(bot, bot.last("general"), "ben", {"q1": "3", "q2": "Neither"})
    assert r.error and "choose one of Labs, Talks" in r.text
    r = await answer(bot, bot.last("general"), "ben", {"q1": "3", "q2": "Talks"})
    assert not r.error  # still allowed: the bad tries stored nothing


async def test_anonymous_survey_keeps_no_names_with_answers(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(SURVEY + " anonymous:true", as_="tess", role="instructor")
    survey = bot.last("general")
    assert "anonymous" in survey.text
    bot.clock.advance(timedelta(minutes=5))
    await answer(bot, survey, "ben", {"q1": "5", "q2": "Talks", "q3": "=cmd|' /C calc'!A0"})
    await answer(bot, survey, "cy", {"q1": "3", "q2": "Labs", "q3": "Loved it"})

    naming = rows_naming(bot, {bot.member("ben").id, bot.member("cy").id})
    assert {t for t, _ in naming} == {"poll_voter"} and all(set(r) <= GUARD_COLUMNS for _, r in naming)
    # the guards carry no answering time, so they cannot be lined up with the responses
    assert {r["first_at"] for _, r in naming} == {polls(bot)[0].created_at.replace(tzinfo=None)}

    # sealed until a batch of at least k, or the close: the results say so
    waiting = await bot.command("/poll results 1", as_="tess", role="instructor")
    assert "0 responses" in waiting.text and "2 more not counted yet" in waiting.text
    assert "Loved it" not in waiting.text
    await bot.command("/poll close 1", as_="tess", role="instructor")
    results = await bot.command("/poll results 1", as_="tess", role="instructor")
    assert "average 4.0 / 5" in results.text and "• Loved it" in results.text
    assert "ben" not in results.text and "cy" not in results.text
    export = await bot.command("/poll export 1", as_="tess", role="instructor")
    raw = export.reply.content.files[0].data.decode()
    rows = list(csv.reader(io.StringIO(raw)))
    assert rows[0] == ["How was the pace?", "Pick one", "Anything else?"]
    assert sorted(rows[1:]) == [["3", "Labs", "Loved it"], ["5", "Talks", "'=cmd|' /C calc'!A0"]]
    assert "ben" not in raw and "cy" not in raw


async def test_named_survey_export_has_respondents(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(SURVEY, as_="tess", role="instructor")
    await answer(bot, bot.last("general"), "ben", {"q1": "4", "q2": "Labs", "q3": "ok"})
    export = await bot.command("/poll export 1", as_="tess", role="instructor")
    rows = list(csv.reader(io.StringIO(export.reply.content.files[0].data.decode())))
    assert rows[0] == ["respondent", "respondent_id", "submitted_at", "How was the pace?", "Pick one", "Anything else?"]
    assert rows[1][:2] == ["ben", "ben"] and rows[1][3:] == ["4", "Labs", "ok"]


async def test_a_closed_survey_takes_no_more_answers(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(SURVEY + " closes_in:1d", as_="tess", role="instructor")
    survey = bot.last("general")
    opened = await bot.click(survey, "Answer", as_="ben")
    await bot.restart()
    await bot.advance(timedelta(days=1, minutes=2))
    assert polls(bot)[0].status == "closed"
    assert "This survey is closed" in bot.messages("general")[0].text and survey.buttons == []
    r = await bot.click(opened.forms[0].submit_action, as_="ben", values={"q1": "3", "q2": "Labs"})
    assert r.error and "this survey is closed" in r.text


async def test_a_survey_from_the_yaml_template(make_bot) -> None:
    bot = await start(make_bot, yaml=YAML)
    r = await bot.command("/poll survey template:feedback", as_="tess", role="instructor")
    assert not r.error, r.text
    survey = bot.last("general")
    assert survey.content.title == "📝 Fortnightly feedback" and "anonymous" in survey.text
    r = await bot.command("/poll survey template:nope", as_="tess", role="instructor")
    assert r.error and 'no survey "nope"' in r.text and "feedback" in r.text


@pytest.mark.parametrize("command, message", [
    ("/poll survey", "either questions"),
    ('/poll survey questions:"a; b; c; d; e; f"', "at most 5 questions"),
    ('/poll survey questions:"Pick [choice: A]"', "at least 2"),
    ('/poll survey questions:"Rate [stars]"', "unknown kind"),
    ('/poll survey questions:"Fine?" closes_in:40d', "at most 32 days"),
])
async def test_bad_surveys_are_explained_and_not_stored(make_bot, command: str, message: str) -> None:
    bot = await start(make_bot)
    r = await bot.command(command, as_="tess", role="instructor")
    assert r.error and message in r.text, r.text
    assert polls(bot) == []


async def test_members_cannot_create_surveys(make_bot) -> None:
    bot = await start(make_bot)
    r = await bot.command(SURVEY, as_="ben")
    assert r.error and "instructor" in r.text and polls(bot) == []


async def test_results_with_more_text_answers_than_fit_attach_them_all(make_bot) -> None:
    bot = await start(make_bot)
    await bot.command(SURVEY, as_="tess", role="instructor")
    survey = bot.last("general")
    writers = [f"member{n:02d}" for n in range(30)]
    for who in writers:
        await answer(bot, survey, who, {"q1": "4", "q2": "Labs", "q3": f"{who} thinks " + "the labs were long " * 8})
    results = await bot.command("/poll results 1", as_="tess", role="instructor")
    content = results.reply.content
    texts = next(f for f in content.fields if f.name.startswith("3."))
    assert len(texts.value) <= 1000 and texts.value.splitlines()[-1].startswith("… and ")
    assert "all of them are in survey-1.csv" in content.text
    [file] = content.files
    rows = list(csv.DictReader(io.StringIO(file.data.decode("utf-8-sig"))))
    assert len(rows) == 30
