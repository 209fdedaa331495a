"""/dashboard: a one-time sign-in link for the member who asks, in this community."""

from __future__ import annotations

from typing import Any

from ..cog import Cog, command
from ..context import CommandContext
from . import tokens


class DashboardCog(Cog, name="dashboard"):
    """The web dashboard: the community at a glance."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self._secret: str | None = None

    @property
    def base_url(self) -> str:
        configured = getattr(self.app.settings, "dashboard_url", None)
        return (configured or self.app.web.public_url).rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    async def secret(self) -> str:
        if self._secret is None:
            configured = getattr(self.app.settings, "dashboard_secret", None)
            value = configured.get_secret_value() if configured is not None else None
            self._secret = value or await self._stored_secret()
        return self._secret

    async def _stored_secret(self) -> str:
        """Two processes asking at once both find no secret and both insert one: the loser's
        insert hits the primary key, and its second read finds the winner's secret."""
        from sqlalchemy.exc import IntegrityError

        for attempt in range(3):
            try:
                return await self.db.run(tokens.stored_secret)
            except IntegrityError:
                if attempt == 2:
                    raise
                self.log.info("another process created the dashboard secret at the same time; reading theirs")
        raise AssertionError("unreachable")

    def delete_member_data(self, session: Any, community_id: int, member_id: int) -> int:
        """Forget: the member's sign-in links and open sessions end with them."""
        from sqlalchemy import delete

        from .models import DashboardLink, DashboardSession

        removed = 0
        for model in (DashboardLink, DashboardSession):
            table = model.__table__  # type: ignore[attr-defined]
            result = session.execute(delete(table).where(table.c.community_id == community_id,
                                                         table.c.member_id == member_id))
            removed += result.rowcount or 0
        return removed

    @command(ephemeral=True)
    async def dashboard(self, ctx: CommandContext) -> None:
        """A private sign-in link to the web dashboard (one use, 10 minutes)."""
        secret = await self.secret()
        assert ctx.community.id is not None and ctx.member.id is not None
        token = await self.db.run(tokens.issue_link, secret, ctx.community.id, ctx.member.id, int(ctx.access),
                                  ctx.now())
        where = "the community overview" if ctx.access.value >= 1 else "your own activity and privacy settings"
        await ctx.reply(f"Your dashboard link (opens {where}; works once, for 10 minutes — don't share it):\n"
                        f"{self.base_url}/dashboard/login?t={token}", ephemeral=True)
