"""schedules.yaml: the banks: and prompts: sections are checked strictly, with file:line errors."""

from __future__ import annotations

import pytest

from bot.config import parse_config
from bot.errors import ConfigError

from .helpers import community_yaml


def problems(yaml: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(yaml, "schedules.yaml")
    return "\n".join(caught.value.problems)


def test_the_design_example_is_valid() -> None:
    yaml = community_yaml(
        banks='reflection: ["What surprised you this week?", "Which idea would you explain to a friend?"]',
        prompts='- {id: monday-warmup, channel: discussion, when: "mon 09:00", bank: reflection, order: shuffle, thread: true}\n'
                '- {id: daily-check, channel: discussion, when: "0 18 * * 1-5", questions: ["What did you practise today?"],'
                ' timezone: America/New_York, mention: Cohort7, start: 2026-01-12, end: 2026-03-20,'
                ' skip: ["2026-02-16..2026-02-20"], grace: 30m}')
    config = parse_config(yaml, "schedules.yaml")
    prompts = config.communities[0].prompts
    assert [p.id for p in prompts] == ["monday-warmup", "daily-check"]
    assert prompts[1].timezone == "America/New_York" and prompts[1].grace == "30m"


def test_unknown_bank_points_at_the_prompts_bank_key() -> None:
    yaml = community_yaml(banks='reflection: ["Q?"]',
                          prompts='- id: warmup\n  channel: discussion\n  when: "mon 09:00"\n  bank: reflexion')
    text = problems(yaml)
    line = next(i for i, l in enumerate(yaml.splitlines(), start=1) if "bank: reflexion" in l)
    assert f"schedules.yaml:{line}:" in text
    assert 'unknown bank "reflexion" (banks: reflection)' in text


@pytest.mark.parametrize("prompt, banks, message", [
    ('- {id: a, channel: discussion, when: "mon 09:00"}', "", 'needs questions: [...] or bank: <name>'),
    ('- {id: a, channel: discussion, when: "mon 09:00", bank: empty}', "empty: []", 'bank "empty" is empty'),
    ('- {id: a, channel: discussion, when: "mon 09:00", questions: []}', "", "empty questions list"),
    ('- {id: a, channel: discussion, when: "mon 09:00", questions: [Q], order: random}', "",
     'order must be "in-order" or "shuffle"'),
    ('- {id: a, channel: discussion, when: "mon 09:00", questions: [Q]}\n'
     '- {id: a, channel: discussion, when: "tue 09:00", questions: [Q]}', "", 'duplicate prompt id "a"'),
    ('- {id: a, channel: discussion, when: "61 * * * *", questions: [Q]}', "", "when:"),
    ('- {id: a, channel: discussion, when: "someday 09:00", questions: [Q]}', "", "is not a schedule"),
    ('- {id: a, channel: discussion, when: "mon 09:00", questions: [Q], timezone: Mars/Olympus}', "",
     "unknown time zone"),
    ('- {id: a, channel: discussion, when: "mon 09:00", questions: [Q], skip: ["2026-02-20..2026-02-16"]}', "",
     "ends before it starts"),
    ('- {id: a, channel: discussion, when: "mon 09:00", questions: [Q], thred: true}', "",
     'unknown key "thred" — did you mean "thread"?'),
])
def test_bad_prompt_config_is_explained(prompt: str, banks: str, message: str) -> None:
    assert message in problems(community_yaml(prompts=prompt, banks=banks))
