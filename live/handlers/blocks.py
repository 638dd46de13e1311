"""``user.block`` / ``user.unblock`` / ``user.list.blocked``: each user's own list of blocked users.

A block is personal (not audited, no pushes) and stored by ``DirectChatService`` in
``user_blocks``; while it stands, no direct channel is created or written between the two users,
whichever of them blocks the other.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints

from core.errors import DeniedError
from live.direct_chat_service import DirectChatService
from live.dispatch import Empty, HandlerContext, Payload, registry
from live.errors import SelfBlockError, UnknownUserError
from live.permissions import Permission


class TargetPayload(Payload):
    user: Annotated[str, StringConstraints(min_length=1, max_length=64)]


async def _target(ctx: HandlerContext, user_id: str) -> str:
    """The id of another user of this event whom the caller may block or unblock.

    Raises:
        DeniedError: the caller may not see the event.
        SelfBlockError: the caller named themselves.
        UnknownUserError: no such user in this event.
    """
    session = ctx.session
    if not session.access.may(Permission.EVENT_VIEW):
        raise DeniedError()
    if user_id == session.user.id:
        raise SelfBlockError()
    target = await ctx.live.users.by_id(session.event.id, user_id)
    if target is None:
        raise UnknownUserError(user=user_id)
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
