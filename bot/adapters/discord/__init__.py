"""The Discord adapter (discord.py 2.7): slash commands, buttons, forms, events, outgoing messages."""

from .adapter import BOT_PERMISSIONS, DiscordAdapter, invite_url

__all__ = ["BOT_PERMISSIONS", "DiscordAdapter", "invite_url"]
