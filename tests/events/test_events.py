"""/event through the harness: cards, RSVPs with a waitlist, reminders, check-in, attendance,
cancel, export, and every bad input answered with one clear line."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from .helpers import attendance, create, events, reminder_dms, rsvps, settled, start, stored_events

JAM = 'title:"Study jam" when:"2026-01-14 18:00" duration:90m where:https://meet.example/jam'


async def test_create_posts_a_card_in_local_time_with_rsvp_buttons(make_bot: Any) -> None:
    bot = await start(make_bot)
    result = await bot.command(f"/event create {JAM} description:\"Bring questions\"", as_="ivy", role="instructor")
    assert result.ephemeral and "Event #1 is up: Wed 14 Jan 2026 18:00 (Europe/Berlin)" in result.text
    card = bot.last("general")
    assert card.content.title == "📅 Study jam"
    assert "Wed 14 Jan 2026 18:00–19:30 (Europe/Berlin)" in card.text
    assert "https://meet.example/jam" in card.text and "Bring questions" in card.text
    assert [b.label for b in card.buttons] == ["Going", "Maybe", "Can't go", "Add to calendar"]
    [event] = stored_events(bot)
    assert event.starts_at == datetime(2026, 1, 14, 17, 0, tzinfo=timezone.utc)  # 18:00 CET
    assert event.ends_at - event.starts_at == timedelta(minutes=90)


async def test_friendly_when_is_the_next_such_weekday(make_bot: Any) -> None:
    bot = await start(make_bot)
    await create(bot, 'title:"Thursday talk" when:"thu 15:00"')
    await create(bot, 'title:"Monday later" when:"mon 08:00"')  # today 08:00 Berlin has passed: next week
    first, second = stored_events(bot)
    assert first.starts_at == datetime(2026, 1, 15, 14, 0, tzinfo=timezone.utc)
    assert second.starts_at == datetime(2026, 1, 19, 7, 0, tzinfo=timezone.utc)


async def test_members_cannot_create_events(make_bot: Any) -> None:
    bot = await start(make_bot)
    result = await bot.command(f"/event create {JAM}", as_="ana")
    assert result.error and "instructor" in result.text
    assert stored_events(bot) == []


async def test_rsvp_counts_update_live_and_the_last_click_counts(make_bot: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, JAM)
    answers = [await bot.click(card, "Going", as_="ana"), await bot.click(card, "Maybe", as_="ben"),
               await bot.click(card, "Can't go", as_="cat"), await bot.click(card, "Maybe", as_="ana")]
    assert all(a.ephemeral for a in answers)
    assert answers[0].text == "Your RSVP for **Study jam**: Going."
    await settled(bot)
    assert "Going: 0" in card.text and "Maybe: 2" in card.text and "Can't go: 1" in card.text
    assert rsvps(bot) == {"ana": "maybe", "ben": "maybe", "cat": "no"}


async def test_capacity_fills_then_a_waitlist_promoted_in_order(make_bot: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, f"{JAM} capacity:2")
    for who in ("ana", "ben"):
        await bot.click(card, "Going", as_=who)
    third = await bot.click(card, "Going", as_="cat")
    fourth = await bot.click(card, "Going", as_="dan")
    assert "full — you're #1 on the waitlist" in third.text and "#2 on the waitlist" in fourth.text
    await settled(bot)
    assert "Going: 2 / 2 (0 spots left)" in card.text and "Waitlist: 2" in card.text

    await bot.click(card, "Can't go", as_="ben")  # a spot opens: the first in line gets it
    assert rsvps(bot) == {"ana": "going", "ben": "no", "cat": "going", "dan": "waitlist"}
    assert "A spot opened: you're now going to **Study jam**" in bot.dms("cat")[-1].text
    assert bot.dms("dan") == []
    await bot.click(card, "Maybe", as_="ana")
    assert rsvps(bot)["dan"] == "going"
    await settled(bot)
    assert "Going: 2 / 2 (0 spots left)" in card.text and "Waitlist" not in card.text


async def test_going_twice_keeps_the_spot_and_leaving_the_waitlist_frees_nothing(make_bot: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, f"{JAM} capacity:1")
    await bot.click(card, "Going", as_="ana")
    again = await bot.click(card, "Going", as_="ana")
    assert again.text.endswith("Going.")
    await bot.click(card, "Going", as_="ben")
    await bot.click(card, "Maybe", as_="ben")  # off the waitlist
    await bot.click(card, "Going", as_="cat")
    assert rsvps(bot) == {"ana": "going", "ben": "maybe", "cat": "waitlist"}


async def test_reminders_go_24h_and_15m_before_to_going_only_by_default(make_bot: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, JAM)
    await bot.click(card, "Going", as_="ana")
    await bot.click(card, "Maybe", as_="ben")
    await bot.advance(datetime(2026, 1, 13, 16, 59, tzinfo=timezone.utc))
    assert reminder_dms(bot, "ana") == []
    await bot.advance(datetime(2026, 1, 13, 17, 0, tzinfo=timezone.utc))
    assert reminder_dms(bot, "ana") == [
        "⏰ **Study jam** starts in 24 hours: Wed 14 Jan 2026 18:00–19:30 (Europe/Berlin).\n"
        "Where: https://meet.example/jam\nEvent #1"]
    await bot.advance(datetime(2026, 1, 14, 16, 45, tzinfo=timezone.utc))
    assert len(reminder_dms(bot, "ana")) == 2 and "starts in 15 minutes" in reminder_dms(bot, "ana")[1]
    await bot.advance(timedelta(days=3))
    assert len(reminder_dms(bot, "ana")) == 2  # exactly once each
    assert reminder_dms(bot, "ben") == []


async def test_a_member_with_closed_dms_is_skipped_and_the_others_are_reminded(make_bot: Any, caplog: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, JAM)
    for who in ("ana", "ben"):
        await bot.click(card, "Going", as_=who)
    bot.adapter.closed_dms.add("ana")
    await bot.advance(datetime(2026, 1, 13, 17, 0, tzinfo=timezone.utc))
    assert reminder_dms(bot, "ana") == [] and len(reminder_dms(bot, "ben")) == 1
    bot.adapter.closed_dms.discard("ana")  # opening DMs later does not bring back a missed reminder...
    await bot.advance(datetime(2026, 1, 14, 16, 45, tzinfo=timezone.utc))
    assert len(reminder_dms(bot, "ana")) == 1 and len(reminder_dms(bot, "ben")) == 2  # ...the next one comes
    assert "Traceback" not in caplog.text


async def test_maybe_is_reminded_when_configured(make_bot: Any) -> None:
    from .helpers import YAML

    bot = await start(make_bot, yaml=YAML + "    event_settings: {remind_maybe: true}\n")
    card = await create(bot, JAM)
    await bot.click(card, "Maybe", as_="ben")
    await bot.click(card, "Can't go", as_="cat")
    await bot.advance(timedelta(days=3))
    assert len(reminder_dms(bot, "ben")) == 2 and reminder_dms(bot, "cat") == []


async def test_a_restart_between_creation_and_reminder_still_reminds_once(make_bot: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, JAM)
    await bot.click(card, "Going", as_="ana")
    await bot.advance(datetime(2026, 1, 13, 17, 30, tzinfo=timezone.utc))  # the 24 h reminder went
    await bot.restart()
    events(bot).live.delay = 0
    await bot.advance(datetime(2026, 1, 14, 16, 40, tzinfo=timezone.utc))
    assert len(reminder_dms(bot, "ana")) == 1  # not again after the restart
    await bot.restart()  # down over the 15 min mark...
    bot.clock.set(datetime(2026, 1, 14, 16, 50, tzinfo=timezone.utc))
    await bot.restart()  # ...and back before the start: the missed reminder is sent once
    assert len(reminder_dms(bot, "ana")) == 2
    await bot.restart()
    await bot.advance(timedelta(hours=2))
    assert len(reminder_dms(bot, "ana")) == 2


async def test_a_reminder_missed_past_the_start_is_not_sent_late(make_bot: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, 'title:"Soon" when:"today 12:00"')
    await bot.click(card, "Going", as_="ana")
    await bot.stop()
    bot.clock.set(datetime(2026, 1, 12, 11, 5, tzinfo=timezone.utc))  # 12:05 Berlin: it started
    await bot.start()
    assert reminder_dms(bot, "ana") == []


async def test_check_in_button_from_10_minutes_before_until_the_end(make_bot: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, JAM)
    early = await bot.click("event:here:1", as_="ana")
    assert early.error and "open from 10 minutes before the start" in early.text
    await bot.advance(datetime(2026, 1, 14, 16, 50, tzinfo=timezone.utc))
    assert card.buttons[0].label == "I'm here"
    here = await bot.click(card, "I'm here", as_="ana")
    assert here.text == "Checked in to **Study jam** — welcome!"
    again = await bot.click(card, "I'm here", as_="ana")
    assert again.text == "You're already checked in."
    await settled(bot)
    assert "Here: 1" in card.text
    await bot.advance(datetime(2026, 1, 14, 18, 30, tzinfo=timezone.utc))  # the end
    assert card.buttons == [] and "ended" in (card.content.footer or "")
    late = await bot.click("event:here:1", as_="ben")
    assert late.error and "over" in late.text
    [record] = attendance(bot)
    assert record.source == "check-in" and record.member_id == bot.member("ana").id  # type: ignore[union-attr]


async def test_instructors_mark_attendance_afterwards_and_see_turnout(make_bot: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, JAM)
    for who in ("ana", "ben", "cat"):
        await bot.click(card, "Going", as_=who)
    early = await bot.command("/event attendance 1 present:@ana", as_="ivy", role="instructor")
    assert early.error and "has not started" in early.text
    await bot.advance(datetime(2026, 1, 14, 20, 0, tzinfo=timezone.utc))
    marked = await bot.command('/event attendance 1 present:"@ana, <@ben>"', as_="ivy", role="instructor")
    assert marked.text == "Marked 2 members present at event #1."
    shown = await bot.command("/event attendance 1", as_="ivy", role="instructor")
    assert "Attended: 2 — ana, ben" in shown.text and "Going but not checked in: 1 — cat" in shown.text
    assert "67% of those going" in shown.text
    unknown = await bot.command("/event attendance 1 present:@zed", as_="ivy", role="instructor")
    assert unknown.error and "zed" in unknown.text


async def test_cancel_edits_the_card_and_tells_the_people_going(make_bot: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, JAM)
    await bot.click(card, "Going", as_="ana")
    result = await bot.command('/event cancel 1 reason:"Instructor ill"', as_="ivy", role="instructor")
    assert result.text == "Cancelled event #1; told 1 member."
    assert card.content.title == "❌ Cancelled: Study jam" and card.buttons == []
    assert "was cancelled" in bot.dms("ana")[-1].text and "Instructor ill" in bot.dms("ana")[-1].text
    late = await bot.click("event:rsvp:1:going", as_="ben")
    assert late.error and "was cancelled" in late.text
    again = await bot.command("/event cancel 1", as_="ivy", role="instructor")
    assert again.error and "already cancelled" in again.text
    await bot.advance(timedelta(days=3))
    assert reminder_dms(bot, "ana") == []  # no reminders for a cancelled session


async def test_list_shows_upcoming_sessions_with_my_rsvp_and_the_feed(make_bot: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, JAM)
    await create(bot, 'title:"Retro" when:"2026-01-16 10:00"')
    await bot.click(card, "Maybe", as_="ana")
    listing = await bot.command("/event list", as_="ana")
    lines = listing.reply.content.text.splitlines()
    assert lines[0].startswith("#1 **Study jam** — Wed 14 Jan 2026 18:00") and lines[0].endswith("you: Maybe")
    assert lines[1].startswith("#2 **Retro**") and lines[1].endswith("you: no answer yet")
    assert "/calendar/" in (listing.reply.content.footer or "")
    await bot.advance(datetime(2026, 1, 15, 0, 0, tzinfo=timezone.utc))
    assert len((await bot.command("/event list", as_="ana")).reply.content.text.splitlines()) == 1


async def test_export_has_rsvps_and_attendance(make_bot: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, JAM)
    await bot.click(card, "Going", as_="ana")
    await bot.click(card, "Can't go", as_="=cmd")
    await bot.advance(datetime(2026, 1, 14, 17, 5, tzinfo=timezone.utc))
    await bot.click(card, "I'm here", as_="ana")
    result = await bot.command("/event export 1", as_="ivy", role="instructor")
    [file] = result.reply.content.files
    assert file.filename == "event-1.csv"
    rows = list(csv.DictReader(io.StringIO(file.data.decode())))
    assert [(r["member_id"], r["rsvp"], r["attended"], r["marked_by"]) for r in rows] == [
        ("ana", "Going", "yes", "check-in"), ("'=cmd", "Can't go", "no", "")]
    member = await bot.command("/event export 1", as_="ana")
    assert member.error


@pytest.mark.parametrize("options, message", [
    ('title:x when:"2026-01-10 10:00"', "Sat 10 Jan 2026 10:00 (Europe/Berlin) is in the past"),
    ('title:x when:"today 08:30"', "is in the past"),
    ('title:x when:"fri 10:00" duration:0m', "duration must be more than 0 and at most 24h"),
    ('title:x when:"fri 10:00" duration:25h', "duration must be more than 0 and at most 24h (got 1d 1h)"),
    ('title:x when:"fri 10:00" capacity:0', "capacity must be at least 1"),
    ('title:x when:"next week"', 'is not a date and time'),
    ('title:x when:"2026-02-30 10:00"', "is not a valid date"),
    ('title:x when:"fri 25:00"', "is not a time of day"),
])
async def test_bad_event_input_gets_one_clear_line(make_bot: Any, options: str, message: str) -> None:
    bot = await start(make_bot)
    result = await bot.command(f"/event create {options}", as_="ivy", role="instructor")
    assert result.error and result.ephemeral and message in result.text
    assert len(result.replies) == 1 and "\n" not in result.text
    assert stored_events(bot) == [] and bot.messages("general") == []


async def test_a_time_the_clocks_skip_starts_when_the_gap_ends_and_says_so(make_bot: Any) -> None:
    bot = await start(make_bot)
    result = await bot.command('/event create title:Jam when:"2026-03-29 02:30"', as_="ivy", role="instructor")
    assert not result.error and result.ephemeral
    assert ("Event #1 is up: Sun 29 Mar 2026 03:00 (Europe/Berlin) (02:30 does not exist on 29 Mar in "
            "Europe/Berlin (clocks go forward): the session starts at 03:00 CEST)") in result.text
    [event] = stored_events(bot)
    assert event.starts_at == datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc), "as bot.local_instant reads it"
    assert "Sun 29 Mar 2026 03:00–04:00 (Europe/Berlin)" in bot.last("general").text


@pytest.mark.parametrize("line", ["/event cancel 99", "/event attendance 99", "/event export 99"])
async def test_an_unknown_event_id_is_one_line(make_bot: Any, line: str) -> None:
    bot = await start(make_bot)
    result = await bot.command(line, as_="ivy", role="instructor")
    assert result.error and result.text == "⚠️ unknown event #99 — see /event list"


async def test_rsvp_after_the_event_is_refused(make_bot: Any) -> None:
    bot = await start(make_bot)
    await create(bot, JAM)
    await bot.advance(datetime(2026, 1, 14, 18, 31, tzinfo=timezone.utc))
    result = await bot.click("event:rsvp:1:going", as_="ana")
    assert result.error and result.text == "⚠️ event #1 is over — RSVPs are closed"
    assert rsvps(bot) == {}


async def test_forget_erases_rsvps_and_attendance_but_not_the_session(make_bot: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, JAM, as_="ivy")
    await bot.click(card, "Going", as_="ana")
    await bot.click(card, "Going", as_="ivy")
    await bot.advance(datetime(2026, 1, 14, 17, 5, tzinfo=timezone.utc))
    await bot.click(card, "I'm here", as_="ana")
    member = bot.member("ana")
    ivy = bot.member("ivy")
    assert member is not None and ivy is not None
    erased = (await bot.forget("ana"))[events(bot).name]
    assert erased == 2 and rsvps(bot) == {"ivy": "going"} and attendance(bot) == []
    await bot.forget("ivy")
    [event] = stored_events(bot)
    assert event.author_id is None and event.title == "Study jam"


async def test_a_forgotten_members_spot_goes_to_the_waitlist(make_bot: Any) -> None:
    bot = await start(make_bot)
    card = await create(bot, f"{JAM} capacity:1")
    await bot.click(card, "Going", as_="ana")
    await bot.click(card, "Going", as_="ben")
    member = bot.member("ana")
    assert member is not None
    await bot.forget("ana")
    assert rsvps(bot) == {"ben": "going"}
    assert "A spot opened: you're now going to **Study jam**" in bot.dms("ben")[-1].text
    await settled(bot)
    assert "Going: 1 / 1" in card.text


async def test_privacy_forget_erases_event_and_queue_rows_and_the_member(make_bot: Any) -> None:
    from sqlmodel import select

    from cogs.officehours.models import QueueEntry

    bot = await start(make_bot, cogs=["cogs.events", "cogs.officehours", "cogs.participation"])
    card = await create(bot, JAM, as_="ana")  # ana is an instructor who also attends
    await bot.click(card, "Going", as_="ana")
    await bot.command("/queue open", as_="ana", role="instructor")
    await bot.command("/queue join", as_="ben")
    await bot.command("/queue next", as_="ana", role="instructor")
    await bot.command("/queue join", as_="ana")
    asked = await bot.command("/privacy forget", as_="ana")
    done = await bot.click(asked.reply.content.buttons[0].action_id, as_="ana")
    assert "• event: 2 rows" in done.text and "• queue: 2 rows" in done.text, done.text
    assert bot.member("ana") is None and rsvps(bot) == {}
    with bot.session() as s:
        [visit] = s.exec(select(QueueEntry)).all()
    assert visit.called_by is None and visit.member_id == bot.member("ben").id  # type: ignore[union-attr]
    assert stored_events(bot)[0].author_id is None


async def test_attendance_is_a_participation_activity_once_per_member(make_bot: Any) -> None:
    bot = await start(make_bot, cogs=["cogs.events", "cogs.participation", "tests.fixtures.event_recorder"])
    card = await create(bot, JAM)
    await bot.click(card, "Going", as_="ben")
    await bot.advance(datetime(2026, 1, 14, 17, 5, tzinfo=timezone.utc))
    await bot.click(card, "I'm here", as_="ana")
    await bot.click(card, "I'm here", as_="ana")  # twice: counted once
    await bot.command('/event attendance 1 present:"@ana @ben"', as_="ivy", role="instructor")
    recorded = bot.app.get_cog("recorder").of_kind("event_attendance")
    assert [(bot.member("ana").id, "event:1"), (bot.member("ben").id, "event:1")] == [  # type: ignore[union-attr]
        (a.member_id, a.subject) for a in recorded]
    await bot.app.get_cog("stats").writer.flush()
    me = await bot.command("/stats me", as_="ana")
    assert "sessions attended" in me.text, me.text
