"""The public schedule exports: every format of the latest and of a named release, CORS open,
ETag caching, the c3voc schema, and nothing before a release (the WIP schedule is never public);
the per-node cache of rendered exports: new releases at once, content edits within its TTL."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from sqlalchemy import update

from catalog.talk.schedule_model import ScheduleSnapshot
from catalog.talk.schedules import add_break, release, schedule_talk
from catalog.talk.snapshots import released_snapshot
from catalog.talk.submissions import SubmissionState
from catalog.talk.tables import talk_submissions
from core.clock import utc_now
from core.database import Database
from tests.catalog.talk.schedule_support import c3voc_validator
from tests.catalog.talk.talk_rows import event_slug, make_event, make_room, make_submission
from tests.web.test_app import embedded_settings, running_client
from tests.web.test_render_cache import FakeClock
from web import schedule_exports
from web.app import create_app
from web.render_cache import RenderCache


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


def talk_titles(schedule_json: dict[str, Any]) -> list[str]:
    conference = schedule_json["schedule"]["conference"]
    return [
        e["title"] for day in conference["days"] for room in day["rooms"].values() for e in room
    ]


async def rename_talks(database: Database, event_id: str, title: str) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(talk_submissions)
            .where(talk_submissions.c.event_id == event_id)
            .values(title=title)
        )


@pytest.fixture
def snapshot_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The versions the exports read a whole snapshot of, in order."""
    reads: list[str] = []

    async def counted(session: Any, slug: str, version: str, **kw: Any) -> ScheduleSnapshot | None:
        reads.append(version)
        return await released_snapshot(session, slug, version, **kw)

    monkeypatch.setattr(schedule_exports, "released_snapshot", counted)
    return reads


async def test_a_cached_export_is_served_without_reading_the_snapshot_again(
    tmp_path: Path, snapshot_reads: list[str]
) -> None:
    app = create_app(embedded_settings(tmp_path))
    async with running_client(app) as client:
        database = app.state.services.database
        slug, event_id = await talk_event(database)
        async with database.transaction() as session:
            await release(session, event_id, "v1", comment="", now=utc_now())

        first = await client.get(f"/{slug}/schedule.json")
        again = await client.get(f"/{slug}/schedule.json")
        named = await client.get(f"/{slug}/schedule/v/v1/schedule.json")
        revalidated = await client.get(
            f"/{slug}/schedule.json", headers={"If-None-Match": first.headers["etag"]}
        )
        xml = await client.get(f"/{slug}/schedule.xml")
        other_host = await client.get(f"/{slug}/schedule.json", headers={"Host": "mirror.test"})

    # latest and v/v1 are the same release: one read; another format or base URL: one more each
    assert snapshot_reads == ["v1", "v1", "v1"]
    assert first.status_code == again.status_code == named.status_code == 200
    assert first.content == again.content == named.content
    assert first.headers == again.headers
    assert revalidated.status_code == 304
    assert revalidated.headers["etag"] == first.headers["etag"]
    assert revalidated.headers["access-control-allow-origin"] == "*"
    assert revalidated.headers["cache-control"] == "public, max-age=60"
    assert xml.status_code == 200
    assert b"http://mirror.test/" in other_host.content
    assert b"http://mirror.test/" not in first.content


async def test_a_new_release_shows_on_latest_at_once(tmp_path: Path) -> None:
    app = create_app(embedded_settings(tmp_path))
    async with running_client(app) as client:
        database = app.state.services.database
        slug, event_id = await talk_event(database)
        now = utc_now()
        async with database.transaction() as session:
            await release(session, event_id, "v1", comment="", now=now)
        v1 = await client.get(f"/{slug}/schedule/widget.json")
        v1_json = await client.get(f"/{slug}/schedule.json")
        async with database.transaction() as session:
            await release(session, event_id, "v2", comment="", now=now + timedelta(minutes=1))

        latest = await client.get(f"/{slug}/schedule/widget.json")
        latest_json = await client.get(f"/{slug}/schedule.json")
        revalidated = await client.get(
            f"/{slug}/schedule.json", headers={"If-None-Match": v1_json.headers["etag"]}
        )
        still_v1 = await client.get(f"/{slug}/schedule/v/v1/widget.json")

    assert (v1.json()["version"], latest.json()["version"]) == ("v1", "v2")
    assert latest_json.json()["schedule"]["version"] == "v2"
    assert revalidated.status_code == 200  # the old ETag no longer matches
    assert still_v1.json()["version"] == "v1"


