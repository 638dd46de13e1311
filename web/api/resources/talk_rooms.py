"""``…/events/{event}/rooms/`` of a talk event: its rooms and the live room each maps to (the room
whose timeline a release drives). A room still holding slots cannot be deleted."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row, delete, func, insert, select, update

from catalog.talk import UnknownTalkObjectError
from catalog.talk.tables import talk_rooms, talk_slots
from catalog.tickets import Permission
from core.ids import new_id
from web.api.call import ApiCall
from web.api.errors import ConflictError
from web.api.listing import fetch_page
from web.api.pages import Page
from web.api.registry import api

TAG = "talk"
ROOMS = "/organizers/{organizer}/events/{event}/rooms/"
ROOM = ROOMS + "{room}/"
Name = Annotated[str, Field(min_length=1, max_length=200)]
LiveRoom = Annotated[str, Field(min_length=1, max_length=32)]


class TalkRoom(BaseModel):
    id: str
    guid: str = Field(description="the room's stable public id (in the exports)")
    name: str
    capacity: int | None
    sort_key: int
    live_room: str | None = Field(description="the live room whose timeline this room drives")


class TalkRoomCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    capacity: Annotated[int, Field(ge=0)] | None = None
    sort_key: int = 0
    live_room: LiveRoom | None = None


class TalkRoomPatch(BaseModel):
    """Only the fields sent change; ``capacity`` or ``live_room`` null clears them."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    capacity: Annotated[int, Field(ge=0)] | None = None
    sort_key: int | None = None
    live_room: LiveRoom | None = None


@api.operation(
    "GET", ROOMS, summary="List talk rooms", tag=TAG, response=TalkRoom, paginated=True,
    talk=True,
)  # fmt: skip
async def list_rooms(call: ApiCall) -> Page:
    statement = (
        select(talk_rooms)
        .where(talk_rooms.c.event_id == call.event.id)
        .order_by(talk_rooms.c.sort_key, talk_rooms.c.name, talk_rooms.c.id)
    )
    count, rows = await fetch_page(call.session, statement, call.page)
    return Page(count, [_room(row) for row in rows])


@api.operation(
    "POST", ROOMS, summary="Create a talk room", tag=TAG, response=TalkRoom, body=TalkRoomCreate,
    permission=Permission.SCHEDULE_CHANGE, status=201, talk=True,
)  # fmt: skip
async def create_room(call: ApiCall) -> TalkRoom:
    body = call.body_as(TalkRoomCreate)
    room_id = new_id()
    await call.session.execute(
        insert(talk_rooms).values(
            id=room_id,
            event_id=call.event.id,
            guid=str(uuid.uuid4()),
            name=body.name,
            capacity=body.capacity,
            sort_key=body.sort_key,
            live_room_id=body.live_room,
        )
    )
    return _room(await _room_row(call, room_id))


@api.operation(
    "GET", ROOM, summary="Show a talk room", tag=TAG, response=TalkRoom, talk=True,
)  # fmt: skip
async def get_room(call: ApiCall) -> TalkRoom:
    return _room(await _room_row(call, call.path_param("room")))


@api.operation(
    "PATCH", ROOM, summary="Change a talk room", tag=TAG, response=TalkRoom, body=TalkRoomPatch,
    permission=Permission.SCHEDULE_CHANGE, talk=True,
)  # fmt: skip
async def patch_room(call: ApiCall) -> TalkRoom:
    row = await _room_row(call, call.path_param("room"))
    sent = call.body_as(TalkRoomPatch).model_dump(exclude_unset=True)
    if sent.get("name") is None:
        sent.pop("name", None)
    if sent.get("sort_key") is None:
        sent.pop("sort_key", None)
    if "live_room" in sent:
        sent["live_room_id"] = sent.pop("live_room")
    if sent:
        await call.session.execute(
            update(talk_rooms).where(talk_rooms.c.id == row.id).values(**sent)
        )
    return _room(await _room_row(call, row.id))


@api.operation(
    "DELETE", ROOM, summary="Delete a talk room without slots", tag=TAG,
    permission=Permission.SCHEDULE_CHANGE, status=204, talk=True,
)  # fmt: skip
async def delete_room(call: ApiCall) -> None:
    """A room with slots (in the WIP schedule or a released version) is ``409 api.conflict``."""
    row = await _room_row(call, call.path_param("room"))
    used = await call.session.scalar(
        select(func.count()).select_from(talk_slots).where(talk_slots.c.room_id == row.id)
    )
    if used:
        msg = "The room has slots in a schedule version"
        raise ConflictError(msg, slots=int(used))
    await call.session.execute(delete(talk_rooms).where(talk_rooms.c.id == row.id))


async def _room_row(call: ApiCall, room_id: str) -> Row[Any]:
    row = (
        await call.session.execute(
            select(talk_rooms).where(
                talk_rooms.c.id == room_id, talk_rooms.c.event_id == call.event.id
            )
        )
    ).first()
    if row is None:
        raise UnknownTalkObjectError(kind="room", id=room_id)
    return row


def _room(row: Row[Any]) -> TalkRoom:
    return TalkRoom(
        id=row.id,
        guid=row.guid,
        name=row.name,
        capacity=row.capacity,
        sort_key=row.sort_key,
        live_room=row.live_room_id,
    )
