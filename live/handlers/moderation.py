"""``user.ban`` / ``user.silence`` / ``user.reactivate``: moderators restrict other users.

The new state is stored and audited first; then every socket of the target, on every node, takes
it and gets ``connection.reload`` (a ban also closes them). Banned users are refused at connect;
silenced ones keep only reading permissions (``live.permissions``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints

from core.errors import DeniedError
from live import socket_control, topic_names
from live.access import Access
from live.dispatch import HandlerContext, Payload, registry
from live.errors import SelfModerationError, UnknownUserError
from live.models import User
from live.permissions import Permission
from live.user_service import Moderation


class TargetPayload(Payload):
    user: Annotated[str, StringConstraints(min_length=1, max_length=64)]


async def _moderate(ctx: HandlerContext, user_id: str, moderation: Moderation) -> dict[str, Any]:
    """Set ``user_id``'s moderation state and tell their sockets.

    Raises:
        DeniedError: the caller lacks ``event:users.manage``, or the target is a moderator or
            admin and the caller no admin.
        SelfModerationError: the caller named themselves.
        UnknownUserError: no such user in this event.
    """
    session = ctx.session
    if not session.access.may(Permission.EVENT_USERS_MANAGE):
        raise DeniedError()
    if user_id == session.user.id:
        raise SelfModerationError()
    target = await ctx.live.users.by_id(session.event.id, user_id)
    if target is None:
        raise UnknownUserError(user=user_id)
    # Moderators may not restrict each other or admins; only admins (event:update) may.
    target_access = Access(session.event, target)
    if target_access.may(Permission.EVENT_USERS_MANAGE) and not session.access.may(
        Permission.EVENT_UPDATE
    ):
        raise DeniedError()
    if not _changes(target, moderation):
        return {}
    moderated = await ctx.live.users.set_moderation(target, moderation, by=session.user.id)
    ctx.live.fanout.publish_control(topic_names.user(target.id), socket_control.moderate(moderated))
    return {}


def _changes(target: User, moderation: Moderation) -> bool:
    # A ban outranks a silence: silencing a banned user leaves them banned.
    if target.moderation == "banned" and moderation == "silenced":
        return False
    return target.moderation != moderation


@registry.command("user.ban", TargetPayload)
async def ban(ctx: HandlerContext, cmd: TargetPayload) -> dict[str, Any]:
    return await _moderate(ctx, cmd.user, "banned")


@registry.command("user.silence", TargetPayload)
async def silence(ctx: HandlerContext, cmd: TargetPayload) -> dict[str, Any]:
    return await _moderate(ctx, cmd.user, "silenced")


@registry.command("user.reactivate", TargetPayload)
async def reactivate(ctx: HandlerContext, cmd: TargetPayload) -> dict[str, Any]:
    return await _moderate(ctx, cmd.user, "")
