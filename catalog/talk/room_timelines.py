"""What a released schedule runs in each live room: the slots of the rooms that map to live
rooms, with each talk's title, speakers and track. Read-only; publishing them to the live rooms
is the composition root's job (catalog never imports live)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.tables import (
    talk_rooms,
    talk_schedules,
    talk_slots,
    talk_speakers,
    talk_submission_speakers,
    talk_submissions,
    talk_tracks,
)


@dataclass(frozen=True, slots=True)
class RoomSlot:
    """One slot of a live room's timeline; ``id`` is the slot's guid (stable across versions)."""

    id: str
    start: datetime
    end: datetime
    title: str
    kind: str  # talk or break
    speakers: tuple[str, ...]
    track: str | None
    stream: dict[str, Any] | None = None


async def room_timelines(session: AsyncSession, schedule_id: str) -> dict[str, list[RoomSlot]]:
    """Live room id → its slots in a schedule version, for every talk room mapped to a live room
    (mapped rooms with nothing scheduled get an empty list, so their old timeline is cleared)."""
    event_id = (
        select(talk_schedules.c.event_id)
        .where(talk_schedules.c.id == schedule_id)
        .scalar_subquery()
    )
    rooms = await session.execute(
        select(talk_rooms.c.id, talk_rooms.c.live_room_id).where(
            talk_rooms.c.live_room_id.is_not(None), talk_rooms.c.event_id == event_id
        )
    )
    live_of = {room_id: live_room_id for room_id, live_room_id in rooms}
    slots = await session.execute(
        select(
            talk_slots.c.guid,
            talk_slots.c.room_id,
            talk_slots.c.starts_at,
            talk_slots.c.ends_at,
            talk_slots.c.description,
            talk_slots.c.stream,
            talk_submissions.c.id.label("submission_id"),
            talk_submissions.c.title,
            talk_tracks.c.name.label("track"),
        )
        .outerjoin(talk_submissions, talk_submissions.c.id == talk_slots.c.submission_id)
        .outerjoin(talk_tracks, talk_tracks.c.id == talk_submissions.c.track_id)
        .where(
            talk_slots.c.schedule_id == schedule_id,
            talk_slots.c.room_id.in_(sorted(live_of)),
            talk_slots.c.starts_at.is_not(None),
            talk_slots.c.ends_at.is_not(None),
        )
    )
    rows = list(slots)
    speakers = await _speaker_names(session, [r.submission_id for r in rows if r.submission_id])
    timelines: dict[str, list[RoomSlot]] = {live_room: [] for live_room in live_of.values()}
    for row in rows:
        talk = row.submission_id is not None
        timelines[live_of[row.room_id]].append(
            RoomSlot(
                id=row.guid,
                start=row.starts_at,
                end=row.ends_at,
                title=row.title if talk else (row.description or "Break"),
                kind="talk" if talk else "break",
                speakers=speakers.get(row.submission_id, ()) if talk else (),
                track=row.track,
                stream=row.stream,
            )
        )
    return timelines


async def _speaker_names(
    session: AsyncSession, submission_ids: list[str]
) -> dict[str, tuple[str, ...]]:
    if not submission_ids:
        return {}
    rows = await session.execute(
        select(talk_submission_speakers.c.submission_id, talk_speakers.c.name)
        .join(talk_speakers, talk_speakers.c.id == talk_submission_speakers.c.speaker_id)
        .where(
            talk_submission_speakers.c.submission_id.in_(sorted(set(submission_ids))),
            talk_submission_speakers.c.state == "accepted",
        )
        .order_by(talk_submission_speakers.c.submission_id, talk_submission_speakers.c.invited_at)
    )
    names: defaultdict[str, list[str]] = defaultdict(list)
    for submission_id, name in rows:
        names[submission_id].append(name)
    return {submission_id: tuple(found) for submission_id, found in names.items()}
