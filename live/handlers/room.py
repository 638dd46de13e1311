"""``room.*``: entering and leaving rooms, live viewer counts, reactions."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints

from core.errors import DeniedError
from live import topic_names
from live.dispatch import HandlerContext, Payload, registry
from live.errors import UnknownReactionError, UnknownRoomError
from live.models import Room
from live.permissions import Permission
from live.room_actor import REACTIONS, RoomActor
from live.timeline_actor import TimelineActor

RoomId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class RoomPayload(Payload):
    room: RoomId


class ReactPayload(Payload):
    room: RoomId
    reaction: Annotated[str, StringConstraints(min_length=1, max_length=16)]


def visible_room(ctx: HandlerContext, room_id: str) -> Room:
    """The room if this user may see it.

    Raises:
        UnknownRoomError: no such room in the event.
        DeniedError: the user may not see it.
    """
    room = ctx.session.event.room(room_id)
    if room is None:
        raise UnknownRoomError(room=room_id)
    if not ctx.session.access.may(Permission.ROOM_VIEW, room):
        raise DeniedError()
    return room


def socket_ref(ctx: HandlerContext) -> str:
    return f"{ctx.live.actors.node_id}/{ctx.session.sid}"


@registry.command("room.enter", RoomPayload)
async def enter(ctx: HandlerContext, cmd: RoomPayload) -> dict[str, Any]:
    room = visible_room(ctx, cmd.room)
    session, fanout = ctx.session, ctx.live.fanout
    await fanout.listen(session.sid, topic_names.room(room.id))
    may_see_viewers = session.access.may(Permission.ROOM_VIEWERS, room)
    if may_see_viewers:
        await fanout.listen(session.sid, topic_names.room_moderators(room.id))
    actor = ctx.live.actors.ref(RoomActor, room.id)
    viewers = await actor.ask(RoomActor.enter, socket_ref(ctx), session.user.public())
    session.rooms.add(room.id)
    reply: dict[str, Any] = {"room": {"id": room.id, "viewers": viewers}}
    if may_see_viewers:
        reply["room"]["viewer_list"] = await actor.ask(RoomActor.viewers)
    timeline = ctx.live.actors.ref(TimelineActor, room.id)
    reply["schedule"] = await timeline.ask(TimelineActor.current)
    return reply


@registry.command("room.leave", RoomPayload)
async def leave(ctx: HandlerContext, cmd: RoomPayload) -> dict[str, Any]:
    await leave_room(ctx, cmd.room)
    return {}


async def leave_room(ctx: HandlerContext, room_id: str) -> None:
    """Leave one room (also on disconnect); leaving a room one is not in is a no-op."""
    session, fanout = ctx.session, ctx.live.fanout
    if room_id not in session.rooms:
        return
    session.rooms.discard(room_id)
    await fanout.unlisten(session.sid, topic_names.room(room_id))
    await fanout.unlisten(session.sid, topic_names.room_moderators(room_id))
    ctx.live.actors.ref(RoomActor, room_id).tell(RoomActor.leave, socket_ref(ctx), session.user.id)


@registry.command("room.react", ReactPayload)
async def react(ctx: HandlerContext, cmd: ReactPayload) -> dict[str, Any]:
    room = visible_room(ctx, cmd.room)
    if not ctx.session.access.may(Permission.ROOM_REACT, room):
        raise DeniedError()
    if cmd.reaction not in REACTIONS:
        raise UnknownReactionError(reaction=cmd.reaction, allowed=list(REACTIONS))
    if room.id not in ctx.session.rooms:
        msg = "Enter the room first"
        raise DeniedError(msg)
    ctx.live.actors.ref(RoomActor, room.id).tell(RoomActor.react, ctx.session.user.id, cmd.reaction)
    return {}
