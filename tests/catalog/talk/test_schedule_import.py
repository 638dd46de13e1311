"""Importing real frab schedules into an event: released as a version, exported again with the
same talks, guids, rooms and speakers; importing again updates instead of duplicating."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from catalog.talk.frab_json import export_frab_json
from catalog.talk.frab_json_import import import_frab_json
from catalog.talk.schedule_import import import_schedule
from catalog.talk.snapshots import released_snapshot
from catalog.talk.tables import talk_submissions
from core.clock import utc_now
from core.database import Database
from core.ids import new_id
from tests.catalog.talk.schedule_support import c3voc_validator, load_example

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


@pytest.mark.parametrize("example", ["example-pretalx-democon.json", "example-frab-camp2019.json"])
async def test_an_imported_schedule_is_released_and_exported_with_the_same_talks(
    database: Database, example: str
) -> None:
    imported = import_frab_json(load_example(example)).snapshot
    slug = f"import/{new_id()[:20]}"
    async with database.transaction() as session:
        report = await import_schedule(session, slug, imported, version="v1", now=utc_now())
        snapshot = await released_snapshot(session, slug)

    assert snapshot is not None
    assert (report.talks, report.speakers) == (len(imported.talks), len(imported.speakers))
    assert snapshot.conference.version == "v1"
    assert {(t.code, t.guid, t.title, t.start) for t in snapshot.talks} == {
        (t.code, t.guid, t.title, t.start) for t in imported.talks
    }
    rooms = {room.id: room.name for room in snapshot.rooms}
    imported_rooms = {room.id: room.name for room in imported.rooms}
    assert {(t.code, rooms[t.room]) for t in snapshot.talks} == {
        (t.code, imported_rooms[t.room]) for t in imported.talks
    }
    assert {s.name for s in snapshot.speakers} == {
        s.name for s in imported.speakers if any(s.code in t.speakers for t in imported.talks)
    }
    c3voc_validator().validate(export_frab_json(snapshot))


async def test_importing_again_updates_the_talks_and_releases_a_new_version(
    database: Database,
) -> None:
    imported = import_frab_json(load_example("example-pretalx-democon.json")).snapshot
    slug = f"import/{new_id()[:20]}"
    async with database.transaction() as session:
        await import_schedule(session, slug, imported, version="v1", now=utc_now())
        again = await import_schedule(session, slug, imported, version="v2", now=utc_now())
        talks = await session.scalar(
            select(func.count())
            .select_from(talk_submissions)
            .where(talk_submissions.c.event_id == again.event_id)
        )
    assert talks == len(imported.talks)
    assert again.version.version == "v2"
    changelog = again.version.changelog
    assert not any(changelog.get(kind) for kind in ("new", "canceled", "moved"))
