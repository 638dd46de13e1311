"""A released schedule version as a ``ScheduleSnapshot``, the one input of every export (frab
JSON and XML, iCal, widget JSON) and of the public schedule page. Only released versions: the
work-in-progress schedule is never read here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from catalog.talk.schedule_model import (
    Break,
    Conference,
    Room,
    ScheduleSnapshot,
    Speaker,
    Talk,
    Track,
    schedule_day,
)
from catalog.talk.tables import (
    talk_events,
    talk_rooms,
    talk_schedules,
    talk_slots,
    talk_speakers,
    talk_submission_speakers,
    talk_submission_types,
    talk_submissions,
    talk_tracks,
)

LATEST = "latest"


@dataclass(frozen=True, slots=True)
class ReleasedVersion:
    """Which released schedule a version name (or ``latest``) of an event stands for now."""

    schedule_id: str
    version: str


async def released_version(
    session: AsyncSession | AsyncConnection, event_slug: str, version: str = LATEST
) -> ReleasedVersion | None:
    """The released schedule ``version`` (``latest``: the newest) of the event names, in one
    query (a connection without a session will do); None when the event or the version does not
    exist, or nothing was released yet. ``released_snapshot(session, event_slug, found.version)``
    reads that very schedule."""
    query = (
        select(talk_schedules.c.id, talk_schedules.c.version)
        .join(talk_events, talk_events.c.id == talk_schedules.c.event_id)
        .where(talk_events.c.slug == event_slug, talk_schedules.c.version.is_not(None))
    )
    if version == LATEST:
        query = query.order_by(talk_schedules.c.released_at.desc()).limit(1)
    else:
        query = query.where(talk_schedules.c.version == version)
    row = (await session.execute(query)).first()
    return None if row is None else ReleasedVersion(row.id, row.version)


async def released_snapshot(
    session: AsyncSession, event_slug: str, version: str = LATEST, *, base_url: str = ""
) -> ScheduleSnapshot | None:
    """Version ``version`` (``latest``: the newest) of the event's released schedule; None when
    the event or the version does not exist, or nothing was released yet."""
    event = (
        await session.execute(select(talk_events).where(talk_events.c.slug == event_slug))
    ).first()
    if event is None:
        return None
    released = select(talk_schedules).where(
        talk_schedules.c.event_id == event.id, talk_schedules.c.version.is_not(None)
    )
    if version == LATEST:
        released = released.order_by(talk_schedules.c.released_at.desc()).limit(1)
    else:
        released = released.where(talk_schedules.c.version == version)
    schedule = (await session.execute(released)).first()
    if schedule is None:
        return None
    rooms = list(
        await session.execute(
            select(talk_rooms)
            .where(talk_rooms.c.event_id == event.id)
            .order_by(talk_rooms.c.sort_key, talk_rooms.c.name)
        )
    )
    tracks = list(
        await session.execute(select(talk_tracks).where(talk_tracks.c.event_id == event.id))
    )
    slots = list(
        await session.execute(
            select(
                talk_slots,
                talk_submissions.c.code,
                talk_submissions.c.title,
                talk_submissions.c.abstract,
                talk_submissions.c.description.label("talk_description"),
                talk_submissions.c.track_id,
                talk_submissions.c.language,
                talk_submissions.c.do_not_record,
                talk_submission_types.c.name.label("type_name"),
            )
            .outerjoin(talk_submissions, talk_submissions.c.id == talk_slots.c.submission_id)
            .outerjoin(
                talk_submission_types,
                talk_submission_types.c.id == talk_submissions.c.submission_type_id,
            )
            .where(talk_slots.c.schedule_id == schedule.id, talk_slots.c.starts_at.is_not(None))
            .order_by(talk_slots.c.starts_at)
        )
    )
    speakers = await _speakers(session, [s.submission_id for s in slots if s.submission_id])
    return _snapshot(event, schedule, rooms, tracks, slots, speakers, base_url)


def _snapshot(
    event: Any,
    schedule: Any,
    rooms: list[Any],
    tracks: list[Any],
    slots: list[Any],
    speakers: dict[str, list[Any]],
    base_url: str,
) -> ScheduleSnapshot:
    starts = [slot.starts_at for slot in slots] or [schedule.released_at]
    conference = Conference(
        slug=event.slug,
        title=event.name,
        timezone=event.timezone,
        version=schedule.version,
        start=min(starts).date(),
        end=max(starts).date(),
        base_url=base_url,
        released_at=schedule.released_at,
    )
    conference = _with_days(conference, slots)
    talks, breaks = [], []
    for slot in slots:
        duration = (slot.ends_at or slot.starts_at) - slot.starts_at
        if slot.submission_id is None:
            # A break without a room is a break in every room.
            for room_id in [slot.room_id] if slot.room_id else [r.id for r in rooms]:
                breaks.append(Break(room_id, slot.starts_at, duration, slot.description or "Break"))
            continue
        if slot.room_id is None:
            continue
        guid = uuid.UUID(slot.guid)
        talks.append(
            Talk(
                code=slot.code,
                id=guid.int % 1_000_000_000,  # frab wants a number: stable, from the guid
                guid=guid,
                title=slot.title,
                room=slot.room_id,
                start=slot.starts_at,
                duration=duration,
                abstract=slot.abstract,
                description=slot.talk_description,
                track=slot.track_id,
                type=slot.type_name or "Talk",
                language=slot.language or None,
                speakers=tuple(s.code for s in speakers.get(slot.submission_id, [])),
                do_not_record=bool(slot.do_not_record),
            )
        )
    people = {s.code: s for found in speakers.values() for s in found}
    return ScheduleSnapshot(
        conference=conference,
        rooms=tuple(Room(r.id, r.name, uuid.UUID(r.guid), capacity=r.capacity) for r in rooms),
        tracks=tuple(Track(t.id, t.name, t.color) for t in tracks),
        speakers=tuple(Speaker(p.code, p.name, p.biography, p.avatar_url) for p in people.values()),
        talks=tuple(talks),
        breaks=tuple(breaks),
    )


def _with_days(conference: Conference, slots: list[Any]) -> Conference:
    """The conference's first and last schedule day (day change and timezone applied)."""
    if not slots:
        return conference
    days = [schedule_day(conference, slot.starts_at) for slot in slots]
    return Conference(
        slug=conference.slug,
        title=conference.title,
        timezone=conference.timezone,
        version=conference.version,
        start=min(days),
        end=max(days),
        base_url=conference.base_url,
        released_at=conference.released_at,
    )


async def _speakers(session: AsyncSession, submission_ids: list[str]) -> dict[str, list[Any]]:
    if not submission_ids:
        return {}
    rows = await session.execute(
        select(talk_submission_speakers.c.submission_id, talk_speakers)
        .join(talk_speakers, talk_speakers.c.id == talk_submission_speakers.c.speaker_id)
        .where(
            talk_submission_speakers.c.submission_id.in_(sorted(set(submission_ids))),
            talk_submission_speakers.c.state == "accepted",
        )
        .order_by(talk_submission_speakers.c.invited_at)
    )
    found: dict[str, list[Any]] = {}
    for row in rows:
        found.setdefault(row.submission_id, []).append(row)
    return found


__all__ = ["LATEST", "ReleasedVersion", "released_snapshot", "released_version"]
