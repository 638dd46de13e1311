"""frab/c3voc ``schedule.json`` export: schedule → conference → days → rooms keyed by name → events.

Pure transformation of a snapshot; serving, caching and import (``frab_json_import``) are elsewhere.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from datetime import date
from typing import Any

from catalog.talk.schedule_model import (
    Conference,
    Link,
    Room,
    ScheduleSnapshot,
    Speaker,
    Talk,
    Track,
    day_bounds,
    format_duration,
    room_guid,
    schedule_day,
    schedule_days,
)

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
CODE_PATTERN = re.compile(r"^[A-Z0-9]+$")
ACRONYM_PATTERN = re.compile(r"^[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?$")
EVENT_SLUG_PATTERN = re.compile(r"^[a-z0-9_-]+[a-z0-9]$")
_LINK_TYPES = {"slides", "paper", "web", "blog", "article", "media", "related", "activitypub"}


def export_frab_json(snapshot: ScheduleSnapshot, *, generator_version: str = "") -> dict[str, Any]:
    """The c3voc-valid ``schedule.json`` document (a JSON-ready dict) of a snapshot."""
    conf = snapshot.conference
    schedule: dict[str, Any] = {"version": conf.version}
    if conf.url:
        schedule["url"] = conf.url
    if conf.base_url:
        schedule["base_url"] = conf.base_url
    schedule["conference"] = _conference(snapshot)
    generator = {"name": "eventyay", "version": generator_version}
    return {"$schema": SCHEMA_URL, "generator": generator, "schedule": schedule}


def dumps_frab_json(snapshot: ScheduleSnapshot, *, generator_version: str = "") -> str:
    return json.dumps(export_frab_json(snapshot, generator_version=generator_version), indent=1)


def export_acronym(slug: str) -> str:
    """The conference slug as the c3voc acronym pattern allows it (lower case, ``_`` for others)."""
    if ACRONYM_PATTERN.match(slug):
        return slug
    cleaned = re.sub(r"[^a-z0-9_]", "_", slug.lower())
    return cleaned.ljust(4, "_")


def _conference(snapshot: ScheduleSnapshot) -> dict[str, Any]:
    conf = snapshot.conference
    days = schedule_days(snapshot)
    result: dict[str, Any] = {
        "acronym": export_acronym(conf.slug),
        "title": conf.title,
        "start": conf.start.isoformat(),
        "end": conf.end.isoformat(),
        "daysCount": len(days),
        "timeslot_duration": format_duration(conf.timeslot_duration),
        "time_zone_name": conf.timezone,
        "rooms": [_room(conf, room) for room in snapshot.rooms],
        "tracks": [_track(track) for track in snapshot.tracks],
        "days": _days(snapshot, days),
    }
    return result


def _room(conf: Conference, room: Room) -> dict[str, Any]:
    guid = room.guid or room_guid(conf.slug, room.id)
    result: dict[str, Any] = {"name": room.name, "guid": str(guid)}
    result["description"] = room.description or None
    result["capacity"] = room.capacity
    return result


def _track(track: Track) -> dict[str, Any]:
    result: dict[str, Any] = {"name": track.name}
    if track.color:
        result["color"] = track.color
    return result


def _days(snapshot: ScheduleSnapshot, days: list[date]) -> list[dict[str, Any]]:
    conf = snapshot.conference
    room_order = {room.id: n for n, room in enumerate(snapshot.rooms)}
    lookup = _Lookup(snapshot)
    talks = sorted(snapshot.talks, key=lambda t: (room_order.get(t.room, len(room_order)), t.start))
    by_day: dict[date, dict[str, list[dict[str, Any]]]] = {day: {} for day in days}
    for talk in talks:
        room_name = lookup.rooms[talk.room].name
        events = by_day[schedule_day(conf, talk.start)].setdefault(room_name, [])
        events.append(_event(conf, lookup, talk, room_name))
    result = []
    for index, day in enumerate(days, start=1):
        day_start, day_end = day_bounds(conf, day)
        result.append(
            {
                "index": index,
                "date": day.isoformat(),
                "day_start": day_start.isoformat(),
                "day_end": day_end.isoformat(),
                "rooms": by_day[day],
            }
        )
    return result


class _Lookup:
    """The snapshot's objects by id, built once per export."""

    def __init__(self, snapshot: ScheduleSnapshot) -> None:
        self.rooms = snapshot.room_by_id()
        self.tracks = snapshot.track_by_id()
        self.speakers = snapshot.speaker_by_code()


def _event(conf: Conference, lookup: _Lookup, talk: Talk, room_name: str) -> dict[str, Any]:
    local_start = talk.start.astimezone(conf.tz)
    track = lookup.tracks.get(talk.track) if talk.track else None
    event: dict[str, Any] = {"guid": str(talk.guid)}
    if CODE_PATTERN.match(talk.code):
        event["code"] = talk.code
    event |= {
        "id": talk.id,
        "date": local_start.isoformat(),
        "start": local_start.strftime("%H:%M"),
        "end": talk.end.astimezone(conf.tz).isoformat(),
        "duration": format_duration(talk.duration),
        "room": room_name,
        "slug": _event_slug(conf.slug, talk),
        "url": talk.url or (f"{conf.base_url}talk/{talk.code}/" if conf.base_url else ""),
        "title": talk.title,
        "subtitle": talk.subtitle,
        "track": track.name if track else None,
        "type": talk.type,
        "language": talk.language,
        "abstract": talk.abstract,
        "description": talk.description,
        "recording_license": "",
        "do_not_record": talk.do_not_record,
        "persons": [_person(lookup.speakers[code]) for code in talk.speakers],
        "links": [_link(link) for link in talk.links],
        "attachments": [],
    }
    return event


def _person(speaker: Speaker) -> dict[str, Any]:
    # pretalx style only: frab's integer ``id`` too would match both oneOf branches of the schema.
    person: dict[str, Any] = {"name": speaker.name, "public_name": speaker.name}
    if CODE_PATTERN.match(speaker.code):
        person["code"] = speaker.code
    else:
        person["guid"] = str(_person_guid(speaker.code))
    person["avatar"] = speaker.avatar_url
    person["biography"] = speaker.biography
    return person


def _person_guid(code: str) -> uuid.UUID:
    # Imported frab persons may be known by guid only: give it back as it came.
    try:
        return uuid.UUID(code)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"speaker:{code}")


def _link(link: Link) -> dict[str, Any]:
    result: dict[str, Any] = {"url": link.url, "title": link.title}
    if link.kind in _LINK_TYPES:
        result["type"] = link.kind
    return result


def _event_slug(event_slug: str, talk: Talk) -> str:
    ascii_title = unicodedata.normalize("NFKD", talk.title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    prefix = re.sub(r"[^a-z0-9_-]+", "-", event_slug.lower()).strip("-")
    return "-".join(part for part in (prefix, str(talk.id), words) if part)
