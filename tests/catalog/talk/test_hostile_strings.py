"""Quotes, markup, ampersands, newlines and unicode come out of every export as they went in."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

from icalendar import Calendar, vText

from catalog.talk.frab_json import dumps_frab_json, export_frab_json
from catalog.talk.frab_json_import import import_frab_json
from catalog.talk.frab_xml import export_frab_xml
from catalog.talk.ical import export_ical
from catalog.talk.widget_json import export_widget_json
from tests.catalog.talk.schedule_support import HOSTILE, c3voc_validator, small_snapshot


def test_hostile_strings_survive_the_frab_json_round_trip() -> None:
    snapshot = small_snapshot(HOSTILE)
    text = dumps_frab_json(snapshot)
    assert list(c3voc_validator().iter_errors(json.loads(text))) == []

    again = import_frab_json(text).snapshot

    assert again == replace(snapshot, breaks=())
    assert again.talks[0].title == f"Talk AAA111{HOSTILE}"


def test_hostile_strings_survive_the_xml_export() -> None:
    snapshot = small_snapshot(HOSTILE)

    root = ET.fromstring(export_frab_xml(snapshot))  # noqa: S314 - our own output

    assert root.findtext("conference/title") == f"DemoCon{HOSTILE}"
    room = root.find("day/room")
    assert room.get("name") == f"Room A{HOSTILE}"
    event = room.find("event")
    assert event.findtext("title") == f"Talk AAA111{HOSTILE}"
    assert event.findtext("abstract") == f"Abstract{HOSTILE}"
    assert event.findtext("description") == f"Description{HOSTILE}"
    assert event.findtext("room") == f"Room A{HOSTILE}"
    assert event.findtext("track") == f"Security{HOSTILE}"
    assert event.findtext("persons/person") == f"Jane Doe{HOSTILE}"


def test_xml_export_drops_characters_xml_cannot_carry() -> None:
    snapshot = small_snapshot("\x00\x07\x1b")

    root = ET.fromstring(export_frab_xml(snapshot))  # noqa: S314 - our own output

    assert root.findtext("day/room/event/title") == "Talk AAA111"


def test_hostile_strings_survive_the_ical_export() -> None:
    snapshot = small_snapshot(HOSTILE)

    calendar = Calendar.from_ical(export_ical(snapshot))

    # icalendar reads X- properties back without unescaping them: compare the escaped form.
    assert str(calendar["X-WR-CALNAME"]) == vText(f"DemoCon{HOSTILE} (0.3)").to_ical().decode()
    events = calendar.walk("VEVENT")

    first = next(e for e in events if str(e["UID"]).startswith(str(snapshot.talks[0].guid)))
    assert str(first["SUMMARY"]) == f"Talk AAA111{HOSTILE} - Jane Doe{HOSTILE}"
    assert str(first["DESCRIPTION"]) == f"Abstract{HOSTILE}"
    assert str(first["LOCATION"]) == f"Room A{HOSTILE}"


def test_hostile_strings_survive_the_widget_json() -> None:
    snapshot = small_snapshot(HOSTILE)

    widget = json.loads(json.dumps(export_widget_json(snapshot)))

    assert widget["talks"][0]["title"] == f"Talk AAA111{HOSTILE}"
    assert widget["rooms"][0]["name"] == f"Room A{HOSTILE}"
    assert widget["speakers"][0]["name"] == f"Jane Doe{HOSTILE}"
    assert export_frab_json(snapshot)["schedule"]["conference"]["title"] == f"DemoCon{HOSTILE}"
