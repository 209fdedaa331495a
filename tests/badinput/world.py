"""The community every sweep runs in: all built-in cogs, a staff channel, a bank, a schedule, a
survey template, and things with ids for the commands that take one (a poll, an event)."""

from __future__ import annotations

from bot.config import BUILTIN_COGS

COGS = list(BUILTIN_COGS)


def community(id_: str, platform: str, *, instructors: str = "{users: [ivy]}", general: str = "general",
              staff: str = "instructors") -> str:
    return f"""
communities:
  - id: "{id_}"
    platform: {platform}
    name: Sweep Cohort
    timezone: Europe/Berlin
    instructors: {instructors}
    channels: {{discussion: {general}, staff: {staff}}}
    banks:
      reflection: ["What surprised you this week?", "Which idea would you explain to a friend?"]
    prompts:
      - {{id: warmup, channel: discussion, when: "mon 09:00", bank: reflection}}
    surveys:
      - {{id: feedback, channel: discussion, when: "fri 16:00", questions: [{{text: "How was it?", kind: text}}]}}
"""


# What the sweep makes first, so that ids 1 exist (a poll, an event, a queue) beside the unknown ones.
SETUP = [
    '/poll create question:"Best day?" options:"Mon; Tue"',
    '/event create title:"Kick-off" when:"2030-01-14 10:00"',
    '/queue open topic:"Office hours"',
    '/mentor join role:mentor topics:"python; sql"',
    '/kudos-board join',
]
