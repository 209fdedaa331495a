"""The Slack adapter (slack-bolt): HTTP mode or Socket Mode, Block Kit rendering, workspace access."""

from .adapter import SlackAdapter

__all__ = ["SlackAdapter"]
