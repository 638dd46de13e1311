"""Plain frozen values of one published schedule snapshot: what exports read and imports build.

No I/O, no database: the talk domain turns its rows into a ``ScheduleSnapshot`` and hands it here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_DAY_CHANGE = time(4, 0)
"""frab/pretalx day boundary: a schedule day runs from 04:00 local time to 04:00 the next day."""

_EVENTYAY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://eventyay.com/talk/")


def event_namespace(event_slug: str) -> uuid.UUID:
    """The uuid5 namespace of one event; every guid of the event derives from it."""
    return uuid.uuid5(_EVENTYAY_NAMESPACE, event_slug)


def talk_guid(event_slug: str, code: str) -> uuid.UUID:
    """Stable talk guid: the same event and submission code give the same guid in every version."""
    return uuid.uuid5(event_namespace(event_slug), code)


def room_guid(event_slug: str, room_id: str) -> uuid.UUID:
    """Stable guid of a room that has none of its own."""
    return uuid.uuid5(event_namespace(event_slug), f"room:{room_id}")


@dataclass(frozen=True, slots=True)
class Conference:
    slug: str
    title: str
    timezone: str
    version: str
    start: date
    end: date
    base_url: str = ""
    url: str = ""
    day_change: time = DEFAULT_DAY_CHANGE
    timeslot_duration: timedelta = timedelta(minutes=5)
    released_at: datetime | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class Room:
    id: str
    name: str
    guid: uuid.UUID | None = None
    description: str = ""
    capacity: int | None = None


@dataclass(frozen=True, slots=True)
class Track:
    id: str
    name: str
    color: str = ""


@dataclass(frozen=True, slots=True)
class Speaker:
    code: str
    name: str
    biography: str = ""
    avatar_url: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    title: str = ""
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class Talk:
    """A scheduled talk; ``room``, ``track`` and ``speakers`` refer to the snapshot's objects.

    ``code`` is the stable submission code, ``id`` the numeric id frab consumers still require.
    """

    code: str
    id: int
    guid: uuid.UUID
    title: str
    room: str
    start: datetime
    duration: timedelta
    subtitle: str = ""
    abstract: str = ""
    description: str = ""
    track: str | None = None
    type: str = "Talk"
    language: str | None = None
    speakers: tuple[str, ...] = ()
    do_not_record: bool = False
    url: str = ""
    links: tuple[Link, ...] = ()

    def __post_init__(self) -> None:
        _check_slot(f"talk {self.code!r}", self.start, self.duration)

    @property
    def end(self) -> datetime:
        return self.start + self.duration


@dataclass(frozen=True, slots=True)
class Break:
    room: str
    start: datetime
    duration: timedelta
    title: str = "Break"

    def __post_init__(self) -> None:
        _check_slot(f"break in room {self.room!r}", self.start, self.duration)

    @property
    def end(self) -> datetime:
        return self.start + self.duration


@dataclass(frozen=True, slots=True)
class ScheduleSnapshot:
    conference: Conference
    rooms: tuple[Room, ...] = ()
    tracks: tuple[Track, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    talks: tuple[Talk, ...] = ()
    breaks: tuple[Break, ...] = ()

    def __post_init__(self) -> None:
        rooms, tracks = self.room_by_id(), self.track_by_id()
        speakers = self.speaker_by_code()
        for talk in self.talks:
            unknown = [code for code in talk.speakers if code not in speakers]
            if talk.room not in rooms or (talk.track and talk.track not in tracks) or unknown:
                msg = f"talk {talk.code!r} names a room, track or speaker not in the snapshot"
                raise ValueError(msg)
        for item in self.breaks:
            if item.room not in rooms:
                msg = f"break at {item.start.isoformat()} is in unknown room {item.room!r}"
                raise ValueError(msg)

    def room_by_id(self) -> dict[str, Room]:
        return {room.id: room for room in self.rooms}

    def track_by_id(self) -> dict[str, Track]:
        return {track.id: track for track in self.tracks}

    def speaker_by_code(self) -> dict[str, Speaker]:
        return {speaker.code: speaker for speaker in self.speakers}


def _check_slot(what: str, start: datetime, duration: timedelta) -> None:
    if start.tzinfo is None or start.utcoffset() is None:
        msg = f"{what} starts at a naive datetime; snapshots hold aware ones"
        raise ValueError(msg)
    if duration < timedelta(0):
        msg = f"{what} has a negative duration"
        raise ValueError(msg)


def schedule_day(conference: Conference, moment: datetime) -> date:
    """The schedule day of a moment: local date counted from ``day_change`` (frab semantics)."""
    local = moment.astimezone(conference.tz)
    shift = timedelta(hours=conference.day_change.hour, minutes=conference.day_change.minute)
    return (local - shift).date()


def day_bounds(conference: Conference, day: date) -> tuple[datetime, datetime]:
    """Start and end of a schedule day in the conference timezone (end = next day's start)."""
    start = datetime.combine(day, conference.day_change, tzinfo=conference.tz)
    end = datetime.combine(day + timedelta(days=1), conference.day_change, tzinfo=conference.tz)
    return start, end


def schedule_days(snapshot: ScheduleSnapshot) -> list[date]:
    """Every day from the conference start to its end, widened to cover talks outside that range."""
    first, last = snapshot.conference.start, snapshot.conference.end
    for talk in snapshot.talks:
        day = schedule_day(snapshot.conference, talk.start)
        first, last = min(first, day), max(last, day)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def format_duration(duration: timedelta) -> str:
    """``HH:MM`` (hours may exceed 23, never ``D:HH:MM``, so the c3voc pattern holds)."""
    minutes = int(duration.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
