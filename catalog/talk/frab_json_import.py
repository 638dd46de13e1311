"""frab/pretalx ``schedule.json`` import: a document becomes a snapshot, or is refused with the
JSON path of the first unusable value. Pure: callers read files and store rooms and slots.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from catalog.talk.frab_json import ACRONYM_PATTERN, EVENT_SLUG_PATTERN
from catalog.talk.schedule_model import (
    Conference,
    Link,
    Room,
    ScheduleSnapshot,
    Speaker,
    Talk,
    Track,
    room_guid,
    talk_guid,
)
from core.errors import ProtocolError

_HHMM = re.compile(r"^(?:(\d+):)?(\d+):([0-5]\d)$")


class ScheduleImportError(ProtocolError):
    """Not a usable frab ``schedule.json``; ``details.path`` names the faulty spot."""

    code = "talk.invalid_schedule"
    status = 422
    default_message = "The schedule document is not valid"

    def __init__(self, *, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}", path=path, reason=reason)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The imported snapshot and, in words, each tolerated deviation from the c3voc schema."""

    snapshot: ScheduleSnapshot
    tolerated: tuple[str, ...] = ()


def import_frab_json(document: str | bytes | Mapping[str, Any]) -> ImportResult:
    """Read a frab/pretalx ``schedule.json`` into a snapshot.

    Raises ``ScheduleImportError`` naming the JSON path (``$.schedule.conference.days[0]...``) of
    the first value that cannot be used. Deviations that lose nothing (a non-matching acronym, a
    missing timezone or talk guid) are accepted and listed in ``ImportResult.tolerated``.
    Room and track ids are their names; talks come sorted by start, then code.
    """
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise ScheduleImportError(path="$", reason=f"not JSON ({exc})") from exc
    reader = _Importer()
    snapshot = reader.read(_obj(document, "$"))
    return ImportResult(snapshot=snapshot, tolerated=tuple(reader.tolerated))


