"""``user.ban`` / ``user.silence`` / ``user.reactivate``: moderators restrict other users.

The new state is stored and audited first; then every socket of the target, on every node, takes
it and gets ``connection.reload`` (a ban also closes them). Banned users are refused at connect;
silenced ones keep only reading permissions (``live.permissions``).
"""

from __future__ import annotations

from typing import Any

from core.errors import DeniedError
from live import socket_control, topic_names
from live.access import Access
from live.dispatch import HandlerContext, registry
from live.errors import SelfModerationError
from live.handlers.targets import TargetPayload, target_user
from live.models import User
from live.permissions import Permission
from live.user_service import Moderation


async def _moderate(ctx: HandlerContext, user_id: str, moderation: Moderation) -> dict[str, Any]:
    """Set ``user_id``'s moderation state and tell their sockets.

    Raises:
        DeniedError: the caller lacks ``event:users.manage``, or the target is a moderator or
            admin and the caller no admin.
        SelfModerationError: the caller named themselves.
        UnknownUserError: no such user in this event.
    """
    session = ctx.session
    target = await target_user(ctx, user_id, Permission.EVENT_USERS_MANAGE, SelfModerationError)
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
