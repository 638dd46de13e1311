"""``room.invite.create`` / ``.list`` / ``.revoke``: organizers hand out anonymous invites to one
room (codes that admit an anonymous user at connect; see ``live.invites``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from live.dispatch import HandlerContext, Payload, registry
from live.handlers.room import RoomId
from live.handlers.room_config import current, event_room, require
from live.invites import DEFAULT_VALID_DAYS, MAX_VALID_DAYS, InviteService
from live.models import Room
from live.permissions import Permission


class CreatePayload(Payload):
    room: RoomId
    valid_days: Annotated[int, Field(ge=1, le=MAX_VALID_DAYS)] = DEFAULT_VALID_DAYS


class ListPayload(Payload):
    room: RoomId


class RevokePayload(Payload):
    room: RoomId
    code: Annotated[str, Field(min_length=1, max_length=16)]


def service(ctx: HandlerContext) -> InviteService:
    return InviteService(ctx.live.database, ctx.live.users)


async def managed_room(ctx: HandlerContext, room_id: str) -> Room:
    """The room, if this user may manage it.

    Raises:
        UnknownRoomError: no such room in the event.
        DeniedError: the user lacks ``room:update`` there.
    """
    access = await current(ctx)
    room = event_room(access, room_id)
    require(access, Permission.ROOM_UPDATE, room)
    return room


@registry.command("room.invite.create", CreatePayload)
async def create(ctx: HandlerContext, cmd: CreatePayload) -> dict[str, Any]:
    room = await managed_room(ctx, cmd.room)
    session = ctx.session
    invite = await service(ctx).create(
        session.event.id, room.id, valid_days=cmd.valid_days, by=session.user.id
    )
    return {"invite": invite.public()}


@registry.command("room.invite.list", ListPayload)
async def list_invites(ctx: HandlerContext, cmd: ListPayload) -> dict[str, Any]:
    room = await managed_room(ctx, cmd.room)
    return {"invites": [invite.public() for invite in await service(ctx).of_room(room.id)]}


@registry.command("room.invite.revoke", RevokePayload)
async def revoke(ctx: HandlerContext, cmd: RevokePayload) -> dict[str, Any]:
    room = await managed_room(ctx, cmd.room)
    session = ctx.session
    invite = await service(ctx).revoke(session.event.id, room.id, cmd.code, by=session.user.id)
    return {"invite": invite.public()}