class _Importer:
    def __init__(self) -> None:
        self.tolerated: list[str] = []
        self.rooms: dict[str, Room] = {}
        self.tracks: dict[str, Track] = {}
        self.speakers: dict[str, Speaker] = {}
        self.talks: list[Talk] = []
        self.odd_slugs = 0

    def read(self, document: Mapping[str, Any]) -> ScheduleSnapshot:
        schedule = _obj(document.get("schedule"), "$.schedule")
        conf_path = "$.schedule.conference"
        raw = _obj(schedule.get("conference"), conf_path)
        conference = self._conference(schedule, raw, conf_path)
        if schedule.get("rooms") is not None:
            self.tolerated.append("$.schedule.rooms: rooms listed outside the conference")
        for owner, path in ((raw, f"{conf_path}.rooms"), (schedule, "$.schedule.rooms")):
            for n, item in enumerate(_list(owner.get("rooms") or [], path)):
                self._room(conference, _obj(item, f"{path}[{n}]"), f"{path}[{n}]")
        for n, item in enumerate(_list(raw.get("tracks") or [], f"{conf_path}.tracks")):
            path = f"{conf_path}.tracks[{n}]"
            track = _obj(item, path)
            name = _str(track, "name", path)
            self.tracks.setdefault(
                name, Track(id=name, name=name, color=_opt_str(track, "color", path))
            )
        for n, item in enumerate(_list(raw.get("days"), f"{conf_path}.days")):
            self._day(conference, _obj(item, f"{conf_path}.days[{n}]"), f"{conf_path}.days[{n}]")
        conference = self._end_at_last_day(conference, raw["days"])
        if self.odd_slugs:
            self.tolerated.append(
                f"{self.odd_slugs} event slugs break the c3voc pattern (exports make new ones)"
            )
        return ScheduleSnapshot(
            conference=conference,
            rooms=tuple(self.rooms.values()),
            tracks=tuple(self.tracks.values()),
            speakers=tuple(self.speakers.values()),
            talks=tuple(sorted(self.talks, key=lambda talk: (talk.start, talk.code))),
        )

    def _end_at_last_day(self, conference: Conference, days: list[Any]) -> Conference:
        # frab writes the date the last day *ends* (after midnight) as the conference end.
        last = max((_date(day, "date", "$") for day in days), default=conference.end)
        if last >= conference.end:
            return conference
        self.tolerated.append(f"conference end {conference.end} is after the last day: {last} used")
        return replace(conference, end=last)

    def _conference(
        self, schedule: Mapping[str, Any], raw: Mapping[str, Any], path: str
    ) -> Conference:
        acronym = _str(raw, "acronym", path)
        if not ACRONYM_PATTERN.match(acronym):
            self.tolerated.append(f"{path}.acronym {acronym!r} does not match the c3voc pattern")
        timezone = _opt_str(raw, "time_zone_name", path)
        if not timezone:
            self.tolerated.append(f"{path}.time_zone_name missing: UTC assumed")
            timezone = "UTC"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ScheduleImportError(
                path=f"{path}.time_zone_name", reason=f"unknown timezone {timezone!r}"
            ) from exc
        slot = raw.get("timeslot_duration")
        return Conference(
            slug=acronym,
            title=_str(raw, "title", path),
            timezone=timezone,
            version=_str(schedule, "version", "$.schedule"),
            start=_date(raw, "start", path),
            end=_date(raw, "end", path),
            base_url=_opt_str(schedule, "base_url", "$.schedule"),
            url=_opt_str(schedule, "url", "$.schedule"),
            timeslot_duration=_duration(slot, f"{path}.timeslot_duration")
            if slot
            else timedelta(minutes=5),
        )

    def _room(self, conf: Conference, raw: Mapping[str, Any], path: str) -> Room:
        name = _str(raw, "name", path)
        if name in self.rooms:
            return self.rooms[name]
        guid = _uuid(raw["guid"], f"{path}.guid") if raw.get("guid") else room_guid(conf.slug, name)
        description = raw.get("description")
        capacity = raw.get("capacity")
        if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)):
            raise ScheduleImportError(path=f"{path}.capacity", reason="expected an integer or null")
        room = Room(
            id=name,
            name=name,
            guid=guid,
            description=description if isinstance(description, str) else "",
            capacity=capacity,
        )
        self.rooms[name] = room
        return room

    def _day(self, conf: Conference, raw: Mapping[str, Any], path: str) -> None:
        day = _date(raw, "date", path)
        rooms = _obj(raw.get("rooms"), f"{path}.rooms")
        for name, events in rooms.items():
            room_path = f"{path}.rooms{_key(name)}"
            room = self._room(conf, {"name": name}, room_path)
            for n, item in enumerate(_list(events, room_path)):
                self._event(conf, day, room, _obj(item, f"{room_path}[{n}]"), f"{room_path}[{n}]")

    def _event(
        self, conf: Conference, day: date, room: Room, raw: Mapping[str, Any], path: str
    ) -> None:
        talk_id = _int(raw, "id", path)
        if not EVENT_SLUG_PATTERN.match(_opt_str(raw, "slug", path)):
            self.odd_slugs += 1
        code = _opt_str(raw, "code", path) or str(talk_id)
        track_name = raw.get("track")
        if track_name is not None:
            track_name = _str(raw, "track", path)
            self.tracks.setdefault(track_name, Track(id=track_name, name=track_name))
        persons = _list(raw.get("persons", []), f"{path}.persons")
        speakers = tuple(
            self._person(_obj(p, f"{path}.persons[{n}]"), f"{path}.persons[{n}]")
            for n, p in enumerate(persons)
        )
        links = _list(raw.get("links") or [], f"{path}.links")
        do_not_record = raw.get("do_not_record")
        if do_not_record is not None and not isinstance(do_not_record, bool):
            raise ScheduleImportError(
                path=f"{path}.do_not_record", reason="expected true, false or null"
            )
        self.talks.append(
            Talk(
                code=code,
                id=talk_id,
                guid=self._talk_guid(conf, code, raw, path),
                title=_str(raw, "title", path),
                room=room.id,
                start=_event_start(conf, day, raw, path),
                duration=_duration(raw.get("duration"), f"{path}.duration"),
                subtitle=_opt_str(raw, "subtitle", path),
                abstract=_opt_str(raw, "abstract", path),
                description=_opt_str(raw, "description", path),
                track=track_name,
                type=_opt_str(raw, "type", path),
                language=_opt_str(raw, "language", path) or None,
                speakers=speakers,
                do_not_record=bool(do_not_record),
                url=_opt_str(raw, "url", path),
                links=tuple(
                    _read_link(_obj(item, f"{path}.links[{n}]"), f"{path}.links[{n}]")
                    for n, item in enumerate(links)
                ),
            )
        )

    def _talk_guid(
        self, conf: Conference, code: str, raw: Mapping[str, Any], path: str
    ) -> uuid.UUID:
        if raw.get("guid") is not None:
            return _uuid(raw["guid"], f"{path}.guid")
        self.tolerated.append(f"{path}.guid missing: derived from the event and code {code!r}")
        return talk_guid(conf.slug, code)

    def _person(self, raw: Mapping[str, Any], path: str) -> str:
        code = _opt_str(raw, "code", path) or _opt_str(raw, "guid", path)
        if not code:
            code = str(_int(raw, "id", path))
        name = _opt_str(raw, "name", path) or _str(raw, "public_name", path)
        avatar = _opt_str(raw, "avatar", path) or None
        speaker = Speaker(code, name, _opt_str(raw, "biography", path), avatar)
        self.speakers.setdefault(code, speaker)
        return code


