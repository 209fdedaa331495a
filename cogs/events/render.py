"""What event cards, lists and reminders look like (Content, platform-neutral)."""

from __future__ import annotations

from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from bot import Button, Content, Field, escape_mentions

from .logic import LABELS, check_in_open, format_span
from .models import Event
from .store import EventView

ActionId = Callable[..., str]


def card(view: EventView, action_id: ActionId, tz: ZoneInfo, now: datetime) -> Content:
    event = view.event
    lines = [f"**When:** {format_span(event.starts_at, event.ends_at, tz)}"]
    if event.location:
        lines.append(f"**Where:** {escape_mentions(event.location)}")
    if event.description:
        lines.append(escape_mentions(event.description))
    content = Content(title=f"📅 {escape_mentions(event.title)}", text="\n".join(lines),
                      footer=f"Event #{event.id} · /event list")
    if event.is_cancelled:
        content.title = f"❌ Cancelled: {escape_mentions(event.title)}"
        return content
    going = f"{view.going}"
    if event.capacity is not None:
        left = view.spots_left
        going += f" / {event.capacity} ({left} spot{'' if left == 1 else 's'} left)"
    content.fields = [Field("Going", going), Field("Maybe", str(view.counts.get("maybe", 0))),
                      Field("Can't go", str(view.counts.get("no", 0)))]
    if view.counts.get("waitlist"):
        content.fields.append(Field("Waitlist", str(view.counts["waitlist"])))
    if view.checked_in:
        content.fields.append(Field("Here", str(view.checked_in)))
    over = now >= event.ends_at
    if over:
        content.footer = f"Event #{event.id} · ended"
        return content
    buttons = [Button(LABELS["going"], action_id("rsvp", event.id, "going"), style="success"),
               Button(LABELS["maybe"], action_id("rsvp", event.id, "maybe")),
               Button(LABELS["no"], action_id("rsvp", event.id, "no"), style="danger"),
               Button("Add to calendar", action_id("ics", event.id))]
    if check_in_open(event.starts_at, event.ends_at, now):
        buttons.insert(0, Button("I'm here", action_id("here", event.id), style="primary"))
    content.add_buttons(buttons)
    return content


def event_line(event: Event, tz: ZoneInfo, mine: str | None) -> str:
    line = f"#{event.id} **{escape_mentions(event.title)}** — {format_span(event.starts_at, event.ends_at, tz)}"
    if event.location:
        line += f" · {escape_mentions(event.location)}"
    return line + f" · you: {LABELS[mine] if mine else 'no answer yet'}"


def reminder(event: Event, tz: ZoneInfo, label: str) -> Content:
    soon = "in 24 hours" if label == "24h" else "in 15 minutes"
    text = f"⏰ **{escape_mentions(event.title)}** starts {soon}: {format_span(event.starts_at, event.ends_at, tz)}."
    if event.location:
        text += f"\nWhere: {escape_mentions(event.location)}"
    return Content(text=text, footer=f"Event #{event.id}")
