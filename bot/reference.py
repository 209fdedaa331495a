"""The command reference, generated from the cogs' declarations (for --help and the README)."""

from __future__ import annotations

from typing import Any

from .access import Access


def command_reference(app: Any, *, markdown: bool = False) -> str:
    lines: list[str] = []
    for top, group in sorted(app.tree.groups.items()):
        specs = sorted((spec for _, spec in group.values()), key=lambda s: s.name)
        cog = next(iter(group.values()))[0]
        summary = cog.description.splitlines()[0] if cog.description else ""
        if markdown:
            lines += [f"### /{top}", "", summary, "", "| command | who | what |", "|---|---|---|"]
        else:
            lines.append(f"/{top} — {summary}")
        for spec in specs:
            who = spec.access.label if spec.access > Access.MEMBER else "everyone"
            if markdown:
                usage = spec.usage().replace("|", "\\|")
                lines.append(f"| `{usage}` | {who} | {spec.help} |")
            else:
                lines.append(f"  {spec.usage()}  ({who}) — {spec.help}")
                for option in spec.options:
                    if option.help:
                        lines.append(f"      {option.name}: {option.help}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
