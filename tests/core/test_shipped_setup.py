"""The schedules.yaml that ships: a real server gets the same course as the console."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_config

SHIPPED = Path(__file__).resolve().parents[2] / "schedules.yaml"
WHO_AND_WHERE = {"id", "name", "platform", "instructors"}


def test_any_server_gets_the_whole_course_the_console_has() -> None:
    config = load_config(SHIPPED, required=True)
    server = config.community_for("discord", "123456789012345678")
    workspace = config.community_for("slack", "T0123ABC")
    console = config.community_for("console", "console")
    assert server.key == "*" and console.key == "console"
    for key in type(console).model_fields:
        if key not in WHO_AND_WHERE:
            assert getattr(server, key) == getattr(console, key), key
            assert getattr(workspace, key) == getattr(console, key), key
    # the README promises these for every server: a weekly digest and scheduled mentoring rounds
    assert server.digest is not None and server.digest.when
    assert server.mentoring is not None and server.mentoring.when
    assert server.prompts and server.polls and server.surveys
