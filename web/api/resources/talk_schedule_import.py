"""``POST …/events/{event}/schedules/import/`` of a talk event: a frab ``schedule.json`` read by
``catalog.talk.import_frab_json`` and imported by ``import_schedule`` (as the ``eventyay schedule
import`` command does), which fills rooms and the work-in-progress slots and releases them as a
version. Once committed, talk rooms are mapped to live rooms of the same name and the mapped
rooms get their timelines, as after ``…/schedules/release/``."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, RootModel

from catalog.talk import import_frab_json, import_schedule
from catalog.tickets import Permission
from web.api.call import ApiCall
from web.api.registry import api
from web.api.resources.talk_schedules import SCHEDULES, TAG, VersionWithSlots, with_slots
from web.schedule_publishing import map_live_rooms, publish_room_timelines
from web.services import Services


class FrabDocument(RootModel[dict[str, Any]]):
    """A frab/pretalx ``schedule.json`` (the c3voc schema, ``https://c3voc.de/schedule/schema.json``);
    422 ``talk.invalid_schedule`` names the JSON path of the first unusable value
    (``details.path``, e.g. ``$.schedule.conference.days[0].rooms.Main[2].start``)."""


class ImportOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: Annotated[str, Field(max_length=100)] | None = Field(
        None, description="the release's version name (default: the file's)"
    )
    comment: Annotated[str, Field(max_length=10_000)] = "imported"


class ScheduleImported(BaseModel):
    rooms: int
    talks: int
    speakers: int
    breaks: int
    tolerated: list[str] = Field(
        description="deviations from the c3voc schema that were accepted, in words"
    )
    release: VersionWithSlots


@api.operation(
    "POST", SCHEDULES + "import/", summary="Import and release a frab schedule.json", tag=TAG,
    response=ScheduleImported, body=FrabDocument, query=ImportOptions,
    permission=Permission.SCHEDULE_CHANGE, status=201, talk=True,
)  # fmt: skip
async def import_frab_schedule(call: ApiCall) -> ScheduleImported:
    """Rooms, tracks and types are matched by name, speakers and talks by code (so importing
    again updates them); the work-in-progress slots become the file's. 409
    ``talk.invalid_version`` for a taken version name."""
    options = call.query_as(ImportOptions)
    imported = import_frab_json(call.body_as(FrabDocument).root)
    slug = f"{call.organizer.slug}/{call.event.slug}"
    report = await import_schedule(
        call.session, slug, imported.snapshot, version=options.version, comment=options.comment,
        now=call.now,
    )  # fmt: skip
    version = report.version
    services: Services = call.request.app.state.services

    async def publish() -> None:
        await map_live_rooms(services.database, slug)
        await publish_room_timelines(services, version.id, version.version)

    call.after_commit(publish)
    released = await with_slots(call, version)
    return ScheduleImported(
        rooms=report.rooms,
        talks=report.talks,
        speakers=report.speakers,
        breaks=report.breaks,
        tolerated=list(imported.tolerated),
        release=released,
    )
