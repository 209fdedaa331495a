"""Welcome: greet each new member once, with first steps and three buttons.

A member who joins (Discord member join, Slack ``team_join`` or a channel in
``welcome.join_channels``, ``:join`` on the console) gets the community's message once: a
restart, a second process, or a rejoin within 30 days never sends it again. The message
(DM by default, or a channel) has "Introduce yourself" (a short form, posted to
#introductions for them — their consent is pressing submit on a form that says so), "Join
peer mentoring" (the mentor cog's own join form, when that cog is loaded) and "Rules read"
(records consent). Instructors see who joined, who introduced themselves and who did nothing
since (``/welcome report``, and a digest line). Opted-out members are not welcomed or counted.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from bot import (Access, ActionContext, Activity, ActivityKind, Button, Cog, CommandContext, Community, Content,
                 EventContext, Form, FormField, Help, Max, Member, MemberJoined, MessagePosted, Min, ReactionAdded,
                 UserError, action, command, on_event)

from . import store
from .config import WelcomeConfig
from .logic import counts, digest_field, introduction_text, report_lines, summary, welcome_text

REPORT_SHOWN = 40
REFRESH = timedelta(minutes=5)


class Welcome(Cog, name="welcome"):
    """Welcome new members: first steps, introductions, and who joined lately."""

    config_sections = {"welcome": WelcomeConfig}
    activities = [ActivityKind("introduction", points=3, label="introductions")]

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self._newcomers: dict[int, set[int]] = {}  # community id -> members whose first activity is awaited
        self._join_channels: dict[int, set[str]] = {}

    def delete_member_data(self, session: Any, community_id: int, member_id: int) -> int:
        self._newcomers.get(community_id, set()).discard(member_id)
        return store.erase_member(session, community_id, member_id)

    def digest_fields(self, session: Any, community_id: int, since: Any, until: Any) -> list[Any]:
        return digest_field(store.joined_between(session, community_id, since, until))

    async def on_community(self, community: Any, config: Any) -> None:
        if config.section("welcome") is None or community.id is None:
            return
        await self._load_newcomers(community.id)
        self.app.scheduler.every(f"welcome:newcomers:{community.id}", REFRESH,
                                 lambda: self._load_newcomers(community.id))

    async def _load_newcomers(self, community_id: int) -> None:
        """Newcomers another process welcomed are picked up here too (every few minutes)."""
        self._newcomers[community_id] = await self.db.read(store.newcomers, community_id, self.app.clock.now())

    # -- joining --------------------------------------------------------------------------
    @on_event(MemberJoined)
    async def joined(self, ctx: EventContext, event: MemberJoined) -> None:
        cfg: WelcomeConfig | None = ctx.config.section("welcome")
        member = ctx.member
        if cfg is None or member is None or member.id is None or member.is_bot or member.opted_out:
            return
        if not event.joined_community and not await self._counts_as_joining(ctx.community, cfg, event.channel_id):
            return
        if not await self.db.run(store.claim, ctx.community.id, member.id, event.at):
            return  # welcomed already (or by another process just now)
        self._newcomers.setdefault(ctx.community.id, set()).add(member.id)
        if await self._send(ctx.community, cfg, member):
            await self.db.run(store.mark, ctx.community.id, member.id, "welcomed_at", self.app.clock.now())

    async def _counts_as_joining(self, community: Community, cfg: WelcomeConfig, channel_id: str | None) -> bool:
        """A channel join counts when that channel is one of ``welcome.join_channels``."""
        if not cfg.join_channels or channel_id is None or community.id is None:
            return False
        ids = self._join_channels.get(community.id)
        if ids is None:
            ids = set()
            for name in cfg.join_channels:
                try:
                    ids.add((await self.app.resolve_channel(community, name)).id)
                except UserError:
                    self.log.warning("welcome.join_channels: no channel %r in %s", name, community.name)
            self._join_channels[community.id] = ids
        return channel_id in ids

    def message(self, community: Community, cfg: WelcomeConfig, member: Member) -> Content:
        text = welcome_text(cfg.message, member.mention, community.name)
        if "rules" in cfg.buttons and cfg.rules:
            text += f"\n\n📜 Rules: {cfg.rules}"
        content = Content(text=text)
        buttons = []
        if "introduce" in cfg.buttons:
            buttons.append(Button("Introduce yourself", self.action_id("intro", member.id), style="primary"))
        if "mentoring" in cfg.buttons and self.app.get_cog("mentor") is not None:
            buttons.append(Button("Join peer mentoring", "mentor:form"))
        if "rules" in cfg.buttons:
            buttons.append(Button("Rules read", self.action_id("rules", member.id), style="success"))
        if buttons:
            content.add_buttons(buttons)
        return content

    async def _send(self, community: Community, cfg: WelcomeConfig, member: Member) -> bool:
        content = self.message(community, cfg, member)
        try:
            if cfg.where.lower() != "dm":
                await self.app.post(community, cfg.where, content)
                return True
            if await self.app.dm(community, member, content) is not None:
                return True
            await self.app.post(community, cfg.introductions, content)  # DMs closed: greet them there
            return True
        except Exception:
            self.log.exception("could not welcome member %s in %s", member.id, community.name)
            return False

    # -- the buttons ----------------------------------------------------------------------
    @action("intro", owner="member_id")
    async def introduce(self, ctx: ActionContext, member_id: int) -> None:
        cfg = ctx.config.section("welcome", WelcomeConfig())
        channel = cfg.introductions.lstrip("#")
        await ctx.open_form(Form(f"Introduce yourself in #{channel}"[:45], self.action_id("introsave", member_id),
                                 fields=(FormField("name", "Your name", max_length=80),
                                         FormField("learn", "What do you want to learn?", max_length=300),
                                         FormField("timezone", "Your time zone", required=False, max_length=64,
                                                   placeholder="e.g. Europe/Berlin"))))

    @action("introsave", owner="member_id")
    async def introduction(self, ctx: ActionContext, member_id: int) -> None:
        """Posted for the member (pressing submit on a form that says where is their consent);
        only that they introduced themselves is stored, never what they wrote."""
        values = {k: (v or "").strip() for k, v in ctx.values.items()}
        if not values.get("name") or not values.get("learn"):
            raise UserError("your name and what you want to learn are both needed — press the button again")
        for key, what, limit in (("name", "your name", 80), ("learn", "what you want to learn", 300),
                                 ("timezone", "your time zone", 64)):
            if len(values.get(key, "")) > limit:
                raise UserError(f"{what} can be at most {limit} characters — press the button again")
        cfg = ctx.config.section("welcome", WelcomeConfig())
        first = await self.db.run(store.mark, ctx.community.id, member_id, "introduced_at", ctx.now())
        if first is False:
            raise UserError("you have already introduced yourself — say hello in any channel!")
        text = introduction_text(ctx.member.mention, values["name"], values["learn"],
                                 values.get("timezone", ""))
        await self.app.post(ctx.community, cfg.introductions, text)
        if first and not ctx.member.opted_out:
            await self.publish_activity("introduction", community_id=ctx.community.id, member_id=member_id,
                                        subject="welcome:introduction")
        await ctx.reply(f"Posted your introduction in #{cfg.introductions.lstrip('#')} — welcome!", ephemeral=True)

    @action("rules", owner="member_id")
    async def rules_read(self, ctx: ActionContext, member_id: int) -> None:
        first = await self.db.run(store.mark, ctx.community.id, member_id, "rules_read_at", ctx.now())
        await ctx.reply("Thanks — noted that you have read the rules." if first is not False
                        else "Already noted: you have read the rules.", ephemeral=True)

    # -- did they do anything since? (hot path: no database work unless a newcomer) --------
    @on_event(MessagePosted, ReactionAdded, Activity)
    async def active(self, ctx: EventContext, event: Any) -> None:
        waiting = self._newcomers.get(event.community_id)
        if not waiting or event.member_id not in waiting or ctx.member is None or ctx.member.opted_out:
            return
        waiting.discard(event.member_id)
        await self.db.run(store.mark, event.community_id, event.member_id, "first_active_at", event.at)

    # -- instructors ----------------------------------------------------------------------
    @command("report", access=Access.INSTRUCTOR, ephemeral=True)
    async def report(self, ctx: CommandContext,
                     days: Annotated[int, Help("How many days back (default 7)"), Min(1), Max(90)] = 7) -> None:
        """Who joined lately, who introduced themselves, who did nothing since (instructors)."""
        now = ctx.now()
        joiners = await self.db.read(store.joined_between, ctx.community.id, now - timedelta(days=days),
                                     now + timedelta(seconds=1))
        if not joiners:
            await ctx.reply(f"Nobody joined in the last {days} days.", ephemeral=True)
            return
        lines = report_lines(joiners, ctx.tz)
        if len(lines) > REPORT_SHOWN:
            lines = lines[:REPORT_SHOWN] + [f"… and {len(lines) - REPORT_SHOWN} more"]
        head = f"Joined in the last {days} days — {summary(*counts(joiners))}"
        await ctx.reply(Content(text="\n".join([head, *lines])), ephemeral=True)


