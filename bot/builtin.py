"""The core's own small cog: /help and /about. Loaded before every configured cog."""

from __future__ import annotations

import re
from typing import Annotated

from . import __version__
from .access import Access
from .cog import Cog, command
from .content import PAGE_CHARS, Content, Field, pack_lines
from .context import CommandContext
from .options import Help
from .wording import shorten_quoted


class HelpCog(Cog, name="help"):
    """Lists the commands you can use."""

    @command(ephemeral=True)
    async def help(self, ctx: CommandContext,
                   command: Annotated[str | None, Help("A command to explain, e.g. poll")] = None) -> None:
        """Show the commands you can use."""
        for page in render_help(self.app, ctx.access, command):
            await ctx.reply(page, ephemeral=True)


class AboutCog(Cog, name="about"):
    """What this bot is."""

    @command(ephemeral=True)
    async def about(self, ctx: CommandContext) -> None:
        """What this bot does and which features are on."""
        features = [f"**{cog.name}** — {cog.summary}" if cog.summary else f"**{cog.name}**"
                    for cog in self.app.cogs.values() if not isinstance(cog, (HelpCog, AboutCog))]
        text = ("I help keep this community lively. I store who did what and when — never what you "
                "wrote. See /privacy.")
        await ctx.reply(Content(title=f"Cohort Bot {__version__}", text=text,
                                fields=[Field("Features", "\n".join(features) or "none", inline=False)]),
                        ephemeral=True)


HELP_PAGE_CHARS = PAGE_CHARS
_WHO = re.compile(r"\s*\((?:for )?(?:instructors?|admins?)(?: only)?\)(?=\.?$)", re.I)


def without_who(help_text: str) -> str:
    """ "Close the queue (instructors)." -> "Close the queue.": the tag after it says who."""
    return _WHO.sub("", help_text)


def render_help(app: object, access: Access, only: str | None = None) -> list[Content]:
    """The help as pages: a long list is split between commands, never inside one."""
    from .app import BotApp

    assert isinstance(app, BotApp)
    blocks: list[list[str]] = []  # one per command (the first line of a group carries its heading)
    asked = only.lstrip("/").lower().split() if only else []
    for top, group in sorted(app.tree.groups.items()):
        if asked and top != asked[0]:
            continue
        visible = [(cog, spec) for cog, spec in group.values() if spec.access <= access
                   and (len(asked) < 2 or spec.name == " ".join(asked[1:]))]  # /help poll create
        if not visible:
            continue
        cog = visible[0][0]
        heading = [f"**/{top}** — {cog.description.splitlines()[0] if cog.description else ''}"]
        for _, spec in sorted(visible, key=lambda cs: cs[1].name):
            tag = "" if spec.access == Access.MEMBER else f" _({spec.access.label})_"
            block = heading + [f"  `{spec.usage()}` — {without_who(spec.help) if tag else spec.help}{tag}"]
            if only:
                block += [f"      {o.name}: {o.help or o.placeholder}" for o in spec.options]
            blocks.append(block)
            heading = []
    if only and not blocks:
        return [Content(text=shorten_quoted(f'No command "{only}" that you can use. Try /help.'))]
    hidden = sum(1 for _, spec in app.tree.specs() if spec.access > access)
    footer = f"{hidden} more for instructors." if hidden and access < Access.INSTRUCTOR else None
    pages = pack_lines(blocks, HELP_PAGE_CHARS)
    title = "Commands you can use"
    return [Content(title=title if len(pages) == 1 else f"{title} ({n}/{len(pages)})", text=text,
                    footer=footer if n == len(pages) else None)
            for n, text in enumerate(pages, 1)]


def setup(app: object) -> None:
    from .app import BotApp

    assert isinstance(app, BotApp)
    app.add_cog(HelpCog(app))
    app.add_cog(AboutCog(app))
