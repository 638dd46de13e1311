"""Importing a frab schedule.json over /api/v1: the real exports are released and come out of
the public schedule.json with the same talks; a faulty file is refused naming its JSON path and
leaves nothing behind; a mapped live room gets the imported timeline."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from catalog.talk.frab_json import export_frab_json
from catalog.talk.schedule_model import Conference, Room, ScheduleSnapshot, Speaker, Talk, talk_guid
from catalog.tickets.permissions import Permission
from core.clock import utc_now
from tests.catalog.talk.schedule_support import load_example
from tests.conftest import make_settings
from tests.live.conftest import FAST_COMMANDS, running_node
from tests.web.api.api_client import ApiClient
from tests.web.api.talk_event import TalkEvent

IMPORT = "schedules/import/"


def talks_of(document: dict[str, Any]) -> set[tuple[str, str, str, str, str]]:
    """(guid, title, date, room, persons) of every talk in a schedule.json."""
    return {
        (
            talk["guid"],
            talk["title"],
            talk["date"],
            talk["room"],
            ",".join(
                sorted(person.get("public_name") or person["name"] for person in talk["persons"])
            ),
        )
        for day in document["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for talk in room
    }


async def test_the_pretalx_export_is_imported_released_and_published(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)
    document = load_example("example-pretalx-democon.json")

    imported = await talk.call("POST", IMPORT, 201, json=document)
    public = await any_api.http.get(f"/{talk.org}/{talk.event}/schedule.json")
    again = await talk.call("POST", IMPORT + "?version=second&comment=again", 201, json=document)
    versions = await talk.call("GET", "schedules/", 200)
    submissions = await talk.call("GET", "submissions/?page_size=1", 200)

    assert public.status_code == 200
    assert talks_of(public.json()) == talks_of(document)
    assert imported["release"]["version"] == document["schedule"]["version"]
    assert imported["talks"] == len(talks_of(document))
    assert imported["rooms"] == 2
    assert imported["release"]["changelog"]["action"] == "create"
    assert (
        len([s for s in imported["release"]["slots"] if s["kind"] == "talk"]) == imported["talks"]
    )
    assert (again["release"]["version"], again["release"]["comment"]) == ("second", "again")
    assert again["release"]["changelog"]["new_talks"] == []
    assert [v["version"] for v in versions["results"]] == ["second", imported["release"]["version"]]
    assert submissions["count"] == imported["talks"]  # the second import updated, not duplicated


async def test_the_frab_camp_export_is_imported_with_what_was_tolerated(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)
    document = load_example("example-frab-camp2019.json")

    imported = await talk.call("POST", IMPORT + "?version=camp", 201, json=document)
    public = await api.http.get(f"/{talk.org}/{talk.event}/schedule/v/camp/schedule.json")

    assert talks_of(public.json()) == talks_of(document)
    assert any("acronym" in note for note in imported["tolerated"])


async def test_a_faulty_file_is_refused_naming_its_json_path(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)
    viewer = await api.token(talk.org, [Permission.SUBMISSIONS_VIEW])
    document = load_example("example-pretalx-democon.json")

    invalid = await talk.call("POST", IMPORT, 422, json=load_example("example-invalid.json"))
    no_days = await talk.call(
        "POST", IMPORT, 422,
        json={"schedule": {**document["schedule"], "conference": {
            **document["schedule"]["conference"], "days": "none"}}},
    )  # fmt: skip
    not_json = await talk.call("POST", IMPORT, 422, content=b"{not json", headers={**talk.headers})
    a_list = await talk.call("POST", IMPORT, 422, json=[document])
    denied = await talk.call("POST", IMPORT, 403, headers=viewer, json=document)
    await talk.call("POST", IMPORT + "?version=v1", 201, json=document)
    taken = await talk.call("POST", IMPORT + "?version=v1", 409, json=document)
    versions = await talk.call("GET", "schedules/", 200)

    assert invalid["error"] == {
        "code": "talk.invalid_schedule",
        "message": invalid["error"]["message"],
        "details": {
            "path": "$.schedule.conference.days[0].rooms.Winterchaos[0].id",
            "reason": "expected an integer, got string",
        },
    }
    assert no_days["error"]["details"]["path"] == "$.schedule.conference.days"
    assert not_json["error"]["code"] == "protocol.invalid_payload"
    assert a_list["error"]["code"] == "protocol.invalid_payload"
    assert denied["error"]["details"] == {"permission": "schedule.change"}
    assert taken["error"]["code"] == "talk.invalid_version"
    assert [v["version"] for v in versions["results"]] == ["v1"]  # refused imports left nothing


async def test_an_import_pushes_the_mapped_live_room(tmp_path: Path) -> None:
    settings = make_settings(data_dir=tmp_path, live=FAST_COMMANDS)
    start = utc_now().replace(microsecond=0) + timedelta(hours=1)
    snapshot = ScheduleSnapshot(
        conference=Conference(
            slug="importcon", title="ImportCon", timezone="UTC", version="from-frab",
            start=start.date(), end=(start + timedelta(days=1)).date(),
        ),
        rooms=(Room("Main", "Main"),),
        speakers=(Speaker("ada", "Ada Lovelace"),),
        talks=(
            Talk(
                code="ONE", id=1, guid=talk_guid("importcon", "ONE"), title="Imported keynote",
                room="Main", start=start, duration=timedelta(minutes=45), speakers=("ada",),
            ),
        ),
    )  # fmt: skip
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
        # The file's room is matched by name: this room, mapped to the live stage, is used.
        await talk.call("POST", "rooms/", 201, json={"name": "Main", "live_room": stage})

        imported = await talk.call(
            "POST", IMPORT, 201, json=json.loads(json.dumps(export_frab_json(snapshot)))
        )
        pushed = await client.push("room.schedule")

    assert imported["rooms"] == 1
    assert pushed["next"]["title"] == "Imported keynote"
    assert pushed["next"]["speakers"] == ["Ada Lovelace"]
