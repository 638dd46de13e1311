"""``user.grant`` / ``user.revoke``: organizers give users roles for the event or one room.

Stored and audited first; then every socket of the user, on every node, takes the new roles and
gets its own ``event.updated`` view.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints

from live import socket_control, topic_names
from live.dispatch import HandlerContext, Payload, registry
from live.errors import UnknownRoomError
from live.handlers.room import RoomId
from live.handlers.targets import UserId, target_user
from live.permissions import Permission

Role = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.-]*$")
]


class GrantPayload(Payload):
    user: UserId
    role: Role
    room: RoomId | None = None


async def _set(ctx: HandlerContext, cmd: GrantPayload, *, granted: bool) -> dict[str, Any]:
    """Give or take back a role.

    Raises:
        DeniedError: the caller lacks ``event:update``.
        UnknownUserError / UnknownRoomError: no such user or room in this event.
    """
    session = ctx.session
    target = await target_user(ctx, cmd.user, Permission.EVENT_UPDATE)
    if cmd.room is not None and session.event.room(cmd.room) is None:
        raise UnknownRoomError(room=cmd.room)
    user = await ctx.live.users.set_grant(
        target, cmd.role, cmd.room, granted=granted, by=session.user.id
    )
    ctx.live.fanout.publish_control(topic_names.user(user.id), socket_control.regrant(user))
    return {
        "user": user.id,
        "event_roles": sorted(user.event_roles),
        "room_roles": {room: sorted(roles) for room, roles in user.room_roles.items()},
    }


@registry.command("user.grant", GrantPayload)
async def grant(ctx: HandlerContext, cmd: GrantPayload) -> dict[str, Any]:
    return await _set(ctx, cmd, granted=True)


@registry.command("user.revoke", GrantPayload)
async def revoke(ctx: HandlerContext, cmd: GrantPayload) -> dict[str, Any]:
    return await _set(ctx, cmd, granted=False)
