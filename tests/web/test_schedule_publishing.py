"""A released talk schedule drives the live rooms: clients in a mapped room get its now/next."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from catalog.talk.schedules import release, schedule_talk, set_slot_stream
from catalog.talk.submissions import SubmissionState
from catalog.talk.tables import talk_rooms
from core.clock import utc_now
from tests.catalog.talk.talk_rows import make_event, make_room, make_submission
from tests.conftest import make_settings
from tests.live.conftest import FAST_COMMANDS, running_node
from web.schedule_publishing import publish_room_timelines

KEYNOTE_STREAM = "https://cdn.example.org/keynote/index.m3u8"


async def test_releasing_a_schedule_pushes_now_and_next_to_the_mapped_room(tmp_path: Path) -> None:
    settings = make_settings(data_dir=tmp_path, live=FAST_COMMANDS)
    async with running_node(settings) as node, node.attendee() as client:
        stage = client.room_id("Stage")
        await client.call("room.enter", {"room": stage})
        database, now = node.services.database, utc_now()
        async with database.transaction() as session:
            event_id = await make_event(session)
            room_id = await make_room(session, event_id, "Main hall")
            await session.execute(
                update(talk_rooms).where(talk_rooms.c.id == room_id).values(live_room_id=stage)
            )
            talk = await make_submission(
                session, event_id, SubmissionState.CONFIRMED, title="Opening keynote"
            )
            await schedule_talk(
                session, talk.id, room_id=room_id, starts_at=now + timedelta(hours=1), now=now
            )
            await set_slot_stream(session, talk.id, {"hls_url": KEYNOTE_STREAM}, now=now)
            version = await release(session, event_id, "v1", comment="", now=now)

        published = await publish_room_timelines(node.services, version.id, version.version)
        assert published == 1
        pushed = await client.push("room.schedule")
        assert pushed["now"] is None
        assert pushed["next"]["title"] == "Opening keynote"
        assert pushed["next"]["speakers"] == ["Jane Doe"]
        assert pushed["next"]["stream"] == {"hls_url": KEYNOTE_STREAM}
        entered = await client.call("room.enter", {"room": stage})
        assert entered["data"]["schedule"]["next"]["id"] == pushed["next"]["id"]
