"""Recurring polls and surveys from schedules.yaml, and the validation of those sections."""

from datetime import datetime, timedelta, timezone

import pytest

from bot.config import parse_config
from bot.errors import ConfigError

from .helpers import polls, start

YAML = """
communities:
  - id: console
    platform: console
    timezone: Europe/Berlin
    channels: {discussion: general}
    polls:
      - {id: confidence, channel: discussion, when: "fri 15:00", question: "How confident do you feel?", scale: 5, closes_in: 30m}
    surveys:
      - id: feedback
        channel: discussion
        when: "fri 16:00"
        anonymous: true
        closes_in: 1h
        questions:
          - {text: "How was the pace?", kind: scale}
          - {text: "Best part?", kind: choice, options: "Labs; Talks"}
          - {text: "Anything else?", kind: text}
"""
FRIDAY_1350_UTC = datetime(2026, 1, 16, 13, 50, tzinfo=timezone.utc)  # 14:50 in Berlin


async def test_a_weekly_poll_is_posted_and_closes_on_its_own(make_bot) -> None:
    bot = await start(make_bot, yaml=YAML, start=FRIDAY_1350_UTC)
    await bot.advance(timedelta(minutes=15))
    poll = bot.last("general")
    assert poll.content.title == "📊 How confident do you feel?"
    assert [b.label for b in poll.buttons][:5] == ["1", "2", "3", "4", "5"]
    await bot.click(poll, "4", as_="ben")
    await bot.advance(timedelta(minutes=30))
    assert polls(bot)[0].status == "closed" and polls(bot)[0].schedule_key == "confidence"
    assert "Average: 4.0 / 5" in bot.messages("general")[0].text


async def test_a_weekly_survey_is_posted(make_bot) -> None:
    bot = await start(make_bot, yaml=YAML, start=FRIDAY_1350_UTC)
    await bot.advance(timedelta(hours=1, minutes=15))
    survey = bot.last("general")
    assert survey.content.title == "📝 Feedback survey" and "anonymous" in survey.text
    opened = await bot.click(survey, "Answer", as_="ben")
    assert len(opened.forms[0].fields) == 3
    await bot.advance(timedelta(hours=1))
    assert [p.status for p in polls(bot) if p.kind == "survey"] == ["closed"]


async def test_a_firing_missed_while_down_is_posted_once_after_restart(make_bot) -> None:
    bot = await start(make_bot, yaml=YAML, start=FRIDAY_1350_UTC)
    bot.clock.set(FRIDAY_1350_UTC + timedelta(minutes=40))  # the bot was down at 15:00 Berlin
    await bot.restart()
    assert [p.question for p in polls(bot)] == ["How confident do you feel?"]
    await bot.restart()
    assert len(polls(bot)) == 1


async def test_no_firing_from_before_the_schedule_existed(make_bot) -> None:
    bot = await start(make_bot, yaml=YAML, start=FRIDAY_1350_UTC + timedelta(minutes=20))  # 15:10 Berlin
    await bot.advance(timedelta(minutes=5))
    assert polls(bot) == []


async def test_no_scheduled_poll_during_a_break(make_bot) -> None:
    yaml = YAML.replace("    channels:", '    term: {breaks: ["2026-01-12..2026-01-18"]}\n    channels:')
    bot = await start(make_bot, yaml=yaml, start=FRIDAY_1350_UTC)
    await bot.advance(timedelta(minutes=15))
    assert polls(bot) == []


BASE = """
communities:
  - id: console
    platform: console
    {section}:
      - {entry}
"""


@pytest.mark.parametrize("section, entry, message", [
    ("polls", '{id: a, channel: general, when: "fri 15:00", question: "Q?", options: "A; B", scale: 5}', "not both"),
    ("polls", '{id: a, channel: general, when: "fri 15:00", question: "Q?"}', "a poll needs its choices"),
    ("polls", '{id: a, channel: general, when: "fri 15:00", question: "Q?", options: "A; B", answer: 3}', "1 to 2"),
    ("polls", '{id: a, channel: general, when: "fri 15:00", question: "Q?", options: "A; A"}', "listed twice"),
    ("polls", '{id: a, channel: general, when: "fri 15:00", question: "Q?", scale: 5, closes_in: 40d}', "32 days"),
    ("polls", '{id: a, channel: general, when: "fri 15:00", question: "Q?", scale: 5, colour: red}', 'unknown key "colour"'),
    ("polls", '{id: a, channel: general, when: "someday", question: "Q?", scale: 5}', "when"),
    ("surveys", '{id: s, channel: general, when: "fri 15:00", questions: [{text: "Pick", kind: choice}]}', "needs options"),
    ("surveys", '{id: s, channel: general, when: "fri 15:00", questions: [{text: "Rate", kind: stars}]}', "kind"),
    ("surveys", '{id: s, channel: general, when: "fri 15:00", questions: []}', "at least one question"),
])
def test_bad_yaml_entries_are_reported_with_their_line(section: str, entry: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(BASE.format(section=section, entry=entry), "schedules.yaml")
    text = str(caught.value)
    assert message in text and "schedules.yaml:" in text, text


def test_duplicate_ids_are_reported() -> None:
    yaml = BASE.format(section="polls", entry='{id: a, channel: general, when: "fri 15:00", question: "Q?", scale: 5}')
    yaml += '      - {id: a, channel: general, when: "mon 15:00", question: "Again?", scale: 3}\n'
    with pytest.raises(ConfigError, match='duplicate id "a"'):
        parse_config(yaml, "schedules.yaml")


def test_the_contract_example_is_valid() -> None:
    config = parse_config(YAML, "schedules.yaml")
    assert config.communities[0].polls[0].spec().scale == 5


def test_an_error_points_at_the_key_at_fault() -> None:
    entry = '{id: a, channel: general, when: "fri 15:00", question: "Q?", options: "A; B", answer: 3}'
    text = BASE.format(section="polls", entry=entry)
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "schedules.yaml")
    line = text.splitlines()[5]
    assert f"schedules.yaml:6:{line.index('answer: 3') + 9}: answer must be" in str(caught.value)
