"""How the app answers a person: a command (typed, or already parsed by the platform) or a click.

Every request is checked the same way before any handler runs — ids the database can store,
the access level, a click's button on its message and its owner — and answered: with the
handler's reply, an automatic private "Done." when it sent none, or (through
``self.errors.guard``) one clear line when something is wrong. ``BotApp`` mixes this in.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .access import Access
from .cog import ActionSpec, Cog, CommandSpec
from .context import ActionContext, CommandContext
from .dispatch import detach_foreign_message, refuse_someone_elses
from .edge import bounded_origin, why_invalid
from .errors import NotFound, PermissionDenied, UserError
from .options import ChannelRef, bind_text, bind_values, bounded_int, split_words
from .ports import Invocation

if TYPE_CHECKING:
    from .commandtree import CommandTree
    from .dispatch import ErrorReporter

log = logging.getLogger(__name__)
GONE = "this button no longer works — it may be from an older message; run the command again"


class RequestHandling:
    """The adapters' entry points for people: ``handle_command_text``, ``handle_command``,
    ``handle_action`` (the app provides ``tree``, ``cogs``, ``errors`` and who/where lookups)."""

    tree: "CommandTree"
    cogs: dict[str, Cog]
    errors: "ErrorReporter"

    # -- inbound: commands ----------------------------------------------------------------
    async def handle_command_text(self, inv: Invocation, text: str) -> None:
        """A whole command line as typed on Slack or the console: ``/poll create question:...``."""
        async with self.errors.guard(inv):
            self._check_origin(inv)
            words = split_words(text.strip())
            if not words or not words[0].startswith("/"):
                raise UserError("commands start with /, e.g. /help")
            top = words[0][1:].lower()
            cog, spec, rest = self.tree.find(top, words[1:])
            await self._check_access(inv, spec.access, "/" + spec.full_name)
            try:
                values = bind_text(spec.options, rest, preset=self._uploaded(spec, inv))
            except UserError as error:
                raise UserError(str(error), usage=spec.usage()) from None
            await self._run_command(inv, cog, spec, values)

    async def handle_command(self, inv: Invocation, top: str, sub: str, values: dict[str, Any]) -> None:
        """A command whose options the platform already separated (Discord)."""
        async with self.errors.guard(inv):
            self._check_origin(inv)
            cog, spec, _ = self.tree.find(top, sub.split() if sub else [])
            await self._check_access(inv, spec.access, "/" + spec.full_name)
            try:
                bound = bind_values(spec.options, {k: v for k, v in values.items() if v is not None})
                bound.update(self._uploaded(spec, inv))
            except UserError as error:
                raise UserError(str(error), usage=spec.usage()) from None
            await self._run_command(inv, cog, spec, bound)

    @staticmethod
    def _check_origin(inv: Invocation) -> None:
        """Refuse a request whose ids cannot be stored (an adapter let one through)."""
        checked = bounded_origin(inv.origin)
        if checked is None:
            raise UserError(f"this request came with a {why_invalid(inv.origin)} I cannot use — nothing was done")
        inv.origin = checked

    def _uploaded(self, spec: CommandSpec, inv: Invocation) -> dict[str, Any]:
        return {o.name: inv.files[o.name] for o in spec.options if o.kind == "file" and o.name in inv.files}

    async def _check_access(self, inv: Invocation, needed: Access, what: str) -> None:
        access = self.access_for(inv.origin, inv.access)
        inv.access = access
        if access < needed:
            raise PermissionDenied(f"only {needed.label}s can use {what} — ask an instructor if you think "
                                   "you should have access")

    async def _context(self, cls: type, inv: Invocation, **extra: Any) -> Any:
        community = await self.community_for(inv.origin)
        member = await self.member_for(community, inv.origin)
        channel = ChannelRef(inv.origin.channel_id or "", inv.origin.channel_name or "")
        cfg = self.community_config(inv.origin.platform, inv.origin.server_id)
        return cls(app=self, community=community, config=cfg, member=member, access=inv.access,
                   channel=channel, invocation=inv, **extra)

    async def _run_command(self, inv: Invocation, cog: Cog, spec: CommandSpec, values: dict[str, Any]) -> None:
        if spec.defer:
            await inv.responder.defer(ephemeral=spec.ephemeral)
        ctx: CommandContext = await self._context(CommandContext, inv, command=spec)
        await spec.handler(cog, ctx, **values)
        if not ctx._replied:
            await ctx.reply("Done.", ephemeral=True)

    # -- inbound: buttons and forms -------------------------------------------------------
    async def handle_action(self, inv: Invocation, action_id: str) -> None:
        async with self.errors.guard(inv):
            self._check_origin(inv)
            cog, spec, args = self._find_action(action_id)
            await self._check_access(inv, spec.access, "this button")
            detach_foreign_message(inv, action_id)
            ctx: ActionContext = await self._context(ActionContext, inv)
            refuse_someone_elses(args.get(spec.owner) if spec.owner else None, ctx.member.id)
            await spec.handler(cog, ctx, **args)
            if not ctx._replied:
                await ctx.reply("Done.", ephemeral=True)

    def _find_action(self, action_id: str) -> tuple[Cog, ActionSpec, dict[str, Any]]:
        parts = action_id.split(":")
        cog = self.cogs.get(parts[0]) if parts else None
        spec = cog.actions.get(parts[1]) if cog and len(parts) > 1 else None
        if cog is None or spec is None or len(parts) - 2 != len(spec.arg_types):
            log.info("a click or form named no action this bot has: %r", action_id[:120])
            raise NotFound(GONE)
        args: dict[str, Any] = {}
        for (name, typ), raw in zip(spec.arg_types, parts[2:]):
            try:
                args[name] = bounded_int(raw) if typ is int else typ(raw)
            except ValueError:
                log.info("a click or form named an action with arguments it cannot use: %r", action_id[:120])
                raise NotFound(GONE) from None
        return cog, spec, args
