"""Every console meta command (``:...``) with bad arguments: a warning that says what to type and
that nothing changed — never a chat message, never a traceback — and the shipped course on the
console has every channel it names (introductions, help channels)."""

from __future__ import annotations

from pathlib import Path

from .test_console import ROOT, run_console

BAD_LINES = [
    (":", "Console commands: :as NAME"),
    (":foo", '⚠️ unknown console command ":foo". Console commands:'),
    (":join now", "⚠️ usage: :join (you join the community as yourself) — nothing changed"),
    (":quit now", "⚠️ usage: :quit (nothing after it) — still here"),
    (":as", "⚠️ usage: :as NAME [member|instructor|admin] — nothing changed"),
    (":as zoe memb", '⚠️ unknown role "memb" — use member, instructor or admin. You are still you (instructor).'),
    (":as a b c", "⚠️ usage: :as NAME [member|instructor|admin] — nothing changed"),
    (":as " + "x" * 65, "⚠️ a name is 1 to 64 printable characters (got 65) — nothing changed"),
    (":channel", "⚠️ usage: :channel NAME — nothing changed"),
    (":channel a b", "⚠️ usage: :channel NAME — nothing changed"),
    (":channel #", "⚠️ usage: :channel NAME — nothing changed"),
    (":thread", "⚠️ usage: :thread ID|off — nothing changed"),
    (":thread nope", '⚠️ there is no thread "nope" — use the id a post shows, like :thread tm1 — nothing changed'),
    (":react", "⚠️ usage: :react ID [EMOJI] — the id is shown after each message, like (m3)"),
    (":react m99", "⚠️ usage: :react ID [EMOJI]"),
    (":react m1 two words", "⚠️ usage: :react ID [EMOJI]"),
    ("click -1", '⚠️ click takes the number of a button, like click 1 (got "-1")'),
    ("click 7", "⚠️ there is no button [7]"),
]


def test_every_meta_command_with_bad_arguments_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    script = "hello\n" + "".join(f"{line}\n" for line, _ in BAD_LINES) + "still me\n"
    result = run_console(tmp_path, script, config="cogs: [tests.fixtures.sample_cog]\n")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    out = result.stdout.splitlines()
    after_hello = out[out.index("[#general] you: hello  (m1)") + 1:]
    for (line, expected), printed in zip(BAD_LINES, after_hello):
        assert printed.startswith(expected), (line, printed)
    assert after_hello[len(BAD_LINES)] == "[#general] you: still me  (m2)"  # same user, channel, no thread
    assert "You are now" not in result.stdout and "Now in" not in result.stdout


def test_a_thread_is_entered_in_its_own_channel(tmp_path: Path) -> None:
    script = "hello\n:channel random\n:thread m1\nreply\n"
    out = run_console(tmp_path, script, config="cogs: [tests.fixtures.sample_cog]\n").stdout
    assert "[#general › thread m1] you: reply  (m2)" in out


def test_the_shipped_course_on_the_console_has_the_channels_it_names(tmp_path: Path) -> None:
    """Introduce yourself posts in #introductions, #help is watched: both used to be missing on
    the console (an "unknown channel" answer, and a warning in the middle of the chat)."""
    (tmp_path / "schedules.yaml").write_text((ROOT / "schedules.yaml").read_text(encoding="utf-8"))
    script = ":join\nclick 1\nSam\nSQL\nEurope/Berlin\n:channel help\nHow do I join two tables?\n"
    result = run_console(tmp_path, script)
    assert result.returncode == 0
    assert result.stderr == "", result.stderr
    assert "[#introductions] Cohort Bot" in result.stdout and "Please welcome @you — Sam!" in result.stdout
    assert "unknown channel" not in result.stdout
