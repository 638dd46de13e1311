"""Finding the other user a command names: the caller's permission, not oneself, and existing.

Shared by the commands that act on another user (moderation, grants, blocks).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from core.errors import DeniedError, ProtocolError
from live.dispatch import HandlerContext, Payload
from live.errors import UnknownUserError
from live.models import User
from live.permissions import Permission

UserId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class TargetPayload(Payload):
    user: UserId


async def target_user(
    ctx: HandlerContext,
    user_id: str,
    permission: Permission,
    self_error: type[ProtocolError] | None = None,
) -> User:
    """The user ``user_id`` of this event, if the caller holds ``permission``.

    Raises:
        DeniedError: the caller lacks ``permission``.
        ProtocolError: ``self_error`` when the caller named themselves (if one is given).
        UnknownUserError: no such user in this event.
    """
    session = ctx.session
    if not session.access.may(permission):
        raise DeniedError()
    if self_error is not None and user_id == session.user.id:
        raise self_error()
    target = await ctx.live.users.by_id(session.event.id, user_id)
    if target is None:
        raise UnknownUserError(user=user_id)
    return target
