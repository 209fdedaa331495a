"""Native Guild Scheduled Events for event cards (bot/native_events.py), when the bot has
Manage Events in that server: created with the card and cancelled with it."""

from __future__ import annotations

import logging
from typing import Any

import discord

log = logging.getLogger(__name__)
STATUS_CANCELED = 4


async def create(client: discord.Client, server_id: str, event: Any) -> str | None:
    guild = client.get_guild(int(server_id)) if server_id.isdigit() else None
    if guild is None or guild.me is None or not guild.me.guild_permissions.manage_events:
        return None  # no permission: the card alone does the job
    created = await guild.create_scheduled_event(
        name=event.title[:100], start_time=event.starts_at, end_time=event.ends_at,
        entity_type=discord.EntityType.external, privacy_level=discord.PrivacyLevel.guild_only,
        location=(event.location or "Online")[:100], description=(event.description or "")[:1000])
    return str(created.id)


async def cancel(client: discord.Client, server_id: str, native_id: str) -> None:
    await client.http.edit_scheduled_event(int(server_id), int(native_id), status=STATUS_CANCELED)
