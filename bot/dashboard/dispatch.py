"""Page actions go through the core's own dispatch: the same commands, buttons and checks
as chat. The page is one more platform client: an Invocation from the signed-in member whose
replies are collected and shown on the next page instead of posted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..access import Access
from ..ports import Invocation, MessageRef, Responder
from ..content import Content
from ..events import Origin
from ..models import Community, Member


@dataclass
class PageResponder(Responder):
    replies: list[Content] = field(default_factory=list)

    async def reply(self, content: Content, *, ephemeral: bool) -> MessageRef | None:
        self.replies.append(content)
        return None

    async def update(self, content: Content) -> None:
        self.replies.append(content)


def invocation(community: Community, member: Member, access: int) -> Invocation:
    origin = Origin(platform=community.platform, server_id=community.external_id, user_id=member.external_id,
                    user_name=member.display_name or None)
    return Invocation(origin=origin, access=Access(access), responder=PageResponder())


async def run_command(app: Any, community: Community, member: Member, access: int, text: str) -> list[Content]:
    inv = invocation(community, member, access)
    await app.handle_command_text(inv, text)
    assert isinstance(inv.responder, PageResponder)
    return inv.responder.replies


async def click(app: Any, community: Community, member: Member, access: int, action_id: str) -> list[Content]:
    inv = invocation(community, member, access)
    await app.handle_action(inv, action_id)
    assert isinstance(inv.responder, PageResponder)
    return inv.responder.replies
