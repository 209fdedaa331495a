"""Kept so existing imports work: the adapter-facing types are the core's own ports now.

Import them from ``bot.ports`` (core, adapters) or ``bot`` (cogs: ``from bot import MessageRef``).
"""

from ..ports import Adapter, AppPort, Invocation, MessageRef, Responder

__all__ = ["Adapter", "AppPort", "Invocation", "MessageRef", "Responder"]
