"""Releasing a talk schedule makes the live rooms follow it: each mapped room's slots become
its ``TimelineActor``'s timeline. Here because it joins the talk catalog to the live core."""

from __future__ import annotations

from catalog.talk.room_timelines import RoomSlot, room_timelines
from live import TimelineActor
from live.timeline import TimelineSlot
from web.services import Services


def _timeline_slot(slot: RoomSlot) -> TimelineSlot:
    return TimelineSlot(
        id=slot.id,
        start=slot.start,
        end=slot.end,
        title=slot.title,
        kind=slot.kind,
        speakers=slot.speakers,
        track=slot.track,
    )


async def publish_room_timelines(services: Services, schedule_id: str, version: str) -> int:
    """Push schedule ``schedule_id`` (named ``version``) to every mapped live room; how many."""
    async with services.database.transaction() as session:
        timelines = await room_timelines(session, schedule_id)
    for live_room_id, slots in timelines.items():
        wire = [_timeline_slot(slot).wire() for slot in slots]
        timeline = services.actors.ref(TimelineActor, live_room_id)
        await timeline.ask(TimelineActor.publish, wire, version)
    return len(timelines)
