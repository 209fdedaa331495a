"""The ``mentoring:`` section of a community in schedules.yaml.

    mentoring: {channel: mentoring, when: "every 2 weeks on mon 10:00", check_in_after: 5d,
                no_repeat_within: 8w, mode: both, auto_confirm: false, answer_within: 7d}
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from bot import ChannelName, DurationText, Strict, WhenText, parse_duration


class MentoringConfig(Strict):
    channel: ChannelName = "mentoring"  # fallback for people whose DMs are closed
    when: WhenText | None = None  # scheduled rounds; without it rounds only run by /mentor match
    check_in_after: DurationText = "5d"  # after a round is confirmed, ask each group "did you meet?"
    answer_within: DurationText = "7d"  # after the check-in: no answer by then counts as ignoring it
    no_repeat_within: DurationText = "8w"  # the same two people are not matched again within this
    mode: Literal["both", "mentors", "peers"] = "both"
    auto_confirm: bool = False  # scheduled rounds post without an instructor's Confirm

    @property
    def check_in_delay(self) -> timedelta:
        return parse_duration(self.check_in_after)

    @property
    def answer_window(self) -> timedelta:
        return parse_duration(self.answer_within)

    @property
    def no_repeat_window(self) -> timedelta:
        return parse_duration(self.no_repeat_within)


DEFAULT_CONFIG = MentoringConfig()
IGNORED_ROUNDS_BEFORE_PAUSE = 3
