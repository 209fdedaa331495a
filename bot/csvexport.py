"""CSV for spreadsheets, safe against formula injection. Every export in every cog uses this."""

from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator, Sequence

# A cell starting with one of these is run as a formula by Excel/Sheets/LibreOffice. Leading
# spaces do not stop them (" =1+1" is still a formula in LibreOffice and Sheets), so the test
# looks past any leading whitespace.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def safe_cell(value: object) -> str:
    """Text a spreadsheet will not run as a formula: a leading = + - @ (or tab/newline), also
    after leading spaces, gets an apostrophe. Numbers are written as numbers (-1 is not a formula)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return format_number(value)
    text = "" if value is None else str(value)
    risky = text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS)
    return "'" + text if risky else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """RFC 4180 text (CRLF rows, so a bare CR inside a cell is quoted and cannot start a row)."""
    return "".join(iter_csv(header, rows))


def iter_csv(header: Sequence[str], rows: Iterable[Sequence[object]], *, every: int = 500) -> Iterator[str]:
    """The same text as ``to_csv``, in pieces of about ``every`` rows, as ``rows`` come (streamed exports)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for i, row in enumerate(rows, 1):
        writer.writerow([safe_cell(c) for c in row])
        if i % every == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
