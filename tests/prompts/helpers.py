"""Shared bits for the prompts tests: a community YAML builder and readers of stored rows."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlmodel import select

from cogs.prompts.models import PromptPost, PromptResponse, PromptSchedule

BERLIN = ZoneInfo("Europe/Berlin")
PROMPTS = ["cogs.prompts"]
# A Sunday noon, so that nothing is due at the very instant a test bot starts.
SUNDAY = datetime(2026, 1, 11, 12, 0, tzinfo=timezone.utc)


def community_yaml(prompts: str = "", banks: str = "", extra: str = "", tz: str = "Europe/Berlin") -> str:
    """One console community (the test harness's server) with the given prompts:/banks: lines."""
    text = f"""
communities:
  - id: console
    platform: console
    name: Test Cohort
    timezone: {tz}
    channels: {{discussion: general, staff: instructors}}
"""
    if extra:
        text += "".join(f"    {line}\n" for line in extra.strip("\n").splitlines())
    if banks:
        text += "    banks:\n" + "".join(f"      {line}\n" for line in banks.strip("\n").splitlines())
    if prompts:
        text += "    prompts:\n" + "".join(f"      {line}\n" for line in prompts.strip("\n").splitlines())
    return text


def posts(bot) -> list[PromptPost]:  # type: ignore[no-untyped-def]
    with bot.session() as s:
        return list(s.exec(select(PromptPost).order_by(PromptPost.id)).all())


def local_times(bot, zone: ZoneInfo = BERLIN) -> list[str]:  # type: ignore[no-untyped-def]
    """When each prompt was posted, as local "YYYY-MM-DD HH:MM"."""
    return [p.posted_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") for p in posts(bot)]


def schedule(bot, key: str) -> PromptSchedule:  # type: ignore[no-untyped-def]
    with bot.session() as s:
        row = s.exec(select(PromptSchedule).where(PromptSchedule.key == key)).first()
        assert row is not None, f"no schedule {key}"
        return row


def responses(bot) -> list[PromptResponse]:  # type: ignore[no-untyped-def]
    with bot.session() as s:
        return list(s.exec(select(PromptResponse).order_by(PromptResponse.id)).all())
