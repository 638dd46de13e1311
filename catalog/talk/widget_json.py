"""pretalx-style widget JSON (``schedule/widget.json``): talks, breaks, rooms, tracks, speakers.

Ids are the snapshot's string ids (pretalx's are numbers); times are local ISO 8601 with offsets.
"""

from __future__ import annotations

from typing import Any

from catalog.talk.schedule_model import Break, ScheduleSnapshot, Talk


def export_widget_json(snapshot: ScheduleSnapshot) -> dict[str, Any]:
    """The widget document as a JSON-ready dict (what schedule widgets and live rooms read)."""
    conf = snapshot.conference
    slots: list[tuple[Any, dict[str, Any]]] = [
        (t.start, _talk(snapshot, t)) for t in snapshot.talks
    ]
    slots += [(b.start, _break(snapshot, b)) for b in snapshot.breaks]
    slots.sort(key=lambda pair: (pair[0], pair[1]["room"]))
    return {
        "version": conf.version,
        "timezone": conf.timezone,
        "event_start": conf.start.isoformat(),
        "event_end": conf.end.isoformat(),
        "talks": [slot for _, slot in slots],
        "rooms": [
            {"id": room.id, "name": room.name, "description": room.description}
            for room in snapshot.rooms
        ],
        "tracks": [
            {"id": track.id, "name": track.name, "color": track.color} for track in snapshot.tracks
        ],
        "speakers": [
            {
                "code": speaker.code,
                "name": speaker.name,
                "biography": speaker.biography,
                "avatar": speaker.avatar_url,
            }
            for speaker in snapshot.speakers
        ],
    }


def _talk(snapshot: ScheduleSnapshot, talk: Talk) -> dict[str, Any]:
    tz = snapshot.conference.tz
    return {
        "code": talk.code,
        "id": talk.id,
        "guid": str(talk.guid),
        "title": talk.title,
        "abstract": talk.abstract,
        "speakers": list(talk.speakers),
        "track": talk.track,
        "room": talk.room,
        "start": talk.start.astimezone(tz).isoformat(),
        "end": talk.end.astimezone(tz).isoformat(),
        "duration": int(talk.duration.total_seconds() // 60),
        "content_locale": talk.language,
        "do_not_record": talk.do_not_record,
        "url": talk.url,
    }


def _break(snapshot: ScheduleSnapshot, item: Break) -> dict[str, Any]:
    tz = snapshot.conference.tz
    return {
        "title": item.title,
        "room": item.room,
        "start": item.start.astimezone(tz).isoformat(),
        "end": item.end.astimezone(tz).isoformat(),
        "duration": int(item.duration.total_seconds() // 60),
        "slot_type": "break",
    }
