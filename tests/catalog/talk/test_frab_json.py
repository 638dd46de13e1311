"""frab/c3voc schedule.json: export against the c3voc schema, import of real exports, round trip."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from catalog.talk.frab_json import export_frab_json
from catalog.talk.frab_json_import import ScheduleImportError, import_frab_json
from catalog.talk.schedule_model import schedule_days, talk_guid
from tests.catalog.talk.schedule_support import c3voc_validator, load_example, small_snapshot


def assert_valid(document: dict[str, Any]) -> None:
    errors = [f"{e.json_path}: {e.message}" for e in c3voc_validator().iter_errors(document)]
    assert errors == []


def test_export_validates_against_the_c3voc_schema() -> None:
    assert_valid(export_frab_json(small_snapshot()))


def test_export_buckets_days_from_the_day_change_and_keys_rooms_by_name() -> None:
    conference = export_frab_json(small_snapshot())["schedule"]["conference"]

    days = conference["days"]
    assert conference["daysCount"] == 2
    assert [(d["index"], d["date"], d["day_start"], d["day_end"]) for d in days] == [
        (1, "2026-03-28", "2026-03-28T04:00:00+01:00", "2026-03-29T04:00:00+02:00"),
        (2, "2026-03-29", "2026-03-29T04:00:00+02:00", "2026-03-30T04:00:00+02:00"),
    ]
    # 01:30 on the 29th is still the night of the 28th; summer time starts on the 29th.
    assert {room: [e["code"] for e in events] for room, events in days[0]["rooms"].items()} == {
        "Room A": ["AAA111", "CCC333"],
        "Room B": ["BBB222"],
    }
    assert list(days[1]["rooms"]) == ["Room A"]
    night, after_switch = days[0]["rooms"]["Room A"][1], days[1]["rooms"]["Room A"][0]
    assert (night["date"], night["start"]) == ("2026-03-29T01:30:00+01:00", "01:30")
    assert (after_switch["date"], after_switch["start"]) == ("2026-03-29T10:00:00+02:00", "10:00")
    assert after_switch["duration"] == "01:30"
    assert after_switch["end"] == "2026-03-29T11:30:00+02:00"


def test_export_event_carries_guid_persons_and_links() -> None:
    snapshot = small_snapshot()
    rooms = export_frab_json(snapshot)["schedule"]["conference"]["days"][0]["rooms"]
    event = rooms["Room B"][0]

    assert event["guid"] == str(snapshot.talks[1].guid)
    assert (event["id"], event["room"], event["start"], event["duration"]) == (
        2,
        "Room B",
        "11:00",
        "00:45",
    )
    assert event["slug"] == "democon-2-talk-bbb222"
    assert [p["code"] for p in event["persons"]] == ["JANE01", "ADA002"]
    assert event["persons"][1] == {
        "name": "Ada",
        "public_name": "Ada",
        "code": "ADA002",
        "avatar": "https://talk.example.org/a.png",
        "biography": "",
    }
    assert rooms["Room A"][0]["track"] == "Security"
    assert rooms["Room A"][1]["do_not_record"] is True


@pytest.mark.parametrize(
    ("name", "days", "rooms", "talks", "speakers", "tracks"),
    [
        ("example-pretalx-democon.json", 3, 2, 36, 27, 2),
        ("example-frab-camp2019.json", 5, 2, 79, 90, 7),
    ],
)
def test_import_reads_every_day_room_talk_and_speaker(
    name: str, days: int, rooms: int, talks: int, speakers: int, tracks: int
) -> None:
    document = load_example(name)
    events = [
        event
        for day in document["schedule"]["conference"]["days"]
        for room_events in day["rooms"].values()
        for event in room_events
    ]
    snapshot = import_frab_json(json.dumps(document)).snapshot

    assert len(document["schedule"]["conference"]["days"]) == days
    assert len(events) == talks
    assert len(schedule_days(snapshot)) == days
    assert (len(snapshot.rooms), len(snapshot.talks), len(snapshot.speakers)) == (
        rooms,
        talks,
        speakers,
    )
    assert len(snapshot.tracks) == tracks
    assert {str(t.guid) for t in snapshot.talks} == {e["guid"] for e in events}


def test_import_keeps_instants_and_timezone_of_a_frab_export() -> None:
    result = import_frab_json(load_example("example-frab-camp2019.json"))
    snapshot = result.snapshot
    opening = next(t for t in snapshot.talks if t.id == 10386)

    assert snapshot.conference.timezone == "Europe/Berlin"
    assert snapshot.conference.start == date(2019, 8, 21)
    assert opening.start == datetime(2019, 8, 21, 11, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert opening.duration == timedelta(minutes=30)
    assert opening.room == "Curie"
    assert [snapshot.speaker_by_code()[c].name for c in opening.speakers] == ["jinxx", "smtw"]
    # frab's "end" is the date the last night ends; the snapshot ends with the last day.
    assert snapshot.conference.end == date(2019, 8, 25)
    assert len(result.tolerated) == 3
    assert any("acronym 'Camp2019'" in note for note in result.tolerated)


def test_import_places_events_without_a_date_by_day_and_day_change() -> None:
    document = copy.deepcopy(load_example("example-pretalx-democon.json"))
    morning, night = document["schedule"]["conference"]["days"][0]["rooms"]["Gray Room"][:2]
    for event, start in ((morning, "09:00"), (night, "02:15")):
        del event["date"]
        event["start"] = start

    talks = {t.id: t for t in import_frab_json(document).snapshot.talks}

    utc = ZoneInfo("UTC")
    assert talks[morning["id"]].start == datetime(2020, 12, 14, 9, 0, tzinfo=utc)
    # Before the 04:00 day change: the night after the day's date.
    assert talks[night["id"]].start == datetime(2020, 12, 15, 2, 15, tzinfo=utc)


def test_import_refuses_the_invalid_example_naming_the_path() -> None:
    with pytest.raises(ScheduleImportError) as caught:
        import_frab_json(load_example("example-invalid.json"))

    path = "$.schedule.conference.days[0].rooms.Winterchaos[0].id"
    assert caught.value.details == {"path": path, "reason": "expected an integer, got string"}
    assert caught.value.code == "talk.invalid_schedule"
    assert caught.value.status == 422


def _break_democon(document: dict[str, Any], how: str) -> None:
    conference = document["schedule"]["conference"]
    event = conference["days"][1]["rooms"]["Gray Room"][2]
    if how == "conference":
        del document["schedule"]["conference"]
    elif how == "duration":
        event["duration"] = "half an hour"
    elif how == "guid":
        event["guid"] = "nope"
    elif how == "date":
        event["date"] = "yesterday"
    elif how == "person":
        event["persons"][0] = "Brian"
    elif how == "timezone":
        conference["time_zone_name"] = "Mars/Olympus"
    elif how == "days":
        conference["days"] = {}


ROOM_EVENT = '$.schedule.conference.days[1].rooms["Gray Room"][2]'


@pytest.mark.parametrize(
    ("how", "path"),
    [
        ("conference", "$.schedule.conference"),
        ("duration", f"{ROOM_EVENT}.duration"),
        ("guid", f"{ROOM_EVENT}.guid"),
        ("date", f"{ROOM_EVENT}.date"),
        ("person", f"{ROOM_EVENT}.persons[0]"),
        ("timezone", "$.schedule.conference.time_zone_name"),
        ("days", "$.schedule.conference.days"),
    ],
)
def test_import_names_the_json_path_of_bad_input(how: str, path: str) -> None:
    document = copy.deepcopy(load_example("example-pretalx-democon.json"))
    _break_democon(document, how)

    with pytest.raises(ScheduleImportError) as caught:
        import_frab_json(document)

    assert caught.value.details["path"] == path
    assert str(caught.value).startswith(f"{path}: ")


def test_import_derives_a_missing_talk_guid_from_event_and_code() -> None:
    document = copy.deepcopy(load_example("example-pretalx-democon.json"))
    event = document["schedule"]["conference"]["days"][0]["rooms"]["Tan Room"][0]
    del event["guid"]

    result = import_frab_json(document)

    talk = next(t for t in result.snapshot.talks if t.id == event["id"])
    assert talk.guid == talk_guid("democon", str(event["id"]))
    assert result.tolerated == (
        f'$.schedule.conference.days[0].rooms["Tan Room"][0].guid missing: derived from the '
        f"event and code '{event['id']}'",
    )


def test_import_refuses_text_that_is_not_json() -> None:
    with pytest.raises(ScheduleImportError) as caught:
        import_frab_json(b"{schedule")
    assert caught.value.details["path"] == "$"


def test_pretalx_export_round_trips_to_the_same_snapshot() -> None:
    first = import_frab_json(load_example("example-pretalx-democon.json"))
    exported = export_frab_json(first.snapshot)
    assert_valid(exported)

    again = import_frab_json(json.dumps(exported))

    assert again.snapshot == first.snapshot
    assert again.tolerated == ()
    assert export_frab_json(again.snapshot) == exported


def test_frab_export_round_trips_with_a_valid_acronym() -> None:
    first = import_frab_json(load_example("example-frab-camp2019.json")).snapshot
    exported = export_frab_json(first)
    assert_valid(exported)

    again = import_frab_json(json.dumps(exported)).snapshot

    assert again.conference == replace(first.conference, slug="camp2019")
    assert (again.rooms, again.tracks, again.speakers, again.talks) == (
        first.rooms,
        first.tracks,
        first.speakers,
        first.talks,
    )


def test_hand_built_snapshot_round_trips_except_breaks() -> None:
    snapshot = small_snapshot()

    again = import_frab_json(export_frab_json(snapshot)).snapshot

    assert again == replace(snapshot, breaks=())


def test_persons_known_by_guid_only_keep_it_through_a_round_trip() -> None:
    document = copy.deepcopy(load_example("example-frab-camp2019.json"))
    person = document["schedule"]["conference"]["days"][0]["rooms"]["Curie"][0]["persons"][0]
    del person["id"]
    person["guid"] = "5d9cd64e-7bd4-4d0b-9f37-7b0d3b3e4a11"
    first = import_frab_json(document).snapshot

    exported = export_frab_json(first)
    assert_valid(exported)
    again = import_frab_json(exported).snapshot

    assert again.speakers == first.speakers
    assert first.speakers[0].code == "5d9cd64e-7bd4-4d0b-9f37-7b0d3b3e4a11"
