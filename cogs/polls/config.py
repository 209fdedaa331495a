"""The polls cog's schedules.yaml sections: recurring ``polls:`` and ``surveys:``.

```yaml
polls:
  - {id: confidence, channel: discussion, when: "fri 15:00", question: "How confident do you feel?",
     scale: 5, closes_in: 2d}
surveys:
  - id: feedback
    channel: discussion
    when: "every 2 weeks on fri 16:00"
    anonymous: true
    closes_in: 3d
    questions:
      - {text: "How was the pace?", kind: scale}
      - {text: "Best part?", kind: choice, options: "Lectures; Exercises; Discussions"}
      - {text: "Anything else?", kind: text}
```
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from bot import ChannelName, DurationText, SomeText, Strict, WhenText, parse_duration

from .logic import SpecError, build_poll_spec, check_closes_in, check_survey_questions, make_survey_question


class PollScheduleConfig(Strict):
    id: str = Field(min_length=1, max_length=60)
    channel: ChannelName
    when: WhenText
    question: SomeText
    options: str | None = None
    scale: int | None = None
    multi: bool = False
    max_picks: int | None = None
    anonymous: bool = False
    hidden: bool = False
    answer: int | None = None
    explain: str | None = None
    closes_in: DurationText | None = None

    def spec(self) -> Any:
        """The poll each firing creates (raises ValueError when the entry is inconsistent)."""
        return build_poll_spec(self.question, self.options, scale=self.scale, multi=self.multi,
                               max_picks=self.max_picks, anonymous=self.anonymous, hidden=self.hidden,
                               closes_in=parse_duration(self.closes_in) if self.closes_in else None,
                               answer=self.answer, explain=self.explain)


class SurveyQuestionConfig(Strict):
    text: SomeText
    kind: Literal["choice", "scale", "text"] = "text"
    options: str | None = None


class SurveyScheduleConfig(Strict):
    id: str = Field(min_length=1, max_length=60)
    channel: ChannelName
    when: WhenText
    title: SomeText | None = None
    anonymous: bool = False
    closes_in: DurationText | None = None
    questions: list[SurveyQuestionConfig]

    @property
    def heading(self) -> str:
        return self.title or "Feedback survey"

    def question_specs(self) -> Any:
        specs = [make_survey_question(q.text, q.kind, q.options, number=n, example='options: "A; B"')
                 for n, q in enumerate(self.questions, 1)]
        return check_survey_questions(specs)


def validate_sections(community: Any) -> list[tuple[tuple[Any, ...], str]]:
    """Cross-field checks: duplicate ids, options vs scale, answer range, question kinds, closes_in."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    seen: dict[str, tuple[str, int]] = {}
    for section in ("polls", "surveys"):
        for index, entry in enumerate(getattr(community, section, None) or []):
            where: tuple[Any, ...] = (section, index)
            if entry.id in seen:
                other = seen[entry.id]
                problems.append((where + ("id",), f'duplicate id "{entry.id}" (also {other[0]}[{other[1]}])'))
            seen.setdefault(entry.id, (section, index))
            try:
                if section == "polls":
                    entry.spec()
                else:
                    entry.question_specs()
                    try:
                        check_closes_in(parse_duration(entry.closes_in) if entry.closes_in else None)
                    except ValueError as error:
                        raise SpecError(str(error), "closes_in") from None
            except SpecError as error:
                problems.append((where + _location(section, error), str(error)))
            except ValueError as error:
                problems.append((where, str(error)))
    return problems


def _location(section: str, error: SpecError) -> tuple[Any, ...]:
    """The YAML key an error is about (the command's option names match the keys; a key
    that is absent makes the report point at the entry)."""
    if error.index is not None:
        return ("questions", error.index, error.field or "text")
    return (error.field,) if error.field else ()
