"""frab ``schedule.xml`` export within the c3voc XSD (``validator/xsd/schedule.xml.xsd``).

Built from the ``schedule.json`` document so both always agree; ElementTree does the escaping. The
XSD allows no extra attributes, so pretalx's room ``guid``, event ``code`` and conference ``track``
elements are left out (schedule.json carries them), and a person ``id`` only when it is a number.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from catalog.talk.frab_json import export_frab_json
from catalog.talk.schedule_model import ScheduleSnapshot

# XML 1.0 cannot carry these at all, not even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_HTTP = re.compile(r"^https?://")

_EVENT_FIELDS = (
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
)


def export_frab_xml(snapshot: ScheduleSnapshot, *, generator_version: str = "") -> bytes:
    """The ``schedule.xml`` document as UTF-8 bytes with an XML declaration."""
    document = export_frab_json(snapshot, generator_version=generator_version)
    schedule = document["schedule"]
    conference = schedule["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name="eventyay", version=_clean(generator_version))
    _text(root, "version", schedule["version"])
    _conference(root, schedule, conference)
    for day in conference["days"]:
        day_el = ET.SubElement(
            root,
            "day",
            index=str(day["index"]),
            date=day["date"],
            start=day["day_start"],
            end=day["day_end"],
        )
        for room_name, events in day["rooms"].items():
            room_el = ET.SubElement(day_el, "room", name=_clean(room_name))
            for event in events:
                _event(room_el, event)
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _conference(root: ET.Element, schedule: dict[str, Any], conference: dict[str, Any]) -> None:
    conf_el = ET.SubElement(root, "conference")
    _text(conf_el, "acronym", conference["acronym"])
    _text(conf_el, "title", conference["title"])
    _text(conf_el, "start", conference["start"])
    _text(conf_el, "end", conference["end"])
    _text(conf_el, "days", str(conference["daysCount"]))
    _text(conf_el, "timeslot_duration", conference["timeslot_duration"])
    if _HTTP.match(schedule.get("base_url", "")):
        _text(conf_el, "base_url", schedule["base_url"])
    _text(conf_el, "time_zone_name", conference["time_zone_name"])


def _event(room_el: ET.Element, event: dict[str, Any]) -> None:
    event_el = ET.SubElement(room_el, "event", guid=event["guid"], id=str(event["id"]))
    for name in _EVENT_FIELDS:
        _text(event_el, name, event[name] or "")
    persons_el = ET.SubElement(event_el, "persons")
    for person in event["persons"]:
        code = person.get("code", "")
        numeric = {"id": code} if code.isdigit() and int(code) > 0 else {}
        _text(persons_el, "person", person["name"], **numeric)
    _text(event_el, "language", event["language"] or "")
    _text(event_el, "description", event["description"] or "")
    recording = ET.SubElement(event_el, "recording")
    _text(recording, "license", event["recording_license"])
    _text(recording, "optout", "true" if event["do_not_record"] else "false")
    links_el = ET.SubElement(event_el, "links")
    for link in event["links"]:
        _text(links_el, "link", link.get("title", ""), href=link["url"])
    ET.SubElement(event_el, "attachments")
    if _HTTP.match(event["url"]):
        _text(event_el, "url", event["url"])


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attributes.items()})
    element.text = _clean(text)
    return element


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)
