"""Cohort Bot core: the platform-neutral pieces a cog is written against.

``bot.__all__`` is the whole SDK: a cog imports the core only as ``from bot import ...``
(tests/test_architecture.py checks it). Importing ``bot`` loads only what a cog needs
anyway; the schedule helpers (``parse_when`` and friends, which load APScheduler's trigger
base) are imported on first use, so ``python -m bot manifest`` and the like stay light.
"""

from typing import TYPE_CHECKING

__version__ = "0.1.0"

# Writing a cog: the class, its decorators and what its handlers receive.
from .access import Access  # noqa: E402
from .cog import Cog, action, command, job, on_event  # noqa: E402
from .context import ActionContext, CommandContext, EventContext, JobContext  # noqa: E402
from .errors import NotFound, PermissionDenied, TemporarilyUnavailable, UserError  # noqa: E402
# Command options (typed parameters) and reading a form back into them.
from .options import (ChannelRef, Duration, FileUpload, Help, Max, MaxLen, MemberRef, Min, MinLen,  # noqa: E402
                      Timezone, bind_values, options_from_signature)
# What a cog says: messages, buttons, forms, size budgets, and saving a posted message.
from .content import (MESSAGE_BUDGET, PAGE_CHARS, Attachment, Button, Content, Field, Form, FormField,  # noqa: E402
                      escape_mentions, pack_lines)
from .ports import MessageRef  # noqa: E402
from .saved import message_ref  # noqa: E402
from .live import LiveUpdater  # noqa: E402
from .wording import plural  # noqa: E402
# Events a cog listens to (and publishes: Activity).
from .activity import ActivityKind  # noqa: E402
from .events import (Activity, Event, MemberJoined, MemberLeft, MessagePosted, Origin, ReactionAdded,  # noqa: E402
                     ReactionRemoved, utcnow)
from .native_events import NativeEvent  # noqa: E402
from .sessions import SessionEnded, SessionOpened  # noqa: E402
# The core's rows a cog reads or references (its own tables are its own).
from .models import BotState, Community, Member, ScheduleClaim  # noqa: E402
# Building blocks of a cog's YAML sections.
from .config import ChannelName, DateRangeText, DurationText, SomeText, Strict, TimezoneName, WhenText  # noqa: E402
# Durations, times of day, dates and time zones typed by people.
from .timeparse import (format_duration, parse_date, parse_date_range, parse_duration,  # noqa: E402
                        parse_time_of_day, parse_timezone, parse_weekday, parse_weekdays)
# A local date and time as an instant (fall-back: the first; spring-forward gap: just after it).
from .wallclock import local_instant  # noqa: E402
# The deployment's sealing key (anonymous ballots; the inbox): never in the database.
from .sealing import deployment_key  # noqa: E402
# CSV exports (spreadsheet-safe cells).
from .csvexport import FORMULA_STARTS, format_number, iter_csv, safe_cell, to_csv  # noqa: E402
# Web routes and dashboard pages offered as data.
from .web import WebRequest, WebResponse, route  # noqa: E402
from .dashboard.panels import (Action, Bars, DaySeries, MemberColumn, Metric, ScheduleView, Section,  # noqa: E402
                               Table)

# Schedules ("when:" expressions and their firings): imported on first use (see above).
_ON_FIRST_USE = {
    "parse_when": "when", "describe_when": "when",
    "fire_times_between": "firings", "latest_fire_time": "firings", "next_fire_times": "firings",
}
if TYPE_CHECKING:
    from .firings import fire_times_between, latest_fire_time, next_fire_times
    from .when import describe_when, parse_when


def __getattr__(name: str) -> object:
    module = _ON_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module 'bot' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_ON_FIRST_USE))


__all__ = [
    # writing a cog
    "Access", "Cog", "action", "command", "job", "on_event",
    "ActionContext", "CommandContext", "EventContext", "JobContext",
    "NotFound", "PermissionDenied", "TemporarilyUnavailable", "UserError",
    # command options
    "ChannelRef", "Duration", "FileUpload", "Help", "Max", "MaxLen", "MemberRef", "Min", "MinLen", "Timezone",
    "bind_values", "options_from_signature",
    # content
    "MESSAGE_BUDGET", "PAGE_CHARS", "Attachment", "Button", "Content", "Field", "Form", "FormField",
    "escape_mentions", "pack_lines", "MessageRef", "message_ref", "LiveUpdater", "plural",
    # events
    "ActivityKind", "Activity", "Event", "MemberJoined", "MemberLeft", "MessagePosted", "Origin",
    "ReactionAdded", "ReactionRemoved", "utcnow", "NativeEvent", "SessionEnded", "SessionOpened",
    # core rows
    "BotState", "Community", "Member", "ScheduleClaim",
    # YAML
    "ChannelName", "DateRangeText", "DurationText", "SomeText", "Strict", "TimezoneName", "WhenText",
    # durations, dates, schedules
    "format_duration", "parse_date", "parse_date_range", "parse_duration", "parse_time_of_day",
    "parse_timezone", "parse_weekday", "parse_weekdays", "local_instant",
    "describe_when", "parse_when", "fire_times_between", "latest_fire_time", "next_fire_times",
    # CSV
    "FORMULA_STARTS", "format_number", "iter_csv", "safe_cell", "to_csv", "deployment_key",
    # web and dashboard
    "WebRequest", "WebResponse", "route", "Action", "Bars", "DaySeries", "MemberColumn", "Metric",
    "ScheduleView", "Section", "Table",
    "__version__",
]
