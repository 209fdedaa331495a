"""Turning handler failures into replies: friendly for user errors, a reference id otherwise."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from sqlalchemy import exc as sa_exc

from .ports import Invocation
from .content import Content
from .errors import PermissionDenied, TemporarilyUnavailable, UserError
from .storage import is_connection_error
from .wording import shorten_quoted

log = logging.getLogger("bot.errors")

UNAVAILABLE = "The bot's database is temporarily unavailable — please try again in a minute."
SOMEONE_ELSES = "this button belongs to someone else — run the command yourself"


# Two checks the core makes on every click, before the handler runs, so no cog can forget them.
def detach_foreign_message(inv: Invocation, action_id: str) -> None:
    """A click acts only on the message it came from: one that names a message without that
    button (a forged click, or a stale one on a card edited since) runs detached from it, so
    ``ctx.update`` answers the clicker privately instead of rewriting a message that never had it."""
    if inv.message_actions is not None and action_id not in inv.message_actions:
        inv.message = None
        inv.responder.detach()


def refuse_someone_elses(owner_id: int | None, member_id: int | None) -> None:
    """A personal button (``@action(owner=...)``) is pressed only by the member it was made for."""
    if owner_id is not None and owner_id != member_id:
        raise PermissionDenied(SOMEONE_ELSES)


class Guard:
    """The async context manager of ``ErrorReporter.guard``: a plain class, not a generator-based
    ``asynccontextmanager`` (a generator, its wrapper and two resumptions on every request)."""

    __slots__ = ("reporter", "inv")

    def __init__(self, reporter: "ErrorReporter", inv: Invocation) -> None:
        self.reporter, self.inv = reporter, inv

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind: Any, error: BaseException | None, trace: Any) -> bool:
        if error is None:
            return False
        return await self.reporter.answer(self.inv, error)


class ErrorReporter:
    def __init__(self) -> None:
        self.last_reference: str | None = None

    def guard(self, inv: Invocation) -> "Guard":
        """``async with reporter.guard(inv):`` — a failure inside becomes the reply (see Guard)."""
        return Guard(self, inv)

    async def answer(self, inv: Invocation, error: BaseException) -> bool:
        """Tell the person what went wrong; False for what is not ours to answer (a cancellation)."""
        if isinstance(error, UserError):
            await self._tell(inv, f"⚠️ {shorten_quoted(str(error))}")
        elif isinstance(error, TemporarilyUnavailable):
            log.warning("database unavailable while serving %s", inv.origin.user_id)
            await self._tell(inv, UNAVAILABLE)
        elif isinstance(error, sa_exc.OperationalError) and is_connection_error(error):
            await self._tell(inv, UNAVAILABLE)
        elif isinstance(error, Exception):
            await self._unexpected(inv, error)
        else:
            return False
        return True

    async def _unexpected(self, inv: Invocation, error: BaseException | None = None) -> None:
        ref = secrets.token_hex(4)
        self.last_reference = ref
        log.error("unexpected error (ref %s) for user %s", ref, inv.origin.user_id, exc_info=error or True)
        await self._tell(inv, f"Something went wrong on my side (reference {ref}). "
                              "The instructors can find the details in the bot's log.")

    async def _tell(self, inv: Invocation, text: str) -> None:
        try:
            await inv.responder.reply(Content(text=text), ephemeral=True)
        except Exception:
            log.exception("could not deliver an error reply")
