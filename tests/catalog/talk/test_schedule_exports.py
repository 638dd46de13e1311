"""schedule.xml, schedule.ics and the widget JSON, each read back by a real parser."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

from icalendar import Calendar

from catalog.talk.frab_json_import import import_frab_json
from catalog.talk.frab_xml import export_frab_xml
from catalog.talk.ical import export_ical
from catalog.talk.widget_json import export_widget_json
from tests.catalog.talk.schedule_support import load_example, small_snapshot


def parse_xml(body: bytes) -> ET.Element:
    # Our own export, not untrusted input: the stdlib parser is the point of the test.
    return ET.fromstring(body)  # noqa: S314


def test_xml_export_has_days_rooms_and_events() -> None:
    snapshot = small_snapshot()
    body = export_frab_xml(snapshot, generator_version="1.0")
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")

    root = parse_xml(body)

    assert root.tag == "schedule"
    assert root.findtext("version") == "0.3"
    assert root.findtext("conference/acronym") == "democon"
    assert root.findtext("conference/time_zone_name") == "Europe/Berlin"
    assert root.findtext("conference/days") == "2"
    days = root.findall("day")
    assert [d.attrib for d in days] == [
        {
            "index": "1",
            "date": "2026-03-28",
            "start": "2026-03-28T04:00:00+01:00",
            "end": "2026-03-29T04:00:00+02:00",
        },
        {
            "index": "2",
            "date": "2026-03-29",
            "start": "2026-03-29T04:00:00+02:00",
            "end": "2026-03-30T04:00:00+02:00",
        },
    ]
    room_b = days[0].findall("room")[1]
    assert room_b.attrib == {"name": "Room B"}
    event = room_b.find("event")
    assert event.attrib == {"guid": str(snapshot.talks[1].guid), "id": "2"}
    assert [event.findtext(n) for n in ("room", "title", "start", "duration", "date")] == [
        "Room B",
        "Talk BBB222",
        "11:00",
        "00:45",
        "2026-03-28T11:00:00+01:00",
    ]
    # The XSD wants numeric person ids; pretalx-style codes are left out.
    assert [(p.get("id"), p.text) for p in event.findall("persons/person")] == [
        (None, "Jane Doe"),
        (None, "Ada"),
    ]
    assert event.findtext("url") == "https://talk.example.org/democon/talk/BBB222/"
    assert event.findtext("recording/optout") == "false"
    late = days[1].find("room/event")
    assert late.find("links/link").attrib == {"href": "https://example.org/s.pdf"}
    assert late.findtext("links/link") == "Slides"


# The rules of c3voc's schedule.xml XSD (voc/schedule, validator/xsd/schedule.xml.xsd), which
# allows exactly these children and attributes.
CONFERENCE_CHILDREN = {
    "title",
    "acronym",
    "start",
    "end",
    "days",
    "timeslot_duration",
    "base_url",
    "time_zone_name",
}
EVENT_REQUIRED = {
    "room",
    "title",
    "subtitle",
    "type",
    "date",
    "start",
    "duration",
    "abstract",
    "slug",
    "track",
}
EVENT_OPTIONAL = {
    "logo",
    "persons",
    "language",
    "description",
    "recording",
    "links",
    "attachments",
    "video_download_url",
    "url",
}
DATE_TIME_TZ = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{1,2}:\d{2})$")
UUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


def assert_c3voc_xml(root: ET.Element) -> None:
    assert [child.tag for child in root][:3] == ["generator", "version", "conference"]
    assert {child.tag for child in root[3:]} == {"day"}
    conference = [child.tag for child in root.find("conference")]
    assert len(conference) == len(set(conference))
    assert set(conference) <= CONFERENCE_CHILDREN
    events = root.findall("day/room/event")
    for day in root.findall("day"):
        assert set(day.attrib) == {"index", "date", "start", "end"}
        assert DATE_TIME_TZ.match(day.get("start"))
        assert DATE_TIME_TZ.match(day.get("end"))
        assert all(set(room.attrib) == {"name"} for room in day)
    for event in events:
        assert set(event.attrib) == {"guid", "id"}
        assert UUID.match(event.get("guid"))
        assert int(event.get("id")) > 0
        children = [child.tag for child in event]
        assert len(children) == len(set(children))
        assert EVENT_REQUIRED <= set(children) <= EVENT_REQUIRED | EVENT_OPTIONAL
        assert DATE_TIME_TZ.match(event.findtext("date"))
        assert re.fullmatch(r"[0-2]\d:[0-5]\d", event.findtext("start"))
        assert re.fullmatch(r"\d{1,2}:\d{2}", event.findtext("duration"))
        assert event.findtext("recording/optout") in {"true", "false"}
        assert all(p.get("id", "1").isdigit() for p in event.findall("persons/person"))
    for key in ("guid", "id"):
        assert len({e.get(key) for e in events}) == len(events)
    assert len({e.findtext("slug") for e in events}) == len(events)


def test_xml_export_keeps_to_the_c3voc_xsd_rules() -> None:
    assert_c3voc_xml(parse_xml(export_frab_xml(small_snapshot())))


def test_xml_export_of_a_frab_import_keeps_numeric_person_ids() -> None:
    snapshot = import_frab_json(load_example("example-frab-camp2019.json")).snapshot

    root = parse_xml(export_frab_xml(snapshot))

    assert_c3voc_xml(root)
    assert len(root.findall("day/room/event")) == 79
    opening = next(e for e in root.iter("event") if e.get("id") == "10386")
    assert [(p.get("id"), p.text) for p in opening.findall("persons/person")] == [
        ("7797", "jinxx"),
        ("4827", "smtw"),
    ]


def test_ical_export_has_one_event_per_talk_in_the_conference_timezone() -> None:
    snapshot = small_snapshot()

    calendar = Calendar.from_ical(export_ical(snapshot))

    events = calendar.walk("VEVENT")
    assert len(events) == len(snapshot.talks)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    by_uid = {str(e["UID"]): e for e in events}
    for talk in snapshot.talks:
        event = by_uid[f"{talk.guid}@eventyay"]
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert event.decoded("DTSTART") == talk.start
        assert event.decoded("DTEND") - event.decoded("DTSTART") == talk.duration
        assert str(event["LOCATION"]) == snapshot.room_by_id()[talk.room].name
        assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    after_switch = by_uid[f"{snapshot.talks[3].guid}@eventyay"].decoded("DTSTART")
    assert after_switch.utcoffset() == timedelta(hours=2)
    assert str(by_uid[f"{snapshot.talks[1].guid}@eventyay"]["SUMMARY"]) == (
        "Talk BBB222 - Jane Doe, Ada"
    )


def test_ical_export_is_the_same_bytes_each_time() -> None:
    assert export_ical(small_snapshot()) == export_ical(small_snapshot())


def test_widget_json_lists_talks_breaks_rooms_tracks_speakers_and_version() -> None:
    snapshot = small_snapshot()

    widget = json.loads(json.dumps(export_widget_json(snapshot)))

    assert set(widget) == {
        "version",
        "timezone",
        "event_start",
        "event_end",
        "talks",
        "rooms",
        "tracks",
        "speakers",
    }
    assert (widget["version"], widget["timezone"]) == ("0.3", "Europe/Berlin")
    assert [t.get("code", t.get("slot_type")) for t in widget["talks"]] == [
        "AAA111",
        "BBB222",
        "break",
        "CCC333",
        "DDD444",
    ]
    first = widget["talks"][0]
    assert first == {
        "code": "AAA111",
        "id": 1,
        "guid": str(snapshot.talks[0].guid),
        "title": "Talk AAA111",
        "abstract": "Abstract",
        "speakers": ["JANE01"],
        "track": "Security",
        "room": "Room A",
        "start": "2026-03-28T10:00:00+01:00",
        "end": "2026-03-28T10:30:00+01:00",
        "duration": 30,
        "content_locale": "en",
        "do_not_record": False,
        "url": "https://talk.example.org/democon/talk/AAA111/",
    }
    assert widget["talks"][2] == {
        "title": "Break",
        "room": "Room A",
        "start": "2026-03-28T12:00:00+01:00",
        "end": "2026-03-28T13:00:00+01:00",
        "duration": 60,
        "slot_type": "break",
    }
    assert [r["id"] for r in widget["rooms"]] == ["Room A", "Room B"]
    assert widget["tracks"] == [{"id": "Security", "name": "Security", "color": "#3aa57c"}]
    assert [s["code"] for s in widget["speakers"]] == ["JANE01", "ADA002"]