async def test_talk_edits_after_a_release_show_once_the_ttl_passed(tmp_path: Path) -> None:
    app = create_app(embedded_settings(tmp_path))
    clock = FakeClock()
    schedule_exports.use_export_cache(
        app, RenderCache(ttl_s=schedule_exports.EXPORT_TTL_S, max_entries=8, clock=clock)
    )
    async with running_client(app) as client:
        database = app.state.services.database
        slug, event_id = await talk_event(database)
        async with database.transaction() as session:
            await release(session, event_id, "v1", comment="", now=utc_now())
        before = await client.get(f"/{slug}/schedule.json")
        await rename_talks(database, event_id, "Keynote, renamed")

        clock.now_s += schedule_exports.EXPORT_TTL_S - 0.5
        within = await client.get(f"/{slug}/schedule.json")
        clock.now_s += 0.5
        after = await client.get(f"/{slug}/schedule.json")
        old_etag = await client.get(
            f"/{slug}/schedule.json", headers={"If-None-Match": before.headers["etag"]}
        )

    assert talk_titles(before.json()) == talk_titles(within.json()) == ['Keynote "<&>"']
    assert talk_titles(after.json()) == ["Keynote, renamed"]
    assert old_etag.status_code == 200


async def test_without_the_cache_every_request_reads_the_snapshot(
    tmp_path: Path, snapshot_reads: list[str]
) -> None:
    app = create_app(embedded_settings(tmp_path))
    schedule_exports.use_export_cache(app, None)
    async with running_client(app) as client:
        database = app.state.services.database
        slug, event_id = await talk_event(database)
        async with database.transaction() as session:
            await release(session, event_id, "v1", comment="", now=utc_now())
        first = await client.get(f"/{slug}/schedule.json")
        again = await client.get(
            f"/{slug}/schedule.json", headers={"If-None-Match": first.headers["etag"]}
        )

    assert snapshot_reads == ["v1", "v1"]
    assert again.status_code == 304


async def test_unknown_events_and_versions_are_not_found_and_not_kept(tmp_path: Path) -> None:
    app = create_app(embedded_settings(tmp_path))
    async with running_client(app) as client:
        database = app.state.services.database
        slug, event_id = await talk_event(database)
        unreleased = await client.get(f"/{slug}/schedule.ics")
        async with database.transaction() as session:
            await release(session, event_id, "v1", comment="", now=utc_now())
        released = await client.get(f"/{slug}/schedule.ics")
        unknown_event = await client.get("/nobody/nothing/schedule.json")
        unknown_version = await client.get(f"/{slug}/schedule/v/v9/schedule.xml")

    for answer in (unreleased, unknown_event, unknown_version):
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "protocol.not_found"
        assert answer.json()["error"]["details"]["reason"] == "no released schedule"
    assert released.status_code == 200


@pytest.mark.postgres
async def test_releases_show_at_once_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    app = create_app(embedded_settings(tmp_path, db_url=postgres_url))
    async with running_client(app) as client:
        database = app.state.services.database
        slug, event_id = await talk_event(database)
        now = utc_now()
        async with database.transaction() as session:
            await release(session, event_id, "v1", comment="", now=now)
        v1 = await client.get(f"/{slug}/schedule.json")
        async with database.transaction() as session:
            await release(session, event_id, "v2", comment="", now=now + timedelta(minutes=1))
        v2 = await client.get(f"/{slug}/schedule.json")
        revalidated = await client.get(
            f"/{slug}/schedule.json", headers={"If-None-Match": v2.headers["etag"]}
        )
        unknown = await client.get(f"/{slug}/schedule/v/v9/schedule.json")

    assert (v1.json()["schedule"]["version"], v2.json()["schedule"]["version"]) == ("v1", "v2")
    assert revalidated.status_code == 304
    assert unknown.status_code == 404


async def test_a_release_gone_while_rendering_is_not_found_and_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def gone(*_args: Any, **_kw: Any) -> ScheduleSnapshot | None:
        return None

    app = create_app(embedded_settings(tmp_path))
    async with running_client(app) as client:
        database = app.state.services.database
        slug, event_id = await talk_event(database)
        async with database.transaction() as session:
            await release(session, event_id, "v1", comment="", now=utc_now())
        monkeypatch.setattr(schedule_exports, "released_snapshot", gone)
        vanished = await client.get(f"/{slug}/schedule/v/v1/schedule.json")
        monkeypatch.undo()
        back = await client.get(f"/{slug}/schedule/v/v1/schedule.json")

    assert vanished.status_code == 404
    assert vanished.json()["error"]["details"] == {
        "path": f"/{slug}/schedule/v/v1/schedule.json",
        "reason": "no released schedule",
    }
    assert back.status_code == 200
