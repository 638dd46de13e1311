"""``user.block`` / ``user.unblock`` / ``user.list.blocked``: each user's own list of blocked users.

A block is personal (not audited, no pushes) and stored by ``DirectChatService`` in
``user_blocks``; while it stands, no direct channel is created or written between the two users,
whichever of them blocks the other.
"""

from __future__ import annotations

from typing import Any

from core.errors import DeniedError
from live.direct_chat_service import DirectChatService
from live.dispatch import Empty, HandlerContext, registry
from live.errors import SelfBlockError
from live.handlers.targets import TargetPayload, target_user
from live.permissions import Permission


async def _target(ctx: HandlerContext, user_id: str) -> str:
    """Another user of this event whom the caller (who may see the event) blocks or unblocks."""
    target = await target_user(ctx, user_id, Permission.EVENT_VIEW, SelfBlockError)
    return target.id


@registry.command("user.block", TargetPayload)
async def block(ctx: HandlerContext, cmd: TargetPayload) -> dict[str, Any]:
    target = await _target(ctx, cmd.user)
    await DirectChatService(ctx.live.database).block(ctx.session.user.id, target)
    return {}


@registry.command("user.unblock", TargetPayload)
async def unblock(ctx: HandlerContext, cmd: TargetPayload) -> dict[str, Any]:
    target = await _target(ctx, cmd.user)
    await DirectChatService(ctx.live.database).unblock(ctx.session.user.id, target)
    return {}


@registry.command("user.list.blocked", Empty)
async def list_blocked(ctx: HandlerContext, cmd: Empty) -> dict[str, Any]:
    session = ctx.session
    if not session.access.may(Permission.EVENT_VIEW):
        raise DeniedError()
    return {"users": await DirectChatService(ctx.live.database).blocked_profiles(session.user.id)}
