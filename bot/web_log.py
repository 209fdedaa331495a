"""What aiohttp logs about requests it could not even parse, cut to one short line a minute.

aiohttp answers a request line or header over its limits (an 8 KB URL, a 9 KB cookie), or bytes
that are not HTTP, with 400 itself, before any handler runs, and logs each one at ERROR with a
full traceback: anyone who can reach PORT could fill the log. Those become one warning a
minute that says how many it stands for; everything else aiohttp logs is left as it is.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from aiohttp.http_exceptions import HttpProcessingError

AIOHTTP_SERVER = "aiohttp.server"


class MalformedRequestLines(logging.Filter):
    def __init__(self, interval: float = 60.0, now: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.interval, self.now = interval, now
        self._last: float | None = None
        self._quiet = 0
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, HttpProcessingError) or not 400 <= (error.code or 400) < 500:
            return True
        self.count += 1
        at = self.now()
        if self._last is not None and at - self._last < self.interval:
            self._quiet += 1
            return False
        also = f" (+{self._quiet} more since the last line)" if self._quiet else ""
        record.msg, record.args = "HTTP request refused with 400: %s%s", (type(error).__name__, also)
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        self._last, self._quiet = at, 0
        return True


def quiet_malformed_requests() -> MalformedRequestLines:
    """Install the filter on aiohttp's server logger once per process; returns it."""
    logger = logging.getLogger(AIOHTTP_SERVER)
    for existing in logger.filters:
        if isinstance(existing, MalformedRequestLines):
            return existing
    installed = MalformedRequestLines()
    logger.addFilter(installed)
    return installed
