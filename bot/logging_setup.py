"""Logging with secrets redacted: tokens never reach a log line, whatever logs them."""

from __future__ import annotations

import logging
import re
import sys
from typing import Iterable

# Token shapes of Slack (xoxb-, xapp-, xoxp-) and Discord (three base64 parts).
_TOKEN_PATTERNS = [re.compile(r"xox[abprs]-[A-Za-z0-9-]+"), re.compile(r"xapp-[A-Za-z0-9-]+"),
                   re.compile(r"[MNO][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}")]


WIRE_LOGGERS = ("slack_sdk", "slack_bolt", "bot.adapters.slack.bolt", "discord.http", "discord.webhook",
                "discord.client", "discord.state", "aiohttp.client")


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        for pattern in _TOKEN_PATTERNS:
            text = pattern.sub("[redacted]", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure(level: str = "INFO", secrets: Iterable[str] = (), stream: object = None) -> RedactSecrets:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_cohort", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler._cohort = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    redactor = RedactSecrets(secrets)
    handler.addFilter(redactor)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("apscheduler", "discord.gateway", "alembic.runtime.migration", "alembic.runtime.plugins", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # The platform clients print whole requests and responses at DEBUG (a member's id next to
    # the text sent to them, the button they clicked): LOG_LEVEL=DEBUG must not turn that on,
    # or the log would pair members with their anonymous votes (docs/anonymity.md).
    for wire in WIRE_LOGGERS:
        logging.getLogger(wire).setLevel(max(logging.INFO, root.level))
    return redactor
