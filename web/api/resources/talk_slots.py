"""``…/events/{event}/schedules/wip/slots/`` and ``…/wip/breaks/`` of a talk event: the slots of
the work-in-progress schedule one by one — scheduling, moving and unscheduling talks, adding,
moving and deleting breaks, and a slot's own stream. The edits are ``catalog.talk``'s; they reach
the public schedule and the live rooms with the next release."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from catalog.talk import (
    move_slot,
    place_break,
    place_talk,
    remove_slot,
    schedule_slots,
    set_wip_slot_stream,
    wip_schedule_id,
    wip_slot,
)
from catalog.tickets import Permission
from web.api.call import ApiCall
from web.api.fields import Timestamp
from web.api.pages import Page
from web.api.registry import api
from web.api.resources.talk_patches import patch_changes
from web.api.resources.talk_schedules import SCHEDULES, TAG, ScheduleSlot, slot_out
from web.api.resources.talk_submissions import submission_row

SLOTS = SCHEDULES + "wip/slots/"
SLOT = SLOTS + "{slot}/"
BREAKS = SCHEDULES + "wip/breaks/"
Description = Annotated[str, Field(max_length=1_000)]
StreamValue = str | int | float | bool | None


class SlotFilters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    room: str | None = Field(None, description="a talk room's id")
    kind: Literal["talk", "break"] | None = None


class TalkSlotCreate(BaseModel):
    """Schedules an accepted or confirmed talk, or moves it when it has a slot already (409
    ``talk.not_schedulable`` for other states). It lasts its own duration, else its type's, unless
    ``duration_minutes`` is given."""

    model_config = ConfigDict(extra="forbid")

    submission: str = Field(description="the submission's code")
    room: str = Field(description="the talk room's id")
    start: Timestamp
    duration_minutes: Annotated[int, Field(ge=1, le=10_000)] | None = None


class BreakCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    room: str | None = Field(description="the talk room's id; null: a break in every room")
    start: Timestamp
    end: Timestamp
    description: Description = ""


class SlotPatch(BaseModel):
    """Only the fields sent change. A talk keeps its length when only ``start`` or ``room``
    change and needs a room; ``room`` null puts a break in every room; only breaks have a
    ``description``."""

    model_config = ConfigDict(extra="forbid")

    room: str | None = Field(None, description="the talk room's id")
    start: Timestamp | None = None
    end: Timestamp | None = None
    description: Description | None = None


class StreamBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stream: Annotated[dict[str, StreamValue], Field(max_length=20)] | None = Field(
        description='the slot\'s livestream config, e.g. {"hls_url": "https://…"}; '
        "null: the room's own"
    )


@api.operation(
    "GET", SLOTS, summary="List the work-in-progress slots", tag=TAG, response=ScheduleSlot,
    query=SlotFilters, permission=Permission.SCHEDULE_CHANGE, paginated=True, talk=True,
)  # fmt: skip
async def list_wip_slots(call: ApiCall) -> Page:
    filters = call.query_as(SlotFilters)
    schedule_id = await wip_schedule_id(call.session, call.event.id, now=call.now)
    slots = [
        slot
        for slot in await schedule_slots(call.session, schedule_id)
        if (filters.room is None or slot.room_id == filters.room)
        and (filters.kind is None or (slot.submission_id is None) == (filters.kind == "break"))
    ]
    shown = slots[call.page.offset : call.page.offset + call.page.page_size]
    return Page(len(slots), [slot_out(slot) for slot in shown])


@api.operation(
    "POST", SLOTS, summary="Schedule a talk (or move it)", tag=TAG, response=ScheduleSlot,
    body=TalkSlotCreate, permission=Permission.SCHEDULE_CHANGE, status=201, talk=True,
)  # fmt: skip
async def schedule_wip_talk(call: ApiCall) -> ScheduleSlot:
    body = call.body_as(TalkSlotCreate)
    submission = await submission_row(call, body.submission)
    slot = await place_talk(
        call.session, submission.id, room_id=body.room, starts_at=body.start, now=call.now,
        duration_minutes=body.duration_minutes,
    )  # fmt: skip
    return slot_out(slot)


@api.operation(
    "POST", BREAKS, summary="Add a break", tag=TAG, response=ScheduleSlot, body=BreakCreate,
    permission=Permission.SCHEDULE_CHANGE, status=201, talk=True,
)  # fmt: skip
async def add_wip_break(call: ApiCall) -> ScheduleSlot:
    body = call.body_as(BreakCreate)
    slot = await place_break(
        call.session, call.event.id, room_id=body.room, starts_at=body.start, ends_at=body.end,
        description=body.description, now=call.now,
    )  # fmt: skip
    return slot_out(slot)


@api.operation(
    "GET", SLOT, summary="Show a work-in-progress slot", tag=TAG, response=ScheduleSlot,
    permission=Permission.SCHEDULE_CHANGE, talk=True,
)  # fmt: skip
async def get_wip_slot(call: ApiCall) -> ScheduleSlot:
    return slot_out(
        await wip_slot(call.session, call.event.id, call.path_param("slot"), now=call.now)
    )


@api.operation(
    "PATCH", SLOT, summary="Move a talk or a break", tag=TAG, response=ScheduleSlot,
    body=SlotPatch, permission=Permission.SCHEDULE_CHANGE, talk=True,
)  # fmt: skip
async def patch_wip_slot(call: ApiCall) -> ScheduleSlot:
    changes = patch_changes(
        call.body_as(SlotPatch),
        nullable={"room"},
        names={"room": "room_id", "start": "starts_at", "end": "ends_at"},
    )
    slot = await move_slot(
        call.session, call.event.id, call.path_param("slot"), now=call.now, **changes
    )
    return slot_out(slot)


@api.operation(
    "DELETE", SLOT, summary="Unschedule a talk or delete a break", tag=TAG,
    permission=Permission.SCHEDULE_CHANGE, status=204, talk=True,
)  # fmt: skip
async def delete_wip_slot(call: ApiCall) -> None:
    """The talk keeps its state; released versions keep their slots."""
    await remove_slot(call.session, call.event.id, call.path_param("slot"), now=call.now)


@api.operation(
    "PUT", SLOT + "stream/", summary="Set a slot's own stream", tag=TAG, response=ScheduleSlot,
    body=StreamBody, permission=Permission.SCHEDULE_CHANGE, talk=True,
)  # fmt: skip
async def put_wip_slot_stream(call: ApiCall) -> ScheduleSlot:
    """From the next release, the live room shows this stream while the slot runs."""
    body = call.body_as(StreamBody)
    slot = await set_wip_slot_stream(
        call.session, call.event.id, call.path_param("slot"), body.stream, now=call.now
    )
    return slot_out(slot)
