"""Pydantic's validation errors in the words of the person who wrote the file (or the env var).

Pydantic says "Input should be a valid integer, unable to parse string as an integer"; an
instructor editing schedules.yaml wants "expected a whole number, like 5 (got "five")".
``describe`` turns the errors pydantic reports for one location into one such sentence; the
messages of our own validators (``ValueError`` in an ``AfterValidator``) are kept as written.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

# What a value of each kind looks like, by pydantic error type (a union reports one per member).
_KINDS = {
    "string_type": "text", "string_sub_type": "text",
    "int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
    "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false",
    "date_type": "a date like 2027-01-11", "date_parsing": "a date like 2027-01-11",
    "date_from_datetime_parsing": "a date like 2027-01-11", "date_from_datetime_inexact": "a date like 2027-01-11",
    "datetime_type": "a date and time like 2027-01-11 09:00", "datetime_parsing": "a date and time like 2027-01-11 09:00",
    "list_type": 'a list ([a, b] or lines starting with "- ")', "tuple_type": "a list", "set_type": "a list",
    "dict_type": "key: value lines (a mapping)", "model_type": "key: value lines (a mapping)",
    "model_attributes_type": "key: value lines (a mapping)", "none_required": "nothing",
}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def describe(items: Iterable[dict[str, Any]]) -> str:
    """One sentence for the errors pydantic reported at one location."""
    items = list(items)
    own = [i for i in items if i["type"] in ("value_error", "assertion_error")]
    if own:  # our validators' words, already written for people
        return own[0]["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    first = items[0]
    value = first.get("input")
    kind = first["type"]
    if kind == "missing":
        return "required"
    if kind.startswith("date") and isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        return f"{value.strip()} is not a date on the calendar"
    if kind == "literal_error":
        return f"expected {first['ctx']['expected']} (got {_shown(value)})"
    if kind in ("string_too_short", "too_short"):
        minimum = first.get("ctx", {}).get("min_length", 1)
        return "must not be empty" if minimum <= 1 else f"needs at least {minimum} (got {len(value or '')})"
    if kind in ("string_too_long", "too_long"):
        return f"at most {first['ctx']['max_length']} characters (got {len(value or '')})" if kind == "string_too_long" \
            else f"at most {first['ctx']['max_length']} entries"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {"greater_than_equal": "at least", "greater_than": "more than",
                 "less_than_equal": "at most", "less_than": "less than"}[kind]
        limit = next(iter(first.get("ctx", {}).values()), "?")
        return f"must be {words} {limit} (got {_shown(value)})"
    kinds = _unique(_KINDS[i["type"]] for i in items if i["type"] in _KINDS)
    if kinds:
        return f"expected {' or '.join(kinds)} (got {_shown(value)})"
    return first["msg"]


def group_by_location(items: Iterable[dict[str, Any]], clean: Any) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    """Errors keyed by their cleaned location, in the order pydantic found them."""
    grouped: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for item in items:
        grouped.setdefault(clean(item["loc"]), []).append(item)
    return grouped


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "key: value lines"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def unreachable(error: BaseException) -> str:
    """Why a server could not be reached, in words (not aiohttp's "ssl:default [Connect call
    failed ...]" or a class name): for the start-up line naming DISCORD_API_BASE / SLACK_API_URL."""
    import asyncio

    import aiohttp

    if isinstance(error, (aiohttp.InvalidURL, ValueError)):
        return "that is not a URL (a URL starts with https://)"
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return "its TLS certificate was refused"
    if isinstance(error, aiohttp.ClientConnectorDNSError if hasattr(aiohttp, "ClientConnectorDNSError") else ()):
        return f"the host name {error.host} is not known"
    if isinstance(error, aiohttp.ClientConnectorError):
        cause = error.os_error
        if isinstance(cause, ConnectionRefusedError) or getattr(cause, "errno", None) == 111:
            return f"nothing answers at {error.host}:{error.port} (connection refused)"
        if getattr(cause, "errno", None) in (-2, -3, -5):  # EAI_NONAME, EAI_AGAIN, EAI_NODATA
            return f"the host name {error.host} is not known"
        return f"cannot connect to {error.host}:{error.port}"
    if isinstance(error, (asyncio.TimeoutError, TimeoutError)):
        return "it did not answer in time"
    if isinstance(error, aiohttp.ClientResponseError):
        return f"it answered HTTP {error.status}"
    return "the connection failed"
