"""The option parser: one declaration, typed values, clear errors for bad input."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

import pytest
from hypothesis import given, settings, strategies as st

from bot.errors import UserError
from bot.options import (ChannelRef, Duration, Help, Max, MaxLen, MemberRef, Min, bind_text, bind_values,
                         options_from_signature, split_words)


async def handler(self, ctx, question: Annotated[str, Help("What to ask"), MaxLen(30)],  # type: ignore[no-untyped-def]
                  options: str, anonymous: bool = False, closes_in: Duration | None = None,
                  answer: Annotated[int | None, Min(1), Max(25)] = None,
                  kind: Literal["single", "multi"] = "single", on: date | None = None,
                  who: MemberRef | None = None, where: ChannelRef | None = None) -> None:
    pass


SPECS = options_from_signature(handler)


def parse(text: str) -> dict:
    return bind_text(SPECS, split_words(text))


def test_specs_come_from_the_signature() -> None:
    by_name = {s.name: s for s in SPECS}
    assert [s.name for s in SPECS][:3] == ["question", "options", "anonymous"]
    assert by_name["question"].required and by_name["question"].help == "What to ask"
    assert by_name["question"].max_length == 30
    assert not by_name["anonymous"].required and by_name["anonymous"].kind == "boolean"
    assert by_name["closes_in"].kind == "duration" and not by_name["closes_in"].required
    assert by_name["answer"].min_value == 1 and by_name["answer"].max_value == 25
    assert by_name["kind"].choices == ("single", "multi")


def test_named_values_with_colon_or_equals_and_shell_quotes() -> None:
    values = parse('question:"Best day?" options="Mon; Tue; Wed" anonymous:true closes_in:2h answer=2')
    assert values["question"] == "Best day?"
    assert values["options"] == "Mon; Tue; Wed"
    assert values["anonymous"] is True
    assert values["closes_in"] == timedelta(hours=2)
    assert values["answer"] == 2
    assert values["kind"] == "single"  # default


def test_required_options_positionally_in_order() -> None:
    values = parse('"Best day?" "Mon; Tue" kind:multi')
    assert values["question"] == "Best day?" and values["options"] == "Mon; Tue" and values["kind"] == "multi"


def test_slack_smart_quotes_count_as_quotes() -> None:
    assert parse("question:“Best day?” options:“A; B”")["question"] == "Best day?"


def test_mentions_dates_and_channels() -> None:
    values = parse('q o who:<@U123|ana> where:<#C9|general> on:2026-02-01')
    assert values["who"] == MemberRef("U123", "ana")
    assert values["where"] == ChannelRef("C9", "general")
    assert values["on"] == date(2026, 2, 1)
    assert parse("q o who:@bob")["who"].external_id == "bob"


@pytest.mark.parametrize("text, message", [
    ("", "missing question, options"),
    ('question:"x"', "missing options"),
    ('q o anonymous:maybe', '"maybe" is not true or false'),
    ('q o closes_in:soon', '"soon" is not a duration'),
    ('q o answer:0', "answer: must be at least 1 (got 0)"),
    ('q o answer:26', "answer: must be at most 25 (got 26)"),
    ('q o answer:two', '"two" is not a whole number'),
    ('q o kind:weird', '"weird" is not one of: single, multi'),
    ('"this question is far too long to be accepted" o', "at most 30 characters"),
    ('q o anonymus:true', 'unknown option "anonymus" — did you mean "anonymous"?'),
    ('question:"unclosed', "check your quotes"),
    ('question:a options:o question:b', "question given twice"),
    ('q o on:2026-13-01', "on:"),
])
def test_bad_input_names_what_was_wrong(text: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        parse(text)
    assert message in str(caught.value)


def test_free_text_for_a_single_required_text_option() -> None:
    async def post(self, ctx, question: str, channel: str | None = None):  # type: ignore[no-untyped-def]
        pass

    specs = options_from_signature(post)
    assert bind_text(specs, split_words("What surprised you: week 3?"))["question"] == "What surprised you: week 3?"


def test_platform_values_are_validated_too() -> None:
    with pytest.raises(UserError, match="at most 25"):
        bind_values(SPECS, {"question": "q", "options": "a;b", "answer": 99})
    assert bind_values(SPECS, {"question": "q", "options": "a;b", "anonymous": True})["anonymous"] is True


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_parser_never_raises_anything_but_user_errors(text: str) -> None:
    try:
        parse(text)
    except UserError:
        pass


def test_quoted_words_fill_options_in_order_and_unquoted_text_is_one_value() -> None:
    assert parse('"Best day?" "Mon; Tue"')["question"] == "Best day?"
    assert parse('"Best day?" "Mon; Tue"')["options"] == "Mon; Tue"
    assert parse("Best day ever? options:A;B")["question"] == "Best day ever?"  # free text, one option left


def test_an_unknown_name_value_word_is_named_not_taken_as_a_value() -> None:
    with pytest.raises(UserError, match='unknown option "colour" — this command takes: question, options'):
        parse('question:"Q?" options:"A; B" colour:red')
    # inside quotes it is text: "Note: this" is a question, not an option called Note
    assert parse('"Note: this" "A; B"')["question"] == "Note: this"


def test_a_command_without_options_says_it_takes_none() -> None:
    with pytest.raises(UserError, match='unknown option "colour" — this command takes no options$'):
        bind_text([], split_words("colour:red"))


def test_the_only_option_of_a_command_takes_unquoted_free_text() -> None:
    async def queue_join(self, ctx, topic: str | None = None) -> None:  # type: ignore[no-untyped-def]
        pass

    specs = options_from_signature(queue_join)
    assert bind_text(specs, split_words("need help with SQL joins"))["topic"] == "need help with SQL joins"


def test_an_answer_repeats_long_input_shortened_and_leaves_its_other_quotes_alone() -> None:
    from bot.wording import shorten_quoted

    said = shorten_quoted(f'no bank "{"x" * 500}" — like "mon 09:00", or "{"y" * 30}"')
    assert said == f'no bank "{"x" * 59}…" — like "mon 09:00", or "{"y" * 30}"'
    short = 'when: "abc" is not a schedule — it must end with a time like 09:00; use a cron expression like "0 18 * * 1-5"'
    assert shorten_quoted(short) == short  # the text between two quoted values is not a quote


def test_a_command_line_longer_than_anyone_can_type_is_refused_before_it_is_split() -> None:
    """The shell-like split is quadratic: a 1 MB line held the event loop ~30 s (every ack waited)."""
    with pytest.raises(UserError, match="1,000,008 characters long; at most 20,000"):
        split_words("results " + "9" * 1_000_000)
    assert len(split_words("/poll create question:" + "x" * 19_000)) == 3
