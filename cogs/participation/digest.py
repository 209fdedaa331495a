"""The weekly digest for instructors: a schedule per community from ``digest: {channel, when}``.

It posts active and new members, then for each activity kind the loaded cogs declare how
many members did it (as a share of tracked members) and how often, the at-risk list and the
chart.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, Mapping

from sqlmodel import Session

from bot import ActivityKind, Attachment, Community, Content, Field, parse_when, plural

from .chart import render_chart
from .logic import PLATFORM_KINDS, percent, signal_columns
from .models import DigestSchedule
from .reports import AtRisk, WeekNumbers, at_risk, daily_series, week_numbers

PLATFORM_NAMES = frozenset(k.name for k in PLATFORM_KINDS)

if TYPE_CHECKING:
    from .cog import Stats

log = logging.getLogger("cogs.stats.digest")
AT_RISK_SHOWN = 15


def kind_fields(numbers: WeekNumbers, kinds: Mapping[str, ActivityKind]) -> list[Field]:
    """One field per kind a cog declared that happened this week (the platform kinds have their
    own fields): how many
    members did it, as a share of tracked members, and how often; a kind declared as a share
    of another (``of``: quiz_correct of quiz_answer) shows that share."""
    fields = []
    for name, kind in kinds.items():
        if name in PLATFORM_NAMES:
            continue
        week = numbers.kinds.get(name)
        if week is None:  # nothing of this kind this week: no line
            continue
        if kind.of:
            whole = numbers.count(kind.of)
            value = percent(week.count, whole) + (f" of {whole} {kinds[kind.of].label}" if kind.of in kinds and whole
                                                  else "")
        else:
            value = f"{plural(week.members, 'member')} ({percent(week.members, numbers.members)}), {week.count} in all"
        fields.append(Field(kind.label[:1].upper() + kind.label[1:], value))
    return fields


def digest_content(community_name: str, since: date, until: date, numbers: WeekNumbers,
                   risky: list[AtRisk], chart_png: bytes | None,
                   kinds: Mapping[str, ActivityKind] | None = None, cog_fields: list[Field] | None = None) -> Content:
    """Pure rendering of the digest (tests read its fields)."""
    names = ", ".join(f"<@{r.external_id}>" for r in risky[:AT_RISK_SHOWN]) or "nobody"
    if len(risky) > AT_RISK_SHOWN:
        names += f" and {len(risky) - AT_RISK_SHOWN} more"
    content = Content(
        title=f"Weekly digest — {community_name}",
        text=f"{since:%a %d %b} – {until:%a %d %b %Y}",
        fields=[
            Field("Active members", f"{numbers.active} of {numbers.members}"),
            Field("New members", str(numbers.count("join"))),
            *kind_fields(numbers, kinds or {}),
            *(cog_fields or []),
            Field("At risk", names, inline=False),
        ],
        footer="At risk: active earlier in the term, now at half or less in every signal. /stats inactive for more.",
    )
    if chart_png:
        content.files.append(Attachment("activity.png", chart_png, "image/png", "Daily activity"))
    return content


def _ensure_schedule(session: Session, community_id: int, when: str, channel: str, now: datetime) -> DigestSchedule:
    """The schedule row; a changed ``when`` restarts it (no catch-up from before the change)."""
    row = session.get(DigestSchedule, community_id)
    if row is None:
        row = DigestSchedule(community_id=community_id, when_text=when, channel=channel, since=now)
    elif row.when_text != when or row.channel != channel:
        row.when_text, row.channel, row.since = when, channel, now
    else:
        return row
    session.add(row)
    session.flush()
    session.refresh(row)
    return row


class DigestRunner:
    def __init__(self, cog: "Stats") -> None:
        self.cog = cog
        self.app = cog.app

    async def register(self, community: Community, cfg: Any) -> None:
        """(Re)register a community's digest; called through ``Cog.on_community``."""
        assert community.id is not None
        if getattr(cfg, "digest", None) is None:
            return
        when, channel = str(cfg.digest.when), str(cfg.digest.channel)
        row = await self.app.db.run(_ensure_schedule, community.id, when, channel, self.app.clock.now())

        async def fire(due_at: datetime) -> None:
            await self.post(community, cfg, due_at)

        self.app.scheduler.add(f"stats:digest:{community.id}", parse_when(when, cfg.tz), fire,
                               grace=cfg.grace_period, since=row.since,
                               owner=(community.platform, community.external_id))

    async def build(self, community: Community, cfg: Any, due_at: datetime) -> Content:
        assert community.id is not None
        await self.cog.flush()
        until = due_at.astimezone(cfg.tz).date()
        since = until - timedelta(days=6)
        term_start = cfg.term.start if cfg.term else None

        kinds = self.app.activity_kinds

        # the week in instants, for the cogs' own lines: local midnight to local midnight
        week_from = datetime.combine(since, time(), cfg.tz).astimezone(timezone.utc)
        week_to = datetime.combine(until + timedelta(days=1), time(), cfg.tz).astimezone(timezone.utc)

        def read(session: Session) -> tuple[WeekNumbers, list[AtRisk], list[Any], list[Field]]:
            conn = session.connection()
            return (week_numbers(conn, community.id, since, until),
                    at_risk(conn, community.id, until, term_start, signal_columns(kinds)),
                    daily_series(conn, community.id, until - timedelta(days=27), until),
                    self._cog_fields(session, community.id, week_from, min(week_to, due_at)))

        numbers, risky, series, cog_fields = await self.app.db.read(read)
        labels = {name: kind.label for name, kind in kinds.items()}
        png = await self.app.db.call(render_chart, series, f"{community.name}: last 4 weeks", labels)
        return digest_content(community.name, since, until, numbers, risky, png, kinds, cog_fields)

    def _cog_fields(self, session: Session, community_id: int, since: datetime, until: datetime) -> list[Field]:
        """Every loaded cog's own digest lines; one cog failing costs its lines, not the digest."""
        fields: list[Field] = []
        for name, cog in self.app.cogs.items():
            try:
                with session.begin_nested():
                    fields += cog.digest_fields(session, community_id, since, until)
            except Exception:
                log.exception("the %s cog's digest lines failed", name)
        return fields

    async def post(self, community: Community, cfg: Any, due_at: datetime) -> None:
        content = await self.build(community, cfg, due_at)
        await self.app.post(community, str(cfg.digest.channel), content)
