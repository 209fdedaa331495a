"""``python -m bot demo``: a cohort's week on the console, with an accelerated clock.

A driver of the bot, not part of it: it lives beside ``bot/`` and ``cogs/`` (so the core knows
no feature by name) and uses the core the way a deployment does — BotApp, every built-in cog,
the console adapter. ``week.py`` tells the story; ``cohort.py`` is its cast and set.
"""

from .week import run_demo

__all__ = ["run_demo"]
