"""`bot check` on every other section of schedules.yaml with bad values: each problem once, at its
own line, in an instructor's words (the siblings of the prompts/polls checks in test_config_errors)."""

from __future__ import annotations

import pytest

from .test_config_errors import at, problems

COGS = "cogs: [cogs.welcome, cogs.helpdesk, cogs.kudos, cogs.events, cogs.officehours]\n"

SECTIONS = [
    ('  welcome: {message: "Hi {nope}", where: "", buttons: [dance], rules: 5}\n', [
        ('"Hi {nope}', 'welcome.message: unknown placeholder "{nope}" — use {member} or {community}'),
        ('""', "welcome.where: must not be empty"),
        ("dance", "welcome.buttons: expected 'introduce', 'mentoring' or 'rules' (got \"dance\")"),
        ("5}", "welcome.rules: expected text (got 5)")]),
    ('  welcome: {message: "Hi {member", join_channels: general}\n', [
        ('"Hi', "welcome.message: unbalanced { or } — write {{ or }} for a literal brace"),
        ("general}", 'welcome.join_channels: expected a list ([a, b] or lines starting with "- ") (got "general")')]),
    ('  helpdesk: {unanswered_after: soon, working_hours: "mon-fri 25:00-17:00", notify: ""}\n'
     '  help_channels: "help"\n', [
        ("soon", 'helpdesk.unanswered_after: "soon" is not a duration'),
        ('"mon-fri', 'helpdesk.working_hours: "25:00" is not a time of day'),
        ('""', "helpdesk.notify: must not be empty"),
        ('"help"', 'help_channels: expected a list ([a, b] or lines starting with "- ") (got "help")')]),
    ("  kudos: {per_day: 0, emoji: x, board: maybe, extra: 1}\n", [
        ("0,", "kudos.per_day: must be at least 1 (got 0)"),
        ("x,", 'kudos.emoji: expected a list ([a, b] or lines starting with "- ") (got "x")'),
        ("maybe", 'kudos.board: expected true or false (got "maybe")'),
        ("extra", 'unknown key "extra" (expected one of: per_day, emoji, board)')]),
    ('  events:\n    - {id: oh, title: "", when: "thu 25:00", duration: forever, post_ahead: -1d, capacity: many}\n', [
        ('""', "title: must not be empty"),
        ('"thu', 'when: "thu 25:00": "25:00" is not a time of day'),
        ("forever", 'duration: "forever" is not a duration'),
        ("-1d", 'post_ahead: "-1d" is not a duration'),
        ("many", 'capacity: expected a whole number (got "many")')]),
    ('  events:\n    - {id: oh, title: OH, when: "thu 16:00", duration: 30d}\n'
     "  office_hours: {with_events: [oh, office-hour]}\n", [
        ("30d", "duration must be more than 0 and at most 24h"),
        ("office-hour]", 'no event "office-hour" under events: (the events are oh)')]),  # a typo: the queue never opens
    ("  office_hours: {with_events: [office-hours]}\n", [
        ("office-hours]", 'no event "office-hours" under events: (there are no events: to name)')]),
]


@pytest.mark.parametrize("section, expected", SECTIONS, ids=lambda v: v.split(":")[0].strip() if isinstance(v, str) else "")
def test_bad_values_in_every_section_are_each_reported_at_their_line(section: str, expected: list[tuple[str, str]]) -> None:
    text = "defaults:\n  timezone: UTC\n" + section + 'communities:\n  - id: "*"\n  - id: console\n    platform: console\n' + COGS
    found = problems(text)
    assert len(found) == len(expected), found  # once each, though two communities inherit them
    for (needle, words), problem in zip(expected, found):
        where, _, message = problem.partition(": ")
        assert where == at(text, needle), problem
        assert message.startswith(words), problem


def test_with_events_without_the_events_cog_says_which_cog_to_add() -> None:
    text = "defaults:\n  office_hours: {with_events: [office-hours]}\ncogs: [cogs.officehours]\n"
    assert problems(text) == ["s.yaml:2:31: with_events names sessions of the events cog — add cogs.events to cogs:"]


def test_an_empty_channel_or_community_id_is_refused_at_its_line() -> None:
    """`channels: {discussion: ""}` posted nowhere; `id: ""` was a community no server has."""
    text = ('defaults:\n  channels: {discussion: "", staff: 42}\n  help_channels: [""]\n'
            'communities:\n  - id: ""\n  - id: console\n    platform: console\ncogs: [cogs.helpdesk]\n')
    assert problems(text) == [
        's.yaml:2:26: channels.discussion: must not be empty — give a channel name (or id)',
        's.yaml:3:19: help_channels: must not be empty — give a channel name (or id)',
        's.yaml:5:9: id: must not be empty — a server/workspace id, "*" (any other) or "console"',
    ]


def test_an_empty_mentoring_or_digest_channel_is_refused() -> None:
    text = ('defaults:\n  mentoring: {channel: ""}\n  digest: {channel: " ", when: "fri 17:00"}\n'
            "cogs: [cogs.mentors, cogs.participation]\n")
    assert problems(text) == ["s.yaml:2:24: mentoring.channel: must not be empty — give a channel name (or id)",
                              "s.yaml:3:21: digest.channel: must not be empty — give a channel name (or id)"]



def test_blank_text_and_empty_channels_of_scheduled_posts_are_refused_at_their_line() -> None:
    """A prompt, poll, survey or event with a blank question/title or an empty channel was
    `ok`: it posted an empty message, or nothing anywhere, every week."""
    text = ('defaults:\n  timezone: UTC\n'
            '  prompts:\n    - {id: p1, channel: "", when: "mon 09:00", questions: ["  ", "ok?"]}\n'
            '  polls:\n    - {id: q1, channel: " ", when: "fri 15:00", question: "Sure?", scale: 5}\n'
            '  surveys:\n    - {id: s1, channel: x, when: "fri 16:00", title: "  ", questions: [{text: ""}]}\n'
            '  events:\n    - {id: e1, title: "   ", when: "thu 16:00", channel: ""}\n'
            'communities:\n  - id: console\n    platform: console\n'
            'cogs: [cogs.prompts, cogs.polls, cogs.events]\n')
    channel, blank = "channel: must not be empty — give a channel name (or id)", "must not be empty (or only spaces)"
    expected = [('"", when', 1, channel), ('"  ", "ok', 1, f"questions: {blank}"), ('" ", when', 1, channel),
                ('"  ", questions', 1, f"title: {blank}"), ('""}]', 1, f"text: {blank}"),
                ('"   "', 1, f"title: {blank}"), ('""}', 2, channel)]
    assert problems(text) == [f"{at(text, needle, nth)}: {words}" for needle, nth, words in expected]
