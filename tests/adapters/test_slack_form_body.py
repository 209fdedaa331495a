"""The gate reads a form-encoded Slack body (slash commands, the ``payload`` of a click or a form)
exactly as the standard library's parse_qs would: a command's text or a click's JSON is never read
differently, whatever its characters, escapes or broken escapes."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.adapters.slack.gate import form_fields

ESCAPY = st.text(alphabet=st.sampled_from(list("ab=&+%\\x5cC3A9e9zZ0F é€\n\u202e")), max_size=40)


def reference(text: str) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(text, keep_blank_values=True).items()}


@settings(max_examples=400, deadline=None)
@given(ESCAPY)
@example("payload=%7B%22a%22%3A+%22%C3%A9%5Cx41%22%7D")
@example("text=%e9%zz%4&text=second&&=&lonely")
def test_any_body_reads_as_parse_qs_reads_it(text: str) -> None:
    assert form_fields(text) == reference(text)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=8), st.text(max_size=60), max_size=5))
def test_what_slack_encodes_reads_back(fields: dict[str, str]) -> None:
    body = urlencode(fields)
    assert form_fields(body) == reference(body)
