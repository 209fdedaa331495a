"""The command line's grammar: verbs, options, and what a bad value says (one line, then --help)."""

from __future__ import annotations

import argparse
from datetime import date

class _Parser(argparse.ArgumentParser):
    """argparse, with a bad argument said in one line (and where to read more)."""

    def error(self, message: str) -> Any:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" is not a date — use YYYY-MM-DD, like 2026-03-01') from None


DEMO_MEMBERS = (4, 1000)  # fewer cannot make a round of mentoring; 1,000 already takes about a minute


def demo_members(text: str) -> int:
    low, high = DEMO_MEMBERS
    if not text.strip().isdigit() or not low <= int(text) <= high:
        raise argparse.ArgumentTypeError(f'"{text}": the demo needs at least {low} members and simulates at most {high}')
    return int(text)


def console_name(text: str) -> str:
    """--as / --channel: what ``:as NAME`` and ``:channel NAME`` accept on the console."""
    from .edge import MAX_ID, platform_id

    name = text.strip().lstrip("@#")
    if platform_id(name) is None or any(c.isspace() for c in name):
        raise argparse.ArgumentTypeError(f"a name is 1 to {MAX_ID} printable characters without spaces "
                                         f"(got {text!r})")
    return name


def https_url(text: str) -> str:
    if not text.startswith("https://") or len(text) <= len("https://"):
        raise argparse.ArgumentTypeError(f'"{text}" is not an https:// URL — Slack only calls https URLs')
    return text


class _Version(argparse.Action):
    """--version, looked up only when asked (importlib.metadata is not part of every start)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            shown = version("cohort-bot")
        except PackageNotFoundError:  # a source tree that was never installed
            shown = "(not installed)"
        print(f"Cohort Bot {shown}")
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m bot", description="Cohort Bot: a community manager for "
                     "learning cohorts on Discord, Slack and the terminal.")
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    sub = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="start the bot (Discord/Slack when their tokens are set, else the console)")
    run.add_argument("--config", help="schedules.yaml to load (default: $BOT_CONFIG or schedules.yaml)")
    run.add_argument("--as", dest="user", default="you", type=console_name, help="console: who you are (default: you)")
    run.add_argument("--role", default="instructor", choices=["member", "instructor", "admin"],
                     help="console: your access level (default: instructor)")
    run.add_argument("--channel", default="general", type=console_name, help="console: the channel you type in (default: general)")

    check = sub.add_parser("check", help="validate a schedules.yaml and print ok or FILE:LINE:COL errors")
    check.add_argument("file", nargs="?", help="default: $BOT_CONFIG or schedules.yaml")

    commands = sub.add_parser("commands", help="print the command reference from the cogs' declarations")
    commands.add_argument("--markdown", action="store_true", help="as Markdown, for the README")
    commands.add_argument("--config", help="schedules.yaml (for its cogs: list)")

    manifest = sub.add_parser("manifest", help="print a platform's app manifest, generated from the loaded cogs")
    manifest_sub = manifest.add_subparsers(dest="platform", required=True, parser_class=_Parser)
    slack = manifest_sub.add_parser("slack", help="the Slack app manifest (slash commands, events, scopes)")
    slack.add_argument("--config", help="schedules.yaml (for its cogs: list)")
    slack.add_argument("--url", type=https_url, help="HTTP mode: the bot's public https://.../slack/events "
                       "(default: Socket Mode, placeholder URLs)")

    invite = sub.add_parser("invite", help="print the Discord invite URL (the permissions the bot needs)")
    invite.add_argument("--application-id", help="the application id (default: $DISCORD_APPLICATION_ID)")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_verb", required=True, parser_class=_Parser)
    db_sub.add_parser("upgrade", help="apply migrations (also done at start)")
    revision = db_sub.add_parser("revision", help="write a cog's next migration from its models (Alembic "
                                 "autogenerate on the cog's own branch)")
    revision.add_argument("--cog", required=True, help="the cog: its command name (poll) or folder (polls)")
    revision.add_argument("-m", "--message", required=True, help="what changed, e.g. \"add a due date\"")
    revision.add_argument("--config", help="schedules.yaml (for its cogs: list)")
    backup = db_sub.add_parser("backup", help="copy the SQLite database with SQLite's online backup")
    backup.add_argument("out", help="file to write")

    export = sub.add_parser("export", help="write the participation CSV for a community")
    export.add_argument("--community", required=True, help="server/workspace id (console: console)")
    export.add_argument("--since", required=True, type=iso_date, help="YYYY-MM-DD")
    export.add_argument("--until", type=iso_date, help="YYYY-MM-DD (default: today)")
    export.add_argument("--platform", choices=["discord", "slack", "console"],
                        help="discord, slack or console (when ids could clash)")
    export.add_argument("--out", help="file to write (default: standard output)")

    demo = sub.add_parser("demo", help="simulate a cohort week on the console, with an accelerated clock")
    demo.add_argument("--members", type=demo_members, default=40,
                      help=f"how many simulated members ({DEMO_MEMBERS[0]} to {DEMO_MEMBERS[1]}; default: 40)")
    demo.add_argument("--out", help="folder for the demo's files (default: a temporary folder)")
    return parser
