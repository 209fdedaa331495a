"""/event and /queue typed into the real console adapter (``python -m bot run`` with piped stdin)."""

from __future__ import annotations

from pathlib import Path

from tests.core.test_console import run_console

CONFIG = "cogs: [cogs.events, cogs.officehours]\n"


def test_events_and_the_queue_in_the_console(tmp_path: Path) -> None:
    script = "\n".join([
        '/event create title:"Study jam" when:"2030-06-05 15:00" capacity:1 where:https://meet.example/jam',
        "click 1",                      # Going, as "you"
        ":as ben member",
        "click 1",                      # the event is full: ben is on the waitlist
        "/event list",
        "click 4",                      # Add to calendar: the .ics is saved
        ":as you instructor",
        "/event create title:x when:\"2020-01-01 10:00\"",
        "/event attendance 1",
        "/event export 1",
        '/queue open topic:"Week 3"',
        ":as ben member",
        "/queue join topic:loops",
        "/queue join",
        "/queue list",
        ":as cat member",
        "/queue join",
        "/queue leave",
        ":as you instructor",
        "/queue next",
        "click 5",                      # Done on "you're up"
        "/queue next",
        "/queue clear",
        "/queue stats",
        "/queue close",
        "/event cancel 1",
    ]) + "\n"
    result = run_console(tmp_path, script, config=CONFIG)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "== 📅 Study jam ==" in out and "[1] Going  [2] Maybe  [3] Can't go  [4] Add to calendar" in out
    assert "Your RSVP for Study jam: Going." in out
    assert "Study jam is full — you're #1 on the waitlist." in out
    assert "is in the past — pick a time after now" in out
    assert "you: Waitlist" in out and "/calendar/" in out
    assert "event-1.ics" in out and (tmp_path / "data" / "console-files" / "event-1.ics").exists()
    assert "Going but not checked in: 1 — you" in out and "event-1.csv" in out
    assert "Office hours are open — Week 3" in out and "You're #1 in the queue" in out
    assert "you're already in the queue (#1)" in out and "1 waiting. You're #1 — 0 ahead of you." in out
    assert "You left the queue." in out and "Cleared the queue (0 members were waiting)." in out
    assert "@ben, you're up with @you (loops)." in out and "[5] Done  [6] No-show" in out
    assert "✅ @ben was helped by @you" in out
    assert "nobody is waiting in the queue" in out
    assert "Helped: 1" in out and "Office hours are closed." in out
    assert "Cancelled event #1; told 2 members." in out
    assert "Traceback" not in result.stderr
