"""Tokens and secrets never reach the logs or an error message, whatever the code logs."""

from __future__ import annotations

import io
import logging
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from bot.logging_setup import configure
from bot.settings import Settings

from .helpers import LEDGER, child_env, python

SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-123456789-secret-token",  # what /sample fail puts in its exception
    "SLACK_APP_TOKEN": "xapp-1-A0123-456-abcdef0123456789",
    "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",  # no recognisable shape: redacted by value
    "DISCORD_TOKEN": "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB",
}


def test_secrets_in_exceptions_and_log_calls_are_redacted(tmp_path: Path) -> None:
    config = tmp_path / "schedules.yaml"
    config.write_text(f"cogs: [tests.fixtures.sample_cog, {LEDGER}]\n")
    # BOT_ADAPTERS=console: the tokens are set (so the settings hold them) but no platform is contacted.
    env = child_env(DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}", BOT_CONFIG=str(config),
                    BOT_ADAPTERS="console", LOG_LEVEL="DEBUG", **SECRETS)
    result = subprocess.run([python(), "-m", "bot", "run"], input="/sample fail\n/ledger leak\n",
                            capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    for name, secret in SECRETS.items():
        assert secret not in result.stdout, f"{name} shown to the user"
        assert secret not in result.stderr, f"{name} written to the log"
    # The failures were logged (with their reference ids), just without the secrets.
    references = re.findall(r"reference ([0-9a-f]{8})", result.stdout)
    assert len(references) == 2
    for ref in references:
        assert f"ref {ref}" in result.stderr
    assert result.stderr.count("[redacted]") >= 3
    assert "boom with [redacted]" in result.stderr and "Traceback" in result.stderr


def test_the_database_password_is_redacted_like_the_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    password = "pa%40ss-W0rd-42"  # URL-encoded "pa@ss-W0rd-42"
    monkeypatch.setenv("DATABASE_URL", f"postgresql://cohort:{password}@db.internal:5432/cohort")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRETS["SLACK_SIGNING_SECRET"])
    settings = Settings(_env_file=None)
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    configure("INFO", settings.secrets(), stream=stream)
    try:
        log = logging.getLogger("bot.test")
        log.info("starting with %r", settings)  # a settings dump, as a debugging session might add
        try:
            raise ConnectionError(f"cannot reach {settings.database_url}")
        except ConnectionError:
            log.exception("database down")
    finally:
        for handler in [h for h in root.handlers if getattr(h, "_cohort", False)]:
            root.removeHandler(handler)
        root.setLevel(level)
    output = stream.getvalue()
    assert "database down" in output and "db.internal" in output
    for secret in (password, unquote(password), SECRETS["SLACK_SIGNING_SECRET"]):
        assert secret not in output
