"""Where the console's lines come from: a terminal (a line editor) or a pipe (plain lines).

In a terminal, prompt_toolkit gives line editing (arrow keys, Home/End), history (up/down
within the session) and keeps the bot's posts above the line being typed. Ctrl-C or Ctrl-D
ends the session at once, whatever is typed. Piped input (``printf ... | python -m bot run``)
is read line by line exactly as typed, with no prompt, so transcripts stay byte-for-byte.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any, Protocol, TextIO


class LineSource(Protocol):
    def open(self) -> None: ...
    async def read(self, prompt: str) -> str | None: ...  # None: the input has ended
    def close(self) -> None: ...
    @property
    def output(self) -> TextIO: ...


class PipedLines:
    """Lines from a pipe or a file (or a test's StringIO)."""

    def __init__(self, stdin: TextIO, stdout: TextIO) -> None:
        self.stdin, self._stdout = stdin, stdout

    def open(self) -> None:
        pass

    async def read(self, prompt: str) -> str | None:
        line = await asyncio.get_running_loop().run_in_executor(None, self.stdin.readline)
        return None if line == "" else line.rstrip("\n")

    def close(self) -> None:
        pass

    @property
    def output(self) -> TextIO:
        return self._stdout


class TerminalLines:
    """A line editor on the terminal, with the session's history."""

    def __init__(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import InMemoryHistory

        self.session: Any = PromptSession(history=InMemoryHistory())
        self._patched = contextlib.ExitStack()

    def open(self) -> None:
        from prompt_toolkit.patch_stdout import patch_stdout

        # the bot's posts (a scheduled prompt, a DM) are printed above the line being typed
        self._patched.enter_context(patch_stdout(raw=True))

    async def read(self, prompt: str) -> str | None:
        try:
            return await self.session.prompt_async(prompt)
        except (EOFError, KeyboardInterrupt):  # Ctrl-D, Ctrl-C: the session ends
            return None

    def close(self) -> None:
        self._patched.close()

    @property
    def output(self) -> TextIO:
        return sys.stdout  # patched while open


def line_source(stdin: TextIO, stdout: TextIO) -> LineSource:
    """A line editor when both ends are a terminal; plain lines otherwise."""
    if _is_terminal(stdin) and _is_terminal(stdout):
        return TerminalLines()
    return PipedLines(stdin, stdout)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
