"""``…/events/{event}/schedules/`` of a talk event: released versions (newest first), the
work-in-progress slots, one version with its slots and changelog, and the release, which once
committed pushes the mapped live rooms' timelines (``web.schedule_publishing``)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from catalog.talk import (
    ScheduleVersion,
    Slot,
    get_version,
    release,
    released_versions,
    schedule_slots,
    wip_schedule_id,
)
from catalog.tickets import Permission
from web.api.call import ApiCall
from web.api.fields import Timestamp
from web.api.pages import Page
from web.api.registry import api
from web.schedule_publishing import publish_room_timelines
from web.services import Services

TAG = "talk"
SCHEDULES = "/organizers/{organizer}/events/{event}/schedules/"


class ScheduleSlot(BaseModel):
    id: str
    guid: str = Field(description="the slot's identity across versions")
    kind: str = Field(examples=["talk", "break"])
    submission: str | None = Field(description="the talk's submission code; null for a break")
    room: str | None = Field(description="the talk room's id; null: a break in every room")
    start: Timestamp | None
    end: Timestamp | None
    description: str
    stream: dict[str, Any] | None = Field(
        description="the slot's own stream (a livestream config); null: the room's"
    )


class Version(BaseModel):
    version: str
    released_at: Timestamp
    comment: str
    changelog: dict[str, Any] = Field(
        description="``action``, ``new_talks``, ``canceled_talks``, ``moved_talks``"
    )


class VersionWithSlots(Version):
    slots: list[ScheduleSlot]


class WipSchedule(BaseModel):
    slots: list[ScheduleSlot]


class ReleaseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Annotated[str, Field(max_length=100)]
    comment: Annotated[str, Field(max_length=10_000)] = ""


@api.operation(
    "GET", SCHEDULES, summary="List released schedule versions, newest first", tag=TAG,
    response=Version, paginated=True, talk=True,
)  # fmt: skip
async def list_schedules(call: ApiCall) -> Page:
    versions = await released_versions(call.session, call.event.id)
    shown = versions[call.page.offset : call.page.offset + call.page.page_size]
    return Page(len(versions), [_version(item) for item in shown])


@api.operation(
    "GET", SCHEDULES + "wip/", summary="Show the work-in-progress slots", tag=TAG,
    response=WipSchedule, permission=Permission.SCHEDULE_CHANGE, talk=True,
)  # fmt: skip
async def get_wip_schedule(call: ApiCall) -> WipSchedule:
    schedule_id = await wip_schedule_id(call.session, call.event.id, now=call.now)
    return WipSchedule(
        slots=[slot_out(slot) for slot in await schedule_slots(call.session, schedule_id)]
    )


@api.operation(
    "POST", SCHEDULES + "release/", summary="Release the work-in-progress schedule", tag=TAG,
    response=VersionWithSlots, body=ReleaseBody, permission=Permission.SCHEDULE_CHANGE,
    status=201, talk=True,
)  # fmt: skip
async def release_schedule(call: ApiCall) -> VersionWithSlots:
    """A new immutable version with its changelog (409 ``talk.invalid_version`` for an empty,
    reserved or taken name); once committed, the mapped live rooms get their timelines."""
    body = call.body_as(ReleaseBody)
    version = await release(
        call.session, call.event.id, body.version, comment=body.comment, now=call.now
    )
    services: Services = call.request.app.state.services

    async def publish() -> None:
        await publish_room_timelines(services, version.id, version.version)
        if services.talk_mail is not None:
            services.talk_mail.wake()  # the speakers' notices go out now, not at the next poll

    call.after_commit(publish)
    return await with_slots(call, version)


@api.operation(
    "GET", SCHEDULES + "{version}/", summary="Show a released version (or `latest`)", tag=TAG,
    response=VersionWithSlots, talk=True,
)  # fmt: skip
async def get_schedule(call: ApiCall) -> VersionWithSlots:
    return await with_slots(
        call, await get_version(call.session, call.event.id, call.path_param("version"))
    )


async def with_slots(call: ApiCall, version: ScheduleVersion) -> VersionWithSlots:
    slots = await schedule_slots(call.session, version.id)
    return VersionWithSlots(
        **_version(version).model_dump(), slots=[slot_out(slot) for slot in slots]
    )


def _version(version: ScheduleVersion) -> Version:
    return Version(
        version=version.version,
        released_at=version.released_at,
        comment=version.comment,
        changelog=version.changelog,
    )


def slot_out(slot: Slot) -> ScheduleSlot:
    return ScheduleSlot(
        id=slot.id,
        guid=slot.guid,
        kind="break" if slot.submission_id is None else "talk",
        submission=slot.code,
        room=slot.room_id,
        start=slot.starts_at,
        end=slot.ends_at,
        description=slot.description,
        stream=slot.stream,
    )
