"""Pure logic of polls: no bot, no database."""

from datetime import timedelta

import pytest
from hypothesis import given, strategies as st

from cogs.polls.logic import (SurveyQuestionSpec, TooManyPicks, aggregate_answers, apply_click, build_poll_spec,
                              parse_answer, parse_options, parse_survey_questions, render_bar, safe_cell,
                              scale_average, tally_lines, to_csv)


def test_options_are_split_and_trimmed() -> None:
    assert parse_options(" Mon ;Tue; Wed;") == ("Mon", "Tue", "Wed")


@pytest.mark.parametrize("text, message", [
    ("Only one", "at least 2"),
    ("; ".join(f"o{i}" for i in range(26)), "at most 25"),
    ("A; a", "listed twice"),
    ("A; ; B", "option 2 is empty"),
    ("A; " + "x" * 81, "longer than 80"),
])
def test_bad_options_are_explained(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_options(text)


def test_twenty_five_options_are_allowed() -> None:
    assert len(parse_options("; ".join(f"o{i}" for i in range(25)))) == 25


@pytest.mark.parametrize("kwargs, message", [
    ({"question": ""}, "question is empty"),
    ({"question": "x" * 301}, "at most 300"),
    ({"closes_in": timedelta(0)}, "longer than 0"),
    ({"closes_in": timedelta(days=33)}, "at most 32 days"),
    ({"answer": 3}, "1 to 2"),
    ({"answer": 0}, "1 to 2"),
    ({"multi": True, "anonymous": True}, "anonymous polls are single choice"),
    ({"max_picks": 2}, "only applies to multi"),
    ({"multi": True, "max_picks": 3}, "between 1 and 2"),
    ({"explain": "because"}, "explain goes with answer"),
    ({"scale": 5}, "not both"),
])
def test_bad_poll_specs_are_explained(kwargs: dict, message: str) -> None:
    args = {"question": "Best day?", "options": "Mon; Tue", **kwargs}
    with pytest.raises(ValueError, match=message):
        build_poll_spec(args.pop("question"), args.pop("options"), **args)


def test_scale_poll_has_numbered_options() -> None:
    spec = build_poll_spec("How confident?", None, scale=5, closes_in=timedelta(days=32))
    assert spec.options == ("1", "2", "3", "4", "5")


def test_single_choice_moves_and_removes() -> None:
    assert apply_click({1}, 2, multi=False, max_picks=None).after == {2}
    assert apply_click({2}, 2, multi=False, max_picks=None).after == set()
    assert apply_click(set(), 1, multi=False, max_picks=None).added == {1}


def test_multi_toggles_with_a_cap() -> None:
    assert apply_click({1}, 2, multi=True, max_picks=2).after == {1, 2}
    assert apply_click({1, 2}, 1, multi=True, max_picks=2).after == {2}
    with pytest.raises(TooManyPicks):
        apply_click({1, 2}, 3, multi=True, max_picks=2)


@given(st.lists(st.integers(1, 6), max_size=40), st.booleans(), st.one_of(st.none(), st.integers(1, 6)))
def test_clicks_never_exceed_the_rules(clicks: list[int], multi: bool, cap: int | None) -> None:
    picks: frozenset[int] = frozenset()
    for option in clicks:
        try:
            picks = apply_click(picks, option, multi=multi, max_picks=cap).after
        except TooManyPicks:
            assert multi and cap is not None and len(picks) == cap
        assert len(picks) <= (1 if not multi else (cap or 6))


def test_bars_and_tallies() -> None:
    assert render_bar(0.5) == "█████░░░░░"
    assert render_bar(0) == "░" * 10
    lines = tally_lines([("Mon", 3), ("Tue", 1)], voters=4, multi=False, correct=1)
    assert lines[0].startswith("1. Mon ✅") and "75% (3)" in lines[0]
    assert "25% (1)" in lines[1]
    # multi: share of voters, so percentages may add up past 100
    multi = tally_lines([("A", 2), ("B", 2)], voters=2, multi=True)
    assert all("100% (2)" in line for line in multi)


def test_scale_average() -> None:
    assert scale_average([("1", 1), ("2", 0), ("3", 0), ("4", 0), ("5", 1)]) == 3
    assert scale_average([("1", 0), ("2", 0)]) is None


def test_csv_cells_cannot_be_formulas() -> None:
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("+1") == "'+1" and safe_cell("-1") == "'-1" and safe_cell("@x") == "'@x"
    assert safe_cell("fine") == "fine"
    assert to_csv(["a", "b"], [["=1+1", 'say "hi"']]).decode() == 'a,b\r\n\'=1+1,"say ""hi"""\r\n'


def test_survey_question_syntax() -> None:
    qs = parse_survey_questions("How was the pace? [scale]; Best part?; Pick one [choice: A | B]")
    assert qs == (SurveyQuestionSpec("How was the pace?", "scale"), SurveyQuestionSpec("Best part?", "text"),
                  SurveyQuestionSpec("Pick one", "choice", ("A", "B")))


@pytest.mark.parametrize("text, message", [
    ("", "question 1 is empty"),
    ("a; b; c; d; e; f", "at most 5 questions"),
    ("Pick [choice]", "needs options"),
    ("Pick [choice: A]", "at least 2"),
    ("Rate [stars]", 'unknown kind "stars"'),
    ("Rate [scale: 1 | 2]", "only choice questions take options"),
])
def test_bad_survey_questions(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_survey_questions(text)


def test_form_answers_are_checked() -> None:
    scale = SurveyQuestionSpec("Pace?", "scale")
    choice = SurveyQuestionSpec("Pick", "choice", ("Red", "Blue"))
    assert parse_answer(scale, " 4 ") == "4"
    assert parse_answer(choice, "blue") == "Blue" and parse_answer(choice, "1") == "Red"
    assert parse_answer(SurveyQuestionSpec("Else?"), None) == ""
    for question, raw in ((scale, "6"), (scale, "abc"), (choice, "Green")):
        with pytest.raises(ValueError):
            parse_answer(question, raw)


def test_survey_aggregates() -> None:
    assert aggregate_answers(SurveyQuestionSpec("Pace?", "scale"), ["4", "5", "3"])[0] == "average 4.0 / 5 (3 answers)"
    lines = aggregate_answers(SurveyQuestionSpec("Pick", "choice", ("A", "B")), ["A", "A", "B"])
    assert "67% (2)" in lines[0] and "33% (1)" in lines[1]
    assert aggregate_answers(SurveyQuestionSpec("Else?"), ["", "more labs"]) == ["• more labs"]