def _read_link(raw: Mapping[str, Any], path: str) -> Link:
    return Link(
        url=_str(raw, "url", path),
        title=_opt_str(raw, "title", path),
        kind=_opt_str(raw, "type", path) or None,
    )


def _event_start(conf: Conference, day: date, raw: Mapping[str, Any], path: str) -> datetime:
    tz = ZoneInfo(conf.timezone)
    if raw.get("date") is not None:
        text = _str(raw, "date", path)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ScheduleImportError(
                path=f"{path}.date", reason=f"not an ISO 8601 date-time: {text!r}"
            ) from exc
        return moment if moment.tzinfo else moment.replace(tzinfo=tz)
    text = _str(raw, "start", path)
    match = _HHMM.match(text)
    if not match or match.group(1) is not None:
        raise ScheduleImportError(path=f"{path}.start", reason=f"expected HH:MM, got {text!r}")
    clock = time(int(match.group(2)), int(match.group(3)))
    on = day + timedelta(days=1) if clock < conf.day_change else day
    return datetime.combine(on, clock, tzinfo=tz)


def _key(name: str) -> str:
    return f".{name}" if name.isidentifier() else f"[{json.dumps(name, ensure_ascii=False)}]"


def _obj(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ScheduleImportError(path=path, reason=f"expected an object, got {_kind(value)}")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise ScheduleImportError(path=path, reason=f"expected an array, got {_kind(value)}")
    return value


def _str(raw: Mapping[str, Any], key: str, path: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise ScheduleImportError(
            path=f"{path}.{key}", reason=f"expected a string, got {_kind(value)}"
        )
    return value


def _opt_str(raw: Mapping[str, Any], key: str, path: str) -> str:
    return "" if raw.get(key) is None else _str(raw, key, path)


def _int(raw: Mapping[str, Any], key: str, path: str) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScheduleImportError(
            path=f"{path}.{key}", reason=f"expected an integer, got {_kind(value)}"
        )
    return value


def _date(raw: Mapping[str, Any], key: str, path: str) -> date:
    text = _str(raw, key, path)
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise ScheduleImportError(
            path=f"{path}.{key}", reason=f"not an ISO 8601 date: {text!r}"
        ) from exc


def _uuid(value: Any, path: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError, AttributeError) as exc:
        raise ScheduleImportError(path=path, reason=f"expected a UUID, got {value!r}") from exc


def _duration(value: Any, path: str) -> timedelta:
    match = _HHMM.match(value) if isinstance(value, str) else None
    if not match:
        raise ScheduleImportError(path=path, reason=f"expected a duration HH:MM, got {value!r}")
    days, hours, minutes = match.groups()
    if days is not None:  # pretalx writes "D:HH:MM" from one day on
        return timedelta(days=int(days), hours=int(hours), minutes=int(minutes))
    return timedelta(hours=int(hours), minutes=int(minutes))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array"}.get(
        type(value), "object" if isinstance(value, Mapping) else type(value).__name__
    )
