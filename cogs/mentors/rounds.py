"""Running rounds: propose (preview) -> confirm (intros, "why not" notes) -> check-ins -> close.

Platform calls (open_group, dm, post) happen outside database transactions; every state
change that could race with another process is claimed first (see store.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot import Activity, Community, Member

from . import store
from .config import DEFAULT_CONFIG, IGNORED_ROUNDS_BEFORE_PAUSE, MentoringConfig
from .models import MentorProfile
from .planning import plan_round
from .render import render_check_in, render_intro, render_paused, render_preview, render_unmatched

log = logging.getLogger("cogs.mentor")


@dataclass
class Confirmed:
    """What confirming did: ``status`` "ok", or why not ("confirmed", "cancelled", "missing")."""

    status: str
    view: store.RoundView | None = None
    dropped: int = 0


def local_today(community: Community, now: datetime) -> date:
    return now.astimezone(ZoneInfo(community.timezone or "UTC")).date()


def staff_channel(cfg: Any) -> str:
    return "staff" if "staff" in (cfg.channels or {}) else "instructors"


class RoundService:
    def __init__(self, app: Any, action_id: Callable[..., str]) -> None:
        self.app = app
        self.db = app.db
        self.action_id = action_id

    def config(self, community: Community) -> MentoringConfig:
        cfg = self.app.community_config(community.platform, community.external_id)
        return cfg.section("mentoring", DEFAULT_CONFIG)

    # -- propose ----------------------------------------------------------------------------
    async def propose(self, community: Community, *, source: str, created_by: int | None) -> store.RoundView | None:
        """Match everyone available now and store the result as a preview (None: nobody to match)."""
        assert community.id is not None
        cfg = self.config(community)
        now = self.app.clock.now()
        today = local_today(community, now)
        profiles, history, avoid = await self.db.read(store.load_inputs, community.id, today)
        plan = await self.db.call(lambda: plan_round(profiles, mode=cfg.mode, history=history, avoid=avoid,
                                                     today=today, no_repeat_within=cfg.no_repeat_window,
                                                     seed=today.toordinal()))
        if plan.is_empty:
            return None
        rnd, superseded = await self.db.run(partial(store.create_preview, mode=cfg.mode, source=source,
                                                    created_by=created_by, now=now), community.id, plan)
        await self._mark_superseded(community, superseded, rnd.id)
        return await self.db.read(store.load_round, community.id, rnd.id)

    async def _mark_superseded(self, community: Community, rounds: list[Any], by_id: int | None) -> None:
        for old in rounds:
            if old.preview is None:
                continue
            view = await self.db.read(store.load_round, community.id, old.id)
            try:
                await self.app.edit(old.preview, render_preview(view, None, status=f"Replaced by round #{by_id}."))
            except Exception:
                log.warning("could not edit superseded preview of round %s", old.id, exc_info=True)

    # -- confirm / cancel -------------------------------------------------------------------
    async def confirm(self, community: Community, round_id: int, by: int | None) -> Confirmed:
        assert community.id is not None
        cfg = self.config(community)
        now = self.app.clock.now()
        today = local_today(community, now)

        def claim(session: Session) -> tuple[str, int]:
            status = store.claim_status_change(session, community.id, round_id, "confirmed", by=by, now=now,
                                               check_in_after=cfg.check_in_delay, answer_within=cfg.answer_window)
            dropped = store.drop_stale_groups(session, community.id, round_id, today) if status == "ok" else 0
            return status, dropped

        status, dropped = await self.db.run(claim)
        if status != "ok":
            return Confirmed(status)
        view = await self.db.read(store.load_round, community.id, round_id)
        assert view is not None
        await self._post_intros(community, view)
        await self._tell_unmatched(community, view, cfg)
        return Confirmed("ok", await self.db.read(store.load_round, community.id, round_id), dropped)

    async def cancel(self, community: Community, round_id: int) -> str:
        assert community.id is not None
        cancel = partial(store.claim_status_change, by=None, now=self.app.clock.now(),
                         check_in_after=timedelta(0), answer_within=timedelta(0))
        return await self.db.run(cancel, community.id, round_id, "cancelled")

    async def _post_intros(self, community: Community, view: store.RoundView) -> None:
        ids = [p.member.id for mv in view.matches for p in mv.people]

        def goals(session: Session) -> dict[int, str]:
            rows = session.exec(select(MentorProfile).where(MentorProfile.community_id == community.id)).all()
            return {p.member_id: p.goals for p in rows if p.goals and p.member_id in ids}

        member_goals = await self.db.read(goals)
        for mv in view.matches:
            members = [p.member for p in mv.people]
            title = "mentoring: " + " & ".join(m.display_name for m in members)
            try:
                ref = await self.app.open_group(community, members, title, render_intro(mv, member_goals))
            except Exception:
                log.exception("could not open the group for match %s", mv.match.id)
                continue
            await self.db.run(store.set_intro, mv.match.id, ref)

    async def _tell_unmatched(self, community: Community, view: store.RoundView, cfg: MentoringConfig) -> None:
        for waiting, member in view.unmatched:
            await self.tell(community, member, render_unmatched(waiting.reason), cfg)

    async def tell(self, community: Community, member: Member, text: str, cfg: MentoringConfig) -> None:
        """A private note; when DMs are closed, a mention in the mentoring channel instead."""
        try:
            if await self.app.dm(community, member, text) is None:
                await self.app.post(community, cfg.channel, f"{member.mention} {text}")
        except Exception:
            log.exception("could not tell member %s", member.id)

    # -- scheduled rounds -------------------------------------------------------------------
    async def run_scheduled(self, community: Community) -> None:
        """A round from schedules.yaml: a preview in the staff channel (or posted at once with auto_confirm)."""
        cfg = self.config(community)
        view = await self.propose(community, source="schedule", created_by=None)
        if view is None:
            log.info("scheduled mentoring round for %s: nobody to match", community.external_id)
            return
        channel = staff_channel(self.app.community_config(community.platform, community.external_id))
        if cfg.auto_confirm:
            done = await self.confirm(community, view.round.id or 0, None)
            if done.view is not None:
                count = len(done.view.matches)
                await self.app.post(community, channel, render_preview(
                    done.view, None, status=f"Confirmed automatically: {count} group{'s' if count != 1 else ''}."))
            return
        ref = await self.app.post(community, channel, render_preview(view, self.action_id))
        await self.db.run(store.set_preview, view.round.id, ref)

    # -- check-ins --------------------------------------------------------------------------
    async def post_check_ins(self) -> int:
        """Ask every group of each round whose check-in is due. Returns the rounds handled."""
        now = self.app.clock.now()
        handled = 0
        for community_id, round_id in await self.db.read(partial(store.rounds_due, closing=False), now):
            if not await self.db.run(store.claim_flag, round_id, "checked_in"):
                continue  # another process got it
            handled += 1
            community = await self._community(community_id)
            view = await self.db.read(store.load_round, community_id, round_id)
            if community is None or view is None:
                continue
            for mv in view.matches:
                intro = mv.match.intro
                if intro is None:
                    continue
                try:
                    await self.app.post(community, intro.channel_id, render_check_in(mv, self.action_id),
                                        thread_id=intro.thread_id)
                except Exception:
                    log.exception("could not post the check-in for match %s", mv.match.id)
        return handled

    async def close_check_ins(self) -> int:
        """Count unanswered check-ins whose time is up; pause (and tell) who ignored too many."""
        now = self.app.clock.now()
        handled = 0
        for community_id, round_id in await self.db.read(partial(store.rounds_due, closing=True), now):

            def close(session: Session, round_id: int = round_id, community_id: int = community_id) -> list[int] | None:
                if not store.claim_flag(session, round_id, "closed"):
                    return None
                return store.count_ignores(session, community_id, round_id, IGNORED_ROUNDS_BEFORE_PAUSE, now)

            paused = await self.db.run(close)
            if paused is None:
                continue
            handled += 1
            community = await self._community(community_id)
            if community is None:
                continue
            cfg = self.config(community)
            for member_id in paused:
                member = await self.db.read(lambda s, i=member_id: s.get(Member, i))
                if member is not None:
                    await self.tell(community, member, render_paused(IGNORED_ROUNDS_BEFORE_PAUSE), cfg)
        return handled

    async def answer(self, community: Community, match_id: int, member: Member,
                     answer: str) -> tuple[store.MatchView | None, bool]:
        """Record a check-in answer; "We met" publishes activity ``mentor_meeting`` (once per match,
        one event per member of the group). Returns (match, whether the member is in it)."""
        now = self.app.clock.now()
        view, is_member, publish = await self.db.run(store.record_answer, community.id, match_id, member.id,
                                                     answer, now)
        if publish and view is not None:
            for person in view.people:
                await self.app.publish(Activity(kind="mentor_meeting", community_id=community.id or 0,
                                                member_id=person.member.id or 0, subject=f"match:{match_id}", at=now))
        return view, is_member

    async def _community(self, community_id: int) -> Community | None:
        return await self.db.read(lambda s: s.get(Community, community_id))
