"""The welcome cog through the harness: once per member (restart, rejoin, two joins at once),
the buttons (introduction form posted with consent, mentoring form, rules), the instructors'
report and digest line, opted-out members, bad YAML and bad input, forget."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlmodel import select

from bot.config import parse_config
from bot.errors import ConfigError
from cogs.mentors.models import MentorProfile
from cogs.welcome.models import WelcomeMember

COGS = ["cogs.welcome", "cogs.mentors", "cogs.participation"]

YAML = """
communities:
  - id: console
    platform: console
    name: Data Science Cohort 7
    timezone: Europe/Berlin
    channels: {staff: instructors}
    welcome:
      message: "Welcome {member} to {community}! Start in #general."
      where: dm
      buttons: [introduce, mentoring, rules]
      rules: "Be kind."
    digest: {channel: staff, when: "fri 17:00"}
"""


async def start(make_bot: Any, yaml: str = YAML) -> Any:
    bot = await make_bot(yaml=yaml, cogs=COGS, start=datetime(2026, 1, 12, 8, 0, tzinfo=timezone.utc))
    bot.adapter.add_channel("console", "introductions")
    return bot


def rows(bot: Any) -> list[WelcomeMember]:
    with bot.session() as s:
        return list(s.exec(select(WelcomeMember)).all())


async def test_a_new_member_is_welcomed_once_even_after_a_restart_or_a_rejoin(make_bot: Any) -> None:
    bot = await start(make_bot)
    await bot.join("nina")
    [dm] = bot.dms("nina")
    assert dm.text.startswith("Welcome <@nina> to Data Science Cohort 7! Start in #general.")
    assert "Rules: Be kind." in dm.text
    assert [b.label for b in dm.buttons] == ["Introduce yourself", "Join peer mentoring", "Rules read"]
    await bot.join("nina")  # a second join event (e.g. Slack's channel join after team_join)
    await bot.restart()
    await bot.join("nina")
    await bot.join("nina", left=True)
    await bot.advance(timedelta(days=29))
    await bot.join("nina")  # rejoined within 30 days
    assert len(bot.dms("nina")) == 1
    await bot.advance(timedelta(days=2))
    await bot.join("nina")  # a month and more after the welcome: a new start
    assert len(bot.dms("nina")) == 2
    assert len(rows(bot)) == 1


async def test_introduce_yourself_posts_the_form_in_introductions_and_stores_no_text(make_bot: Any) -> None:
    bot = await start(make_bot)
    await bot.join("nina")
    [dm] = bot.dms("nina")
    r = await bot.click(dm, "Introduce yourself", as_="nina")
    [form] = r.forms
    assert form.title == "Introduce yourself in #introductions"
    assert [f.name for f in form.fields] == ["name", "learn", "timezone"]
    r = await bot.click(dm, "Introduce yourself", as_="omar")
    assert r.error and not r.forms, "a personal button"
    await bot.restart()  # the form's submit works in a new process
    r = await bot.click(form.submit_action, as_="nina", values={"name": "Nina", "learn": "SQL @everyone", "timezone": ""})
    assert not r.error and "Posted your introduction in #introductions" in r.text and r.ephemeral
    post = bot.last("introductions")
    assert post.text.startswith("👋 Please welcome <@nina> — Nina!") and "Wants to learn: SQL" in post.text
    assert "@everyone" not in post.text and "Time zone" not in post.text
    again = await bot.click(form.submit_action, as_="nina", values={"name": "Nina", "learn": "more"})
    assert again.error and "already introduced yourself" in again.text
    assert len(bot.messages("introductions")) == 1
    empty = await bot.click(form.submit_action, as_="nina", values={"name": " ", "learn": ""})
    assert empty.error and len(empty.replies) == 1
    [row] = rows(bot)
    assert row.introduced_at is not None
    assert not any(isinstance(v, str) and "SQL" in v for v in row.model_dump().values())
    stats = await bot.command("/stats me", as_="nina")
    assert "introductions 1" in stats.text


async def test_join_peer_mentoring_opens_the_mentor_join_form_and_rules_read_records_consent(make_bot: Any) -> None:
    bot = await start(make_bot)
    await bot.join("nina")
    [dm] = bot.dms("nina")
    r = await bot.click(dm, "Join peer mentoring", as_="nina")
    [form] = r.forms
    assert [f.name for f in form.fields] == ["role", "topics", "timezone"]
    bad = await bot.click(form.submit_action, as_="nina", values={"role": "boss", "topics": "sql"})
    assert bad.error and '"boss" is not one of' in bad.text and len(bad.replies) == 1
    bad_tz = await bot.click(form.submit_action, as_="nina",
                             values={"role": "peer", "topics": "sql", "timezone": "Mars/Base"})
    assert bad_tz.error
    ok = await bot.click(form.submit_action, as_="nina", values={"role": "Peer", "topics": "sql, python", "timezone": ""})
    assert not ok.error and "You're in!" in ok.text
    with bot.session() as s:
        profile = s.exec(select(MentorProfile)).one()
    assert profile.role == "peer" and profile.timezone == "Europe/Berlin"
    r = await bot.click(dm, "Rules read", as_="nina")
    assert "noted that you have read the rules" in r.text and r.ephemeral
    r = await bot.click(dm, "Rules read", as_="nina")
    assert "Already noted" in r.text
    [row] = rows(bot)
    assert row.rules_read_at is not None


async def test_instructors_see_who_joined_introduced_or_did_nothing_and_the_digest_says_so(make_bot: Any) -> None:
    bot = await start(make_bot)
    for who in ("nina", "omar", "pia", "quinn"):
        await bot.join(who)
    form = (await bot.click(bot.dms("nina")[0], "Introduce yourself", as_="nina")).forms[0]
    await bot.click(form.submit_action, as_="nina", values={"name": "Nina", "learn": "SQL"})
    await bot.restart()
    await bot.message("omar")  # active since joining
    await bot.command("/privacy optout", as_="quinn")
    r = await bot.command("/welcome report", as_="ivy", role="instructor")
    assert r.ephemeral and "3 new members: 1 introduced themselves, 1 did nothing since joining" in r.text
    assert "<@nina> — joined Mon 12 Jan 09:00: introduced, active" in r.text
    assert "<@omar> — joined Mon 12 Jan 09:00: active" in r.text
    assert "<@pia> — joined Mon 12 Jan 09:00: nothing since joining" in r.text
    assert "quinn" not in r.text, "opted-out members are not counted"
    member = await bot.command("/welcome report", as_="pia")
    assert member.error and "only instructors" in member.text
    bad = await bot.command("/welcome report days:0", as_="ivy", role="instructor")
    assert bad.error and len(bad.replies) == 1
    await bot.advance(datetime(2026, 1, 16, 16, 0, tzinfo=timezone.utc))  # fri 17:00 Berlin
    digest = bot.last("instructors")
    welcome = next(f for f in digest.content.fields if f.name == "Welcome")
    assert welcome.value == "3 new members: 1 introduced themselves, 1 did nothing since joining"


async def test_opted_out_and_bot_members_are_not_welcomed(make_bot: Any) -> None:
    bot = await start(make_bot)
    await bot.message("ruth")
    await bot.command("/privacy optout", as_="ruth")
    await bot.join("ruth")
    assert bot.dms("ruth") == [] and rows(bot) == []


async def test_a_channel_welcome_a_closed_dm_and_no_welcome_section(make_bot: Any) -> None:
    bot = await start(make_bot, YAML.replace("where: dm", "where: general"))
    await bot.join("nina")
    assert bot.last("general").text.startswith("Welcome <@nina>") and bot.dms("nina") == []
    bot2 = await start(make_bot)
    bot2.adapter.closed_dms.add("omar")
    await bot2.join("omar")
    assert bot2.last("introductions").text.startswith("Welcome <@omar>")
    bot3 = await make_bot(yaml="communities:\n  - {id: console, platform: console}\n", cogs=COGS)
    await bot3.join("pia")
    assert bot3.dms("pia") == []


async def test_forget_erases_the_welcome_row_and_a_returning_member_is_not_welcomed_again(make_bot: Any) -> None:
    bot = await start(make_bot)
    await bot.join("nina")
    assert (await bot.forget("nina"))["welcome"] == 1
    assert rows(bot) == []
    await bot.restart()
    await bot.join("nina")  # the same account back: it starts opted out (the core's tombstone)
    assert len(bot.dms("nina")) == 1 and rows(bot) == []


async def test_two_processes_seeing_one_join_welcome_once(make_bot: Any) -> None:
    first = await start(make_bot)
    second = await make_bot(yaml=YAML, cogs=COGS, db_url=first.db_url, start=first.clock.now())
    await first.join("nina")
    await second.join("nina")  # e.g. an HTTP worker given Slack's channel join
    await second.join("omar")
    await first.join("omar")
    assert len(first.dms("nina") + second.dms("nina")) == 1
    assert len(first.dms("omar") + second.dms("omar")) == 1


@pytest.mark.parametrize("section, message", [
    ('{message: "Hi {name}"}', 'unknown placeholder "{name}"'),
    ('{message: "Hi {member"}', "unbalanced { or }"),
    ("{buttons: [introduce, party]}", "party"),
    ("{wher: dm}", "wher"),
])
def test_bad_welcome_yaml_names_the_line(section: str, message: str) -> None:
    text = f"communities:\n  - id: console\n    platform: console\n    welcome: {section}\n"
    with pytest.raises(ConfigError) as raised:
        parse_config(text, "schedules.yaml", cogs=COGS)
    assert "schedules.yaml:4:" in str(raised.value) and message in str(raised.value)


def test_console_join_makes_the_current_user_join_and_be_welcomed_once(tmp_path: Any) -> None:
    from tests.core.test_console import run_console

    config = YAML.replace("communities:", "cogs: [cogs.welcome, cogs.mentors, cogs.participation]\ncommunities:", 1)
    result = run_console(tmp_path, ":as nina\n:join\n:join\n", config=config)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("nina joined the community.") == 2
    assert out.count("Welcome @nina to Data Science Cohort 7!") == 1
    assert "[1] Introduce yourself" in out
