"""The terminal adapter: a chat you type into. Works interactively and with piped stdin.

A line starting with ``/`` is a command; ``click N`` presses button N; ``:as NAME [role]``,
``:channel NAME`` and ``:thread ID|off`` change who and where you are; ``:quit`` ends. Any
other line is a message you post in the current channel (only its length is recorded).
In a terminal the line is edited with prompt_toolkit (console_input.py); Ctrl-C or Ctrl-D ends.
Control characters in anything printed are shown escaped (``\x1b``), never sent to the terminal.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from ..access import Access
from ..content import Content, Form, field_lines
from ..edge import MAX_ID, platform_id
from ..events import Origin
from ..options import FileUpload
from ..ports import MessageRef
from .console_input import PipedLines, line_source
from .memory import MemoryAdapter, MemoryResponder, Posted

MAX_UPLOAD_BYTES = 256 * 1024
META_HELP = ("Console commands: :as NAME [member|instructor|admin], :channel NAME, :thread ID|off, "
             ":join (you join the community, as a new member would), "
             ":react ID [EMOJI] (react to the message with that id, e.g. :react m3 🙏), :quit")
# C0/C1 controls (but newline and tab) and the bidi overrides that reorder what is shown.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CLICK = re.compile(r"click(?:\s+(\S+))?", re.I)


def tolerant_stdin() -> TextIO:
    """The terminal's stdin, decoding bytes that are not valid UTF-8 as U+FFFD instead of raising:
    a pasted Latin-1 line is then an odd-looking message, not a crash of the read loop."""
    stream = sys.stdin
    if hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="replace")
    return stream


class ConsoleAdapter(MemoryAdapter):
    platform = "console"

    def __init__(self, app: Any, *, user: str = "you", role: Access = Access.INSTRUCTOR,
                 channel: str = "general", stdin: TextIO | None = None, stdout: TextIO | None = None,
                 files_dir: Path | None = None, server: str = "console") -> None:
        super().__init__(app, platform="console")
        self.user, self.role, self.current_channel, self.server = user, role, channel, server
        self.thread: str | None = None
        self.stdin = stdin or tolerant_stdin()
        self.stdout = stdout or sys.stdout
        self.lines = line_source(self.stdin, self.stdout)
        self.files_dir = files_dir or Path("data/console-files")
        self.buttons: dict[int, tuple[str, Posted]] = {}
        self._button_numbers: dict[tuple[str, str], int] = {}
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None
        self._done = asyncio.Event()

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        self.add_channel(self.server, self.current_channel)
        self.lines.open()
        ends = "':quit' ends." if isinstance(self.lines, PipedLines) else "':quit', Ctrl-D or Ctrl-C ends."
        self.print(f"Cohort Bot console — you are {self.user} ({self.role.label}) in #{self.current_channel}. "
                   f"Type /help, or a message; 'click N' presses a button; {ends}")
        self._reader = asyncio.create_task(self._read_loop())

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        self.lines.close()
        self._done.set()

    async def wait_closed(self) -> None:
        await self._done.wait()

    async def _next_line(self, prompt: str = "") -> str | None:
        return await self.lines.read(prompt)

    async def _read_loop(self) -> None:
        try:
            while True:
                line = await self._next_line(f"{self.user} #{self.current_channel}{self._thread_label()}> ")
                if line is None:
                    break
                if not await self.handle_line(line):
                    break
        finally:
            self._done.set()

    # -- input ----------------------------------------------------------------------------
    async def handle_line(self, line: str) -> bool:
        """Run one line; False ends the session."""
        text = line.strip()
        if not text or text.startswith("#!"):
            return True
        if text in (":quit", ":q", "exit", "quit"):
            return False
        if text.split()[0] in (":quit", ":q"):
            self.print("⚠️ usage: :quit (nothing after it) — still here")
            return True
        if text.lower().split()[0] == ":join":
            if text.split()[1:]:
                self.print("⚠️ usage: :join (you join the community as yourself) — nothing changed")
                return True
            await self.join_as(self.user, server=self.server)
            self.print(f"{self.user} joined the community.")
        elif text.lower().split()[0] == ":react":
            await self._react(text.split()[1:])
        elif text.startswith(":"):
            self._meta(text)
        elif text.startswith("/"):
            await self._command(text)
        elif match := _CLICK.fullmatch(text):
            number = match.group(1) or ""
            if number.isdigit() and int(number) >= 1:
                await self._click(int(number))
            else:
                shown = f'"{number}"' if number else "nothing"
                self.print(f"⚠️ click takes the number of a button, like click 1 (got {shown})")
        else:
            ref = await self.post_as(self.user, channel=self.current_channel, server=self.server,
                                     length=len(text), thread_id=self.thread)
            self.print(f"[#{self.current_channel}{self._thread_label()}] {self.user}: {text}  ({ref.message_id})")
        return True

    async def _react(self, args: list[str]) -> None:
        """``:react ID [EMOJI]``: react to a message shown with its id, as a member would."""
        if not args or len(args) > 2 or args[0] not in self.messages or platform_id(args[-1]) is None:
            self.print("⚠️ usage: :react ID [EMOJI] — the id is shown after each message, like (m3)")
            return
        emoji = args[1] if len(args) > 1 else "👍"
        await self.react_as(self.user, args[0], emoji=emoji, server=self.server)
        self.print(f"{self.user} reacted {emoji} to {args[0]}.")

    def _meta(self, text: str) -> None:
        parts = text[1:].split()
        if not parts:
            self.print(META_HELP)
            return
        verb, args = parts[0].lower(), parts[1:]
        usage = {"as": ":as NAME [member|instructor|admin]", "channel": ":channel NAME", "thread": ":thread ID|off"}
        name = args[0].lstrip("@#") if args else ""
        if verb in usage and (not name or len(args) > (2 if verb == "as" else 1)):
            self.print(f"⚠️ usage: {usage[verb]} — nothing changed")
            return
        if verb in usage and args[0] != "off" and platform_id(name) is None:
            self.print(f"⚠️ a {'name' if verb == 'as' else verb} is 1 to {MAX_ID} printable characters "
                       f"(got {len(args[0])}) — nothing changed")
            return
        if verb == "as":
            try:
                role = Access.parse(args[1]) if len(args) > 1 else self.role
            except ValueError as error:  # refuse the whole line: half a change would surprise
                self.print(f"⚠️ {error}. You are still {self.user} ({self.role.label}).")
                return
            self.user, self.role = name, role
            self.print(f"You are now {self.user} ({self.role.label}).")
        elif verb == "channel":
            self.current_channel, self.thread = name, None
            self.add_channel(self.server, self.current_channel)
            self.print(f"Now in #{self.current_channel}.")
        elif verb == "thread":
            if args[0] != "off" and self.thread_parent(args[0]) is None:
                self.print(f'⚠️ there is no thread "{args[0]}" — use the id a post shows, like :thread tm1 '
                           "— nothing changed")
                return
            self.thread = None if args[0] == "off" else args[0]
            parent = self.messages.get(self.thread_parent(self.thread) or "")
            if parent is not None and not parent.ref.channel_id.startswith("dm-"):
                self.current_channel = parent.ref.channel_id  # a thread is in its message's channel
            self.print(f"Now in thread {self.thread}." if self.thread else "Left the thread.")
        else:
            self.print(f'⚠️ unknown console command ":{verb}". {META_HELP}')

    async def _command(self, text: str) -> None:
        files: dict[str, FileUpload] = {}
        # name:@PATH uploads a local file, for options of kind "file" only (user:@alice is a mention)
        file_options = self._file_options(text)
        for match in re.finditer(r"(\w+):@(\S+)", text):
            if match.group(1).lower() not in file_options:
                continue
            path = Path(match.group(2))
            try:
                data = path.read_bytes()[: MAX_UPLOAD_BYTES + 1]
            except OSError as error:
                self.print(f"⚠️ cannot read {path}: {error.strerror}")
                return
            files[match.group(1)] = FileUpload(path.name, data)
            text = text.replace(match.group(0), "")
        await self.command(text, user=self.user, access=self.role, channel=self.current_channel,
                           server=self.server, thread_id=self.thread, files=files)

    def _file_options(self, text: str) -> set[str]:
        words = text.split()
        try:
            _, spec, _ = self.app.tree.find(words[0][1:].lower(), words[1:])
        except Exception:  # an unknown command is reported by the core, not here
            return set()
        return {o.name.lower() for o in spec.options if o.kind == "file"}

    async def _click(self, number: int) -> None:
        found = self.buttons.get(number)
        if found is None:
            self.print(f"⚠️ there is no button [{number}]")
            return
        action_id, posted = found
        await self.click(action_id, user=self.user, access=self.role, message=posted.ref, server=self.server)

    async def on_form(self, responder: MemoryResponder, form: Form) -> None:
        self.print(f"📝 {form.title} — answer each question on its own line (empty line to skip optional ones)")
        values: dict[str, str] = {}
        for f in form.fields:
            hint = f" ({' / '.join(f.choices)})" if f.choices else (" (1-5)" if f.kind == "scale" else "")
            self.print(f"  {f.label}{hint}:")
            line = await self._next_line("  > ")
            if line is None:
                return
            if isinstance(self.lines, PipedLines):  # a terminal already shows what was typed
                self.print(f"  > {line}")
            values[f.name] = line.strip()
        await self.click(form.submit_action, user=self.user, access=self.role, values=values,
                         message=responder.message, server=self.server)

    # -- output ---------------------------------------------------------------------------
    def print(self, text: str) -> None:
        out = self.lines.output
        out.write(_visible(text) + "\n")
        out.flush()

    def _thread_label(self) -> str:
        return f" › thread {self.thread}" if self.thread else ""

    def on_post(self, posted: Posted) -> None:
        where = posted.ref.channel_id
        thread = f" › thread {posted.ref.thread_id}" if posted.ref.thread_id else ""
        label = f"DM to {where[3:]}" if where.startswith("dm-") else f"#{where}{thread}"
        self.print(f"[{label}] Cohort Bot ({posted.ref.message_id}):")
        self.print(self.render(posted.content, posted))

    def on_edit(self, posted: Posted) -> None:
        where = "(only you can see this)" if posted.ref.channel_id.startswith("private-") else f"[#{posted.ref.channel_id}]"
        self.print(f"{where} Cohort Bot updated {posted.ref.message_id}:")
        self.print(self.render(posted.content, posted))

    def on_reply(self, origin: Origin, content: Content, ephemeral: bool) -> None:
        if not ephemeral:
            return
        posted = None
        if content.rows:  # private buttons (a preview's Confirm, forget's confirm) must be clickable too
            ref = MessageRef(self.platform, origin.server_id, f"private-{origin.user_id}", self._new_id())
            posted = self.messages[ref.message_id] = Posted(ref, content, "bot")
        self.print("(only you can see this) Cohort Bot:")
        self.print(self.render(content, posted))

    def render(self, content: Content, posted: Posted | None) -> str:
        lines = []
        if content.title:
            lines.append(f"  == {content.title} ==")
        for raw in content.text.splitlines():
            lines.append("  " + _plain(raw))
        for f in content.fields:
            lines.extend("  " + _plain(line) for line in field_lines(f))
        if content.footer:
            lines.append(f"  -- {_plain(content.footer)}")
        for row in content.rows:
            cells = []
            for button in row:
                number = self._number(button.action_id, posted)
                cells.append(f"[{number}] {button.label}" + (" (disabled)" if button.disabled else ""))
            lines.append("  " + "  ".join(cells))
        for attachment in content.files:
            lines.append(f"  📎 {attachment.filename} ({len(attachment.data)} bytes) saved to {self._save(attachment)}")
        return "\n".join(lines)

    def _number(self, action_id: str, posted: Posted | None) -> int | str:
        if posted is None:
            return "-"
        key = (posted.ref.message_id, action_id)
        if key not in self._button_numbers:
            self._button_numbers[key] = len(self._button_numbers) + 1
        number = self._button_numbers[key]
        self.buttons[number] = (action_id, posted)
        return number

    def _save(self, attachment: Any) -> str:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / Path(attachment.filename).name
        path.write_bytes(attachment.data)
        return str(path)


def _visible(text: str) -> str:
    """Control characters as escapes: text someone typed cannot move the cursor, clear the
    screen or recolour the terminal of whoever reads it."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


def _plain(text: str) -> str:
    """Console rendering of the shared markdown subset and mentions (not inside `code`:
    `user:<@member>` in a usage line is what to type, not a mention)."""
    parts = text.split("`")
    parts[::2] = [re.sub(r"<#([^>|]+)(?:\|[^>]*)?>", r"#\1", re.sub(r"<@([^>|]+)(?:\|[^>]*)?>", r"@\1", part))
                  for part in parts[::2]]
    return "`".join(parts).replace("**", "")
