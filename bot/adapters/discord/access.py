"""Discord roles and permissions -> the core's access levels.

Admin: the server owner or anyone with Administrator. Instructor: a role whose name or id
is listed under ``instructors.roles`` for the server; when no roles are configured, anyone
with Manage Server. The core adds the user ids under ``instructors.users``.
"""

from __future__ import annotations

from typing import Any, Iterable

import discord

from ...access import Access


def access_level(*, role_ids: Iterable[int], role_names: Iterable[str], permissions: discord.Permissions,
                 is_owner: bool, configured_roles: Iterable[str | int]) -> Access:
    """Pure: the level for a member with these roles and (guild-wide) permissions."""
    if is_owner or permissions.administrator:
        return Access.ADMIN
    wanted = {str(r).strip().lower().lstrip("@") for r in configured_roles}
    if wanted:
        have = {str(i) for i in role_ids} | {n.strip().lower() for n in role_names}
        return Access.INSTRUCTOR if have & wanted else Access.MEMBER
    return Access.INSTRUCTOR if permissions.manage_guild else Access.MEMBER


def member_access(member: Any, configured_roles: Iterable[str | int],
                  fallback_permissions: discord.Permissions | None = None) -> Access:
    """The level of a guild member (``discord.Member``); anything else (a DM user) is a member."""
    if not isinstance(member, discord.Member):
        return Access.MEMBER
    guild = member.guild
    try:
        roles = [r for r in member.roles if not r.is_default()]
    except Exception:  # guild not cached
        roles = []
    try:
        permissions = member.guild_permissions
    except Exception:  # guild not cached: use what the interaction resolved
        permissions = fallback_permissions or discord.Permissions.none()
    if fallback_permissions is not None:
        permissions = discord.Permissions(permissions.value | fallback_permissions.value)
    return access_level(role_ids=[r.id for r in roles] or list(getattr(member, "_roles", [])),
                        role_names=[r.name for r in roles], permissions=permissions,
                        is_owner=getattr(guild, "owner_id", None) == member.id,
                        configured_roles=configured_roles)


def signin_access(guild: Any, user_id: str, role_ids: list[str], configured_roles: Iterable[str | int]) -> Access:
    """The level of someone signing in to the dashboard with Discord: the role ids Discord gave
    (guilds.members.read) resolved through the bot's view of the server (names, permissions),
    by the same rules as ``member_access``."""
    roles = [r for r in (guild.get_role(int(i)) for i in role_ids if str(i).isdigit()) if r is not None]
    permissions = discord.Permissions(guild.default_role.permissions.value if guild.default_role else 0)
    for role in roles:
        permissions = discord.Permissions(permissions.value | role.permissions.value)
    return access_level(role_ids=[int(i) for i in role_ids if str(i).isdigit()], role_names=[r.name for r in roles],
                        permissions=permissions, is_owner=str(guild.owner_id) == str(user_id),
                        configured_roles=configured_roles)
