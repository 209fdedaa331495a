"""A local fake Slack (Web API, upload URLs, response_urls, Socket Mode) and signed-request builders.

The real slack-sdk / slack-bolt run against it: point AsyncWebClient(base_url=fake.api_url)
at it, connect AsyncSocketModeHandler through it, and POST bodies built here (signed with
sign()) to a bolt app served over HTTP.
"""

from bot.testing.fake_slack.inbound import (
    block_actions_body,
    block_actions_payload,
    event_callback_body,
    event_callback_payload,
    member_joined_event,
    message_event,
    reaction_event,
    sign,
    signed_headers,
    slash_command_body,
    slash_command_payload,
    team_join_event,
    view_submission_body,
    view_submission_payload,
)
from bot.testing.fake_slack.server import FakeSlack, RecordedCall

__all__ = [
    "FakeSlack",
    "RecordedCall",
    "block_actions_body",
    "block_actions_payload",
    "event_callback_body",
    "event_callback_payload",
    "member_joined_event",
    "message_event",
    "reaction_event",
    "sign",
    "signed_headers",
    "slash_command_body",
    "slash_command_payload",
    "team_join_event",
    "view_submission_body",
    "view_submission_payload",
]
