"""The door of POST /slack/events: every request is checked here before bolt parses a byte of it.

Order matters: an unsigned request is refused (401) before its body is even decoded, so
garbage from the internet costs one HMAC and, at most, one short log line a minute. A signed
request whose body is not the shape Slack sends (invalid UTF-8, JSON that is not an object,
``payload=`` that is not JSON, ``actions=[{}]``...) gets 400: it came from someone holding the
signing secret, but no listener should ever see it. A signed request already seen (same
signature, so same timestamp and bytes) is acknowledged and dropped: Slack never sends the same
bytes twice (its retries carry a new timestamp), so a repeat is a replay.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping
from urllib.parse import unquote

from .events import RecentIds
from .payloads import payload_problem, unheard

log = logging.getLogger(__name__)

WINDOW_SECONDS = 5 * 60  # Slack's own replay window for signed requests
_TIMESTAMP = re.compile(r"\d{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


@dataclass(frozen=True)
class Verdict:
    """What the gate decided: ``status`` None lets the request through to bolt."""

    status: int | None
    reason: str = ""
    body: Any = None  # the parsed body, for whoever wants it after the gate
    ticket: Any = None  # what the claim answered for a first-time request (e.g. its inbox receipt)

    @property
    def passed(self) -> bool:
        return self.status is None


class ThrottledLog:
    """At most one line per ``interval`` seconds, carrying how many refusals it stands for:
    200 bad requests a second must not turn into 200 log lines a second."""

    def __init__(self, logger: logging.Logger, interval: float = 60.0,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.logger, self.interval, self.now = logger, interval, now
        self._last: float | None = None
        self._quiet = 0

    def refused(self, verdict: Verdict) -> None:
        at = self.now()
        if self._last is not None and at - self._last < self.interval:
            self._quiet += 1
            return
        also = f" (+{self._quiet} more refused since the last line)" if self._quiet else ""
        self.logger.warning("Slack request refused with %s: %s%s", verdict.status, verdict.reason, also)
        self._last, self._quiet = at, 0


def check_signature(secret: str, headers: Mapping[str, str], body: bytes, now: float) -> str | None:
    """None when the request is signed by Slack within the window; otherwise why not (short, no input echoed)."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not timestamp or not signature:
        return "unsigned"
    if not _TIMESTAMP.fullmatch(timestamp):
        return "timestamp is not a whole number of seconds"
    if abs(now - int(timestamp)) > WINDOW_SECONDS:
        return "timestamp outside the 5-minute window"
    if not _SIGNATURE.fullmatch(signature):
        return "signature is not v0=<hex>"
    # Slack's scheme, over the raw bytes (slack_sdk's verifier decodes them first, and raises on binary)
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return "bad signature"
    return None


def parse_body(body: bytes, content_type: str) -> tuple[Any, str | None]:
    """The body as bolt will read it, or why it is not something Slack sends."""
    data, problem, _ = read_body(body, content_type)
    return data, problem


def read_body(body: bytes, content_type: str) -> tuple[Any, str | None, str | None]:
    """``parse_body``, and the JSON text the body was parsed from (None for a slash command's form):
    the inbox stores that text as it is instead of encoding the parsed body again."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None, "body is not UTF-8", None
    if "json" in content_type.lower():
        try:
            data = json.loads(text)
        except ValueError:
            return None, "body is not JSON", None
        return data, payload_problem(data), text
    form = form_fields(text)
    if "payload" not in form:
        return form, payload_problem(form, form=True), None
    try:
        data = json.loads(form["payload"])
    except ValueError:
        return None, "payload is not JSON", None
    return data, payload_problem(data), form["payload"]


def form_fields(text: str) -> dict[str, str]:
    """A form body's fields, as ``parse_qs(text, keep_blank_values=True)`` read them (the last value of
    a repeated name wins), ~6x faster on a block_actions body: its JSON payload is mostly %XX escapes,
    which the standard library decodes one by one in Python (~100 µs a click, on the ack path)."""
    fields: dict[str, str] = {}
    for pair in text.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            fields[_unquote(name)] = _unquote(value)
    return fields


def _unquote(text: str) -> str:
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    if text.isascii() and "\\" not in text:
        try:  # every %XX as \xXX: one C pass; strict, so anything unusual falls to the standard library
            return text.replace("%", "\\x").encode("ascii").decode("unicode_escape").encode("latin-1").decode()
        except UnicodeError:
            pass
    return unquote(text)


class RequestGate:
    """Signature, then body shape, then replay — each refusal one throttled log line, no traceback."""

    def __init__(self, signing_secret: str, *,
                 claim: Callable[[str, float, Any, str | None], Awaitable[Any]] | None = None,
                 now: Callable[[], float] = time.time) -> None:
        self.secret = signing_secret
        # across processes: claim(signature, timestamp, body, its JSON text or None) is falsy when the
        # signature was claimed before anywhere, else a ticket handed on in the verdict (the adapter's:
        # the inbox receipt)
        self.claim = claim
        self.now = now
        self.seen = RecentIds(size=50_000)
        self.refusals = ThrottledLog(log)
        self.counts: dict[int, int] = {}

    async def check(self, headers: Mapping[str, str], body: bytes) -> Verdict:
        verdict = await self._check(headers, body)
        if not verdict.passed:
            assert verdict.status is not None
            self.refuse(verdict.status, verdict.reason)
        return verdict

    def refuse(self, status: int, reason: str) -> Verdict:
        """Count and (throttled) log a refusal decided here or after the gate (bolt could not read it)."""
        verdict = Verdict(status, reason)
        self.counts[status] = self.counts.get(status, 0) + 1
        self.refusals.refused(verdict)
        return verdict

    async def _check(self, headers: Mapping[str, str], body: bytes) -> Verdict:
        problem = check_signature(self.secret, headers, body, self.now())
        if problem is not None:
            return Verdict(401, problem)
        data, problem, text = read_body(body, headers.get("Content-Type", ""))
        if problem is not None:
            return Verdict(400, problem)
        if ignored := unheard(data):
            return Verdict(200, ignored)
        signature = headers["X-Slack-Signature"]
        ticket = await self._first_time(signature, int(headers["X-Slack-Request-Timestamp"]), data, text)
        if not ticket:
            return Verdict(200, "the same signed request again (replay); ignored")
        return Verdict(None, body=data, ticket=ticket)

    async def _first_time(self, signature: str, timestamp: int, data: Any, text: str | None) -> Any:
        if not self.seen.first_time(signature):
            return False
        if self.claim is None:
            return True
        try:
            return await self.claim(signature, float(timestamp), data, text)
        except Exception:  # the database is away: this process's memory still refuses repeats it saw
            log.warning("could not record a Slack request signature; relying on this process's memory")
            return True
