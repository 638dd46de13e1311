"""Talk schedules over /api/v1: the work-in-progress slots, releases with their changelog (and
the refused names), released versions newest first, and a release driving a mapped live room."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx

from catalog.talk.schedules import add_break, schedule_talk
from catalog.talk.submissions import SubmissionState
from catalog.tickets.permissions import Permission
from core.clock import utc_now
from tests.catalog.talk.talk_rows import NOW, make_submission
from tests.conftest import make_settings
from tests.live.conftest import FAST_COMMANDS, running_node
from tests.web.api.api_client import ApiClient
from tests.web.api.talk_event import TalkEvent


async def test_wip_release_and_versions(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)
    room = await talk.call("POST", "rooms/", 201, json={"name": "Main hall"})
    start = NOW + timedelta(days=1)
    async with any_api.database.transaction() as session:
        keynote = await make_submission(
            session, talk.event_id, SubmissionState.CONFIRMED, title="Keynote"
        )
        await schedule_talk(session, keynote.id, room_id=room["id"], starts_at=start, now=NOW)
        await add_break(
            session, talk.event_id, room_id=None, starts_at=start + timedelta(hours=1),
            ends_at=start + timedelta(hours=2), description="Lunch", now=NOW,
        )  # fmt: skip

    wip = await talk.call("GET", "schedules/wip/", 200)
    first = await talk.call(
        "POST", "schedules/release/", 201, json={"version": "v1", "comment": "First"}
    )
    async with any_api.database.transaction() as session:
        await schedule_talk(
            session, keynote.id, room_id=room["id"], starts_at=start + timedelta(hours=3), now=NOW
        )
    second = await talk.call("POST", "schedules/release/", 201, json={"version": "v2"})
    listed = await talk.call("GET", "schedules/", 200)
    latest = await talk.call("GET", "schedules/latest/", 200)
    named = await talk.call("GET", "schedules/v1/", 200)
    unknown = await talk.call("GET", "schedules/v9/", 404)

    assert [(s["kind"], s["submission"], s["room"], s["description"]) for s in wip["slots"]] == [
        ("talk", keynote.code, room["id"], ""),
        ("break", None, None, "Lunch"),
    ]
    assert wip["slots"][0]["start"] == start.isoformat().replace("+00:00", "Z")
    assert first["version"] == "v1"
    assert first["comment"] == "First"
    assert first["changelog"]["action"] == "create"
    assert [t["code"] for t in first["changelog"]["new_talks"]] == [keynote.code]
    assert [s["guid"] for s in first["slots"]] == [s["guid"] for s in wip["slots"]]
    assert second["changelog"]["action"] == "update"
    assert [t["code"] for t in second["changelog"]["moved_talks"]] == [keynote.code]
    assert [v["version"] for v in listed["results"]] == ["v2", "v1"]
    assert listed["results"][0] == {k: v for k, v in second.items() if k != "slots"}
    assert latest == second
    assert named == first
    assert unknown["error"]["code"] == "talk.not_found"
    assert unknown["error"]["details"]["kind"] == "schedule"


async def test_release_names_are_checked(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)
    await talk.call("POST", "schedules/release/", 201, json={"version": "v1"})

    taken = await talk.call("POST", "schedules/release/", 409, json={"version": "v1"})
    reserved = await talk.call("POST", "schedules/release/", 409, json={"version": "latest"})
    empty = await talk.call("POST", "schedules/release/", 409, json={"version": " "})
    missing = await talk.call("POST", "schedules/release/", 422, json={})

    assert taken["error"]["code"] == "talk.invalid_version"
    assert [e["error"]["details"]["reason"] for e in (taken, reserved, empty)] == [
        "taken", "reserved", "empty",
    ]  # fmt: skip
    assert missing["error"]["code"] == "protocol.invalid_payload"


async def test_the_wip_schedule_and_releases_need_schedule_change(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)
    reader = await api.token(talk.org, [Permission.SUBMISSIONS_VIEW])

    listed = await talk.call("GET", "schedules/", 200, headers=reader)
    wip = await talk.call("GET", "schedules/wip/", 403, headers=reader)
    release = await talk.call(
        "POST", "schedules/release/", 403, headers=reader, json={"version": "v1"}
    )

    assert listed["count"] == 0
    assert wip["error"]["details"]["permission"] == "schedule.change"
    assert release["error"]["details"]["permission"] == "schedule.change"


async def test_a_release_through_the_api_pushes_the_mapped_live_room(tmp_path: Path) -> None:
    settings = make_settings(data_dir=tmp_path, live=FAST_COMMANDS)
    async with (
        running_node(settings) as node,
        node.attendee() as client,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=node.app), base_url="http://node.test"
        ) as http,
    ):
        stage = client.room_id("Stage")
        await client.call("room.enter", {"room": stage})
        talk = await TalkEvent.make(ApiClient(http, node.services.database))
        room = await talk.call("POST", "rooms/", 201, json={"name": "Main", "live_room": stage})
        now = utc_now()
        async with node.services.database.transaction() as session:
            keynote = await make_submission(
                session, talk.event_id, SubmissionState.CONFIRMED, title="Opening keynote"
            )
            await schedule_talk(
                session, keynote.id, room_id=room["id"], starts_at=now + timedelta(hours=1),
                now=now,
            )  # fmt: skip

        await talk.call("POST", "schedules/release/", 201, json={"version": "v1"})

        pushed = await client.push("room.schedule")
        assert pushed["now"] is None
        assert pushed["next"]["title"] == "Opening keynote"
        assert pushed["next"]["speakers"] == ["Jane Doe"]
