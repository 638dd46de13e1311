"""``room.create`` / ``room.update`` / ``room.reorder`` / ``room.delete``: organizer-side room
changes. Each bumps the event's version, and every socket of the event gets its own
``event.updated`` view.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from core.errors import DeniedError, InvalidPayloadError
from live.access import Access
from live.dispatch import HandlerContext, Payload, registry
from live.errors import UnknownRoomError
from live.event_updates import announce_change
from live.handlers.room import RoomId
from live.models import Module, ModuleType, Requirement, Room
from live.permissions import Permission

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=5000)]


class ModulePayload(Payload):
    type: ModuleType
    config: dict[str, Any] = Field(default_factory=dict)


class CreatePayload(Payload):
    name: Name
    description: Description = ""
    modules: Annotated[list[ModulePayload], Field(max_length=20)] = Field(default_factory=list)
    trait_grants: dict[str, list[Requirement]] | None = None


class UpdatePayload(Payload):
    room: RoomId
    name: Name | None = None
    description: Description | None = None
    modules: Annotated[list[ModulePayload], Field(max_length=20)] | None = None
    trait_grants: dict[str, list[Requirement]] | None = None


class ReorderPayload(Payload):
    rooms: Annotated[list[RoomId], Field(min_length=1, max_length=1000)]


class RoomPayload(Payload):
    room: RoomId


async def current(ctx: HandlerContext) -> Access:
    """This user's access to the event as stored now (the session may lag behind a change)."""
    session = ctx.session
    event = await ctx.live.events.by_slug(session.event.slug)
    if event.version != session.event.version:
        session.refresh(event)
    return session.access


def require(access: Access, permission: Permission, room: Room | None = None) -> None:
    if not access.may(permission, room):
        raise DeniedError()


def event_room(access: Access, room_id: str) -> Room:
    """A room of the event, visible or not (organizers manage hidden rooms too)."""
    room = access.event.room(room_id)
    if room is None:
        raise UnknownRoomError(room=room_id)
    return room


def modules(items: list[ModulePayload]) -> list[Module]:
    return [Module(type=item.type, config=dict(item.config)) for item in items]


def announce(ctx: HandlerContext) -> None:
    announce_change(ctx.live.events, ctx.live.actors.topics, ctx.session.event)


@registry.command("room.create", CreatePayload)
async def create(ctx: HandlerContext, cmd: CreatePayload) -> dict[str, Any]:
    access = await current(ctx)
    require(access, Permission.EVENT_ROOMS_CREATE)
    event = access.event
    room_id = await ctx.live.events.add_room(
        event.id,
        cmd.name,
        modules(cmd.modules),
        description=cmd.description,
        trait_grants=cmd.trait_grants,
        sort_key=len(event.rooms) + 1,
        by=ctx.session.user.id,
    )
    announce(ctx)
    return {"room": {"id": room_id}}


@registry.command("room.update", UpdatePayload)
async def update(ctx: HandlerContext, cmd: UpdatePayload) -> dict[str, Any]:
    access = await current(ctx)
    room = event_room(access, cmd.room)
    require(access, Permission.ROOM_UPDATE, room)
    changes: dict[str, Any] = {
        key: value
        for key, value in (
            ("name", cmd.name),
            ("description", cmd.description),
            ("trait_grants", cmd.trait_grants),
        )
        if value is not None
    }
    if cmd.modules is not None:
        changes["modules"] = modules(cmd.modules)
    if changes:
        await ctx.live.events.update_room(
            ctx.session.event.id, room.id, changes, by=ctx.session.user.id
        )
        announce(ctx)
    return {"room": {"id": room.id}}


@registry.command("room.reorder", ReorderPayload)
async def reorder(ctx: HandlerContext, cmd: ReorderPayload) -> dict[str, Any]:
    access = await current(ctx)
    require(access, Permission.EVENT_UPDATE)
    known = {room.id for room in access.event.rooms}
    if set(cmd.rooms) != known or len(cmd.rooms) != len(known):
        raise InvalidPayloadError(
            errors=[{"field": "rooms", "message": "must list every room of the event once"}]
        )
    await ctx.live.events.reorder(ctx.session.event.id, cmd.rooms, by=ctx.session.user.id)
    announce(ctx)
    return {}


@registry.command("room.delete", RoomPayload)
async def delete(ctx: HandlerContext, cmd: RoomPayload) -> dict[str, Any]:
    access = await current(ctx)
    room = event_room(access, cmd.room)
    require(access, Permission.ROOM_DELETE, room)
    await ctx.live.events.delete_room(ctx.session.event.id, room.id, by=ctx.session.user.id)
    announce(ctx)
    return {}
