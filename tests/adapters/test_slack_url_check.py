"""The gate's response_url check answers what urlsplit answers: the fast prefix check for plain
http(s) URLs never lets through a value the full parse refuses (brackets, non-ASCII hosts, no
host, another scheme), whatever the characters; a refused value gets 400 before bolt reads it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.adapters.slack.payloads import _is_url, payload_problem


def reference(value: Any) -> bool:
    """The check as it was before the fast path: urlsplit for every value."""
    if not isinstance(value, str) or len(value) > 2000 or not value.isprintable() or " " in value:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


PIECES = st.sampled_from(["http", "https", "HTTPS", "hTtP", "ftp", "javascript", ":", "//", "/", "?", "#", "[", "]",
                          "::1", "@", "x", "é", "\uff0f", "\u2100", "127.0.0.1", ":8080", "%2F", "\\", "\n", "\t",
                          " ", "\x00", "a.b"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(PIECES, max_size=8).map("".join))
@example("http://[::1")
@example("http://[::1]/r")
@example("https://ex\u2100ample.com/r")
@example("http:/x")
@example("https:///r")
@example("http://?r")
@example(" http://x")
@example("http://x/" + "y" * 2000)
def test_url_check_answers_as_urlsplit_does(value: str) -> None:
    assert _is_url(value) == reference(value)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_url_check_on_any_text(value: str) -> None:
    assert _is_url(value) == reference(value)


def test_a_command_with_a_bad_response_url_is_refused() -> None:
    form = {"command": "/stats", "user_id": "U1", "team_id": "T1", "channel_id": "C1"}
    assert payload_problem({**form, "response_url": "https://hooks.slack.com/commands/T1/1/x"}, form=True) is None
    for bad in ("http://[::1/r", "javascript:1", "https://", "https://exa\uff0fmple/r", "no url"):
        assert payload_problem({**form, "response_url": bad}, form=True) == "response_url is not a URL"
