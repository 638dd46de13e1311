"""The public schedule exports: every format of the latest and of a named release, CORS open,
ETag caching, the c3voc schema, and nothing before a release (the WIP schedule is never public)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import icalendar

from catalog.talk.schedules import add_break, release, schedule_talk
from catalog.talk.submissions import SubmissionState
from core.clock import utc_now
from core.database import Database
from tests.catalog.talk.schedule_support import c3voc_validator
from tests.catalog.talk.talk_rows import event_slug, make_event, make_room, make_submission
from tests.web.test_app import embedded_settings, running_client
from web.app import create_app


async def talk_event(database: Database) -> tuple[str, str]:
    """A talk event with one confirmed talk in the WIP schedule: its slug and event id."""
    now = utc_now()
    async with database.transaction() as session:
        event_id = await make_event(session)
        room_id = await make_room(session, event_id, "Main hall")
        talk = await make_submission(
            session, event_id, SubmissionState.CONFIRMED, title='Keynote "<&>"'
        )
        await schedule_talk(
            session, talk.id, room_id=room_id, starts_at=now + timedelta(days=1), now=now
        )
    return event_slug(event_id), event_id


async def test_released_schedules_are_exported_in_every_format(tmp_path: Path) -> None:
    app = create_app(embedded_settings(tmp_path))
    async with running_client(app) as client:
        database = app.state.services.database
        slug, event_id = await talk_event(database)
        before = await client.get(f"/{slug}/schedule.json")
        async with database.transaction() as session:
            await release(session, event_id, "v1", comment="first", now=utc_now())

        latest = await client.get(f"/{slug}/schedule.json")
        named = await client.get(f"/{slug}/schedule/v/v1/schedule.json")
        xml = await client.get(f"/{slug}/schedule.xml")
        ics = await client.get(f"/{slug}/schedule.ics")
        widget = await client.get(f"/{slug}/schedule/widget.json")
        cached = await client.get(
            f"/{slug}/schedule.json", headers={"If-None-Match": latest.headers["etag"]}
        )
        unknown = await client.get(f"/{slug}/schedule/v/v9/schedule.json")

    assert before.status_code == 404  # nothing released yet: the WIP schedule is not public
    assert latest.status_code == named.status_code == 200
    assert latest.headers["access-control-allow-origin"] == "*"
    assert latest.content == named.content
    c3voc_validator().validate(latest.json())
    conference = latest.json()["schedule"]["conference"]
    talks = [e for day in conference["days"] for room in day["rooms"].values() for e in room]
    assert [talk["title"] for talk in talks] == ['Keynote "<&>"']
    title = ET.fromstring(xml.content).find(".//event/title")  # noqa: S314 - our own export
    assert title is not None
    assert title.text == 'Keynote "<&>"'
    assert ics.headers["content-type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ['Keynote "<&>" - Jane Doe']
    assert widget.json()["version"] == "v1"
    assert cached.status_code == 304
    assert unknown.status_code == 404


async def test_a_break_for_all_rooms_is_in_every_room(tmp_path: Path) -> None:
    app = create_app(embedded_settings(tmp_path))
    async with running_client(app) as client:
        database = app.state.services.database
        slug, event_id = await talk_event(database)
        now = utc_now()
        async with database.transaction() as session:
            await make_room(session, event_id, "Side room")
            await add_break(
                session,
                event_id,
                room_id=None,
                starts_at=now + timedelta(days=1, hours=2),
                ends_at=now + timedelta(days=1, hours=3),
                description="Lunch",
                now=now,
            )
            await release(session, event_id, "v1", comment="", now=now)
        widget = (await client.get(f"/{slug}/schedule/widget.json")).json()

    lunches = [item for item in widget["talks"] if item.get("title") == "Lunch"]
    assert len(lunches) == 2
    assert {item["room"] for item in lunches} == {room["id"] for room in widget["rooms"]}
