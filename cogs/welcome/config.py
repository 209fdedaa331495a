"""The welcome cog's schedules.yaml section.

```yaml
welcome:
  message: "Welcome {member} to {community}! Start with the pinned guide in #general."
  where: dm                       # dm (default), or a channel (alias or name) to greet them in
  introductions: introductions    # where "Introduce yourself" posts (alias or name)
  buttons: [introduce, mentoring, rules]   # which buttons the message has (default: introduce, mentoring)
  rules: "Be kind; no spoilers."  # shown with the "Rules read" button
  join_channels: []               # Slack: joining one of these channels also counts as joining
```
"""

from __future__ import annotations

import string
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from bot import ChannelName, Strict

PLACEHOLDERS = ("member", "community")
DEFAULT_MESSAGE = ("👋 Welcome to {community}, {member}! This is where we learn together: "
                   "say hello, ask questions in the open, and join a study pair if you like.")


def _id_as_text(value: Any) -> Any:
    """A channel may be given by its numeric id (Discord): kept as text, like a name."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


DmOrChannel = Annotated[str, BeforeValidator(_id_as_text)]  # "dm", or a channel (not one the setup creates)


def check_placeholders(text: str) -> str:
    """Only {member} and {community} (``{{`` for a literal brace); one clear line otherwise."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        raise ValueError("unbalanced { or } — write {{ or }} for a literal brace") from None
    for name in names:
        if name not in PLACEHOLDERS:
            raise ValueError(f'unknown placeholder "{{{name}}}" — use {{member}} or {{community}}')
    return text


class WelcomeConfig(Strict):
    message: str = Field(default=DEFAULT_MESSAGE, min_length=1, max_length=1500)
    where: DmOrChannel = Field(default="dm", min_length=1, max_length=100)
    introductions: ChannelName = Field(default="introductions", min_length=1, max_length=100)
    buttons: list[Literal["introduce", "mentoring", "rules"]] = Field(
        default_factory=lambda: ["introduce", "mentoring"], max_length=3)
    rules: str = Field(default="", max_length=1000)
    join_channels: list[ChannelName] = Field(default_factory=list)

    @field_validator("message")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        return check_placeholders(value)
