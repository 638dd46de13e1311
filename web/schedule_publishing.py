"""Releasing a talk schedule makes the live rooms follow it: each mapped room's slots become
its timeline. Talk rooms map to the live rooms of the event with the same slug (set explicitly,
or matched by name). Here because it joins the talk catalog to the live core."""

from __future__ import annotations

from sqlalchemy import select, update

from actors import ActorSystem
from catalog.talk.room_timelines import RoomSlot, room_timelines
from catalog.talk.tables import talk_events, talk_rooms
from core.clock import utc_now
from core.database import Database
from live import EventService, TimelineActor
from live.errors import UnknownEventError
from live.timeline import Timeline, TimelineSlot
from live.timeline_store import save_timeline
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
        stream=slot.stream,
    )


async def map_live_rooms(database: Database, event_slug: str) -> int:
    """Map the event's unmapped talk rooms to the live rooms of the same name; how many."""
    try:
        event = await EventService(database).by_slug(event_slug)
    except UnknownEventError:
        return 0
    live_rooms = {room.name: room.id for room in event.rooms}
    mapped = 0
    async with database.transaction() as session:
        rooms = await session.execute(
            select(talk_rooms.c.id, talk_rooms.c.name)
            .join(talk_events, talk_events.c.id == talk_rooms.c.event_id)
            .where(talk_events.c.slug == event_slug, talk_rooms.c.live_room_id.is_(None))
        )
        for room_id, name in list(rooms):
            if name in live_rooms:
                await session.execute(
                    update(talk_rooms)
                    .where(talk_rooms.c.id == room_id)
                    .values(live_room_id=live_rooms[name])
                )
                mapped += 1
    return mapped


async def _timelines(database: Database, schedule_id: str) -> dict[str, list[dict[str, object]]]:
    async with database.transaction() as session:
        found = await room_timelines(session, schedule_id)
    return {room: [_timeline_slot(s).wire() for s in slots] for room, slots in found.items()}


async def publish_room_timelines(services: Services, schedule_id: str, version: str) -> int:
    """Push schedule ``schedule_id`` (named ``version``) to every mapped live room of a running
    node; how many rooms."""
    return await publish_through_actors(services.database, services.actors, schedule_id, version)


async def publish_through_actors(
    database: Database, actors: ActorSystem, schedule_id: str, version: str
) -> int:
    """Push a schedule to every mapped live room through its ``TimelineActor`` (clients in the
    room get it at once); how many rooms."""
    timelines = await _timelines(database, schedule_id)
    for live_room_id, wire in timelines.items():
        timeline = actors.ref(TimelineActor, live_room_id)
        await timeline.ask(TimelineActor.publish, wire, version)
    return len(timelines)


async def store_room_timelines(database: Database, schedule_id: str, version: str) -> int:
    """Store the mapped live rooms' timelines without a running node (embedded mode from the
    command line): each room's actor takes the new timeline up within one sweep."""
    timelines = await _timelines(database, schedule_id)
    async with database.transaction() as session:
        for live_room_id, wire in timelines.items():
            await save_timeline(session, live_room_id, Timeline.from_wire(wire), version, utc_now())
    return len(timelines)
