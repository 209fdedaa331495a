"""Cohort Bot core: the platform-neutral pieces a cog is written against."""

__version__ = "0.1.0"

from .access import Access  # noqa: E402
from .activity import ActivityKind  # noqa: E402
from .events import Activity  # noqa: E402
from .cog import Cog, action, command, job, on_event  # noqa: E402
from .content import Attachment, Button, Content, Field, Form, FormField  # noqa: E402
from .context import ActionContext, CommandContext, EventContext, JobContext  # noqa: E402
from .errors import NotFound, PermissionDenied, UserError  # noqa: E402
from .native_events import NativeEvent  # noqa: E402
from .sessions import SessionEnded, SessionOpened  # noqa: E402
from .web import WebRequest, WebResponse, route  # noqa: E402
from .dashboard.panels import (Action, Bars, DaySeries, MemberColumn, Metric, ScheduleView, Section,  # noqa: E402
                               Table)
from .ports import MessageRef  # noqa: E402
from .saved import message_ref  # noqa: E402
from .wording import plural  # noqa: E402
from .options import ChannelRef, Duration, FileUpload, Help, Max, MaxLen, MemberRef, Min, MinLen, Timezone  # noqa: E402

__all__ = [
    "Access", "Activity", "ActivityKind", "Cog", "action", "command", "job", "on_event", "Attachment", "Button", "Content", "Field",
    "Form", "FormField", "ActionContext", "CommandContext", "EventContext", "JobContext", "NotFound",
    "PermissionDenied", "UserError", "ChannelRef", "Duration", "FileUpload", "Help", "Max", "MaxLen",
    "MemberRef", "MessageRef", "message_ref", "Min", "MinLen", "Timezone", "NativeEvent", "SessionEnded", "SessionOpened",
    "WebRequest", "WebResponse", "route", "DaySeries", "Metric", "Table", "Action", "Bars", "MemberColumn",
    "ScheduleView", "Section", "plural", "__version__",
]
