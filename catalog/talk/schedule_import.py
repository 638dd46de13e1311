"""Importing a schedule snapshot (read from a frab ``schedule.json``) into an event: rooms, tracks,
types, speakers and confirmed talks are matched by name or code or created, the work-in-progress
schedule is replaced by the file's slots, and the result is released as a version — so organizers
moving from another system keep their talks' ids (guids) and codes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.event_setup import ensure_talk_event
from catalog.talk.schedule_model import ScheduleSnapshot, room_guid
from catalog.talk.schedules import ScheduleVersion, release, wip_schedule_id
from catalog.talk.submissions import SubmissionState
from catalog.talk.tables import (
    talk_rooms,
    talk_slots,
    talk_speakers,
    talk_submission_speakers,
    talk_submission_types,
    talk_submissions,
    talk_tracks,
)
from core.ids import new_id

DEFAULT_COLOR = "#888888"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did."""

    event_id: str
    version: ScheduleVersion
    rooms: int
    talks: int
    speakers: int
    breaks: int


async def import_schedule(
    session: AsyncSession,
    event_slug: str,
    snapshot: ScheduleSnapshot,
    *,
    version: str | None = None,
    comment: str = "imported",
    now: datetime,
) -> ImportReport:
    """Import ``snapshot`` into event ``event_slug`` (created if new) and release it as
    ``version`` (default: the file's version name).

    Raises:
        InvalidVersionError: the version name is empty or taken in this event.
    """
    event_id = await _event(session, event_slug, snapshot, now)
    guids = await _free_room_guids(session, snapshot, event_slug)
    rooms = await _by_name(
        session,
        talk_rooms,
        event_id,
        [(r.id, r.name) for r in snapshot.rooms],
        lambda rid, name: {"guid": guids[rid], "capacity": None, "sort_key": 0},
    )
    tracks = await _by_name(
        session,
        talk_tracks,
        event_id,
        [(t.id, t.name) for t in snapshot.tracks],
        lambda tid, name: {"color": _color(snapshot, tid)},
    )
    types = await _by_name(
        session,
        talk_submission_types,
        event_id,
        [(t.type, t.type) for t in snapshot.talks],
        lambda tid, name: {"default_duration_minutes": 30},
    )
    speakers = await _speakers(session, event_id, snapshot, now)
    wip = await wip_schedule_id(session, event_id, now=now)
    await session.execute(delete(talk_slots).where(talk_slots.c.schedule_id == wip))
    for talk in snapshot.talks:
        submission_id = await _submission(session, event_id, talk, types, tracks, now)
        await _speakers_of(session, submission_id, [speakers[c] for c in talk.speakers], now)
        await _slot(
            session,
            wip,
            submission_id,
            rooms[talk.room],
            str(talk.guid),
            talk.start,
            talk.start + talk.duration,
            "",
        )
    for item in snapshot.breaks:
        await _slot(
            session,
            wip,
            None,
            rooms[item.room],
            str(uuid.uuid4()),
            item.start,
            item.start + item.duration,
            item.title,
        )
    released = await release(
        session, event_id, version or snapshot.conference.version, comment=comment, now=now
    )
    return ImportReport(
        event_id, released, len(rooms), len(snapshot.talks), len(speakers), len(snapshot.breaks)
    )


async def _event(
    session: AsyncSession, slug: str, snapshot: ScheduleSnapshot, now: datetime
) -> str:
    conference = snapshot.conference
    return await ensure_talk_event(session, slug, conference.title, conference.timezone, now)


async def _by_name(
    session: AsyncSession,
    table: Any,
    event_id: str,
    wanted: list[tuple[str, str]],
    extra: Any,
) -> dict[str, str]:
    """The file's id → the stored row's id, matching rows of the event by name."""
    existing = {
        name: row_id
        for row_id, name in await session.execute(
            select(table.c.id, table.c.name).where(table.c.event_id == event_id)
        )
    }
    found: dict[str, str] = {}
    for file_id, name in wanted:
        if name not in existing:
            existing[name] = new_id()
            await session.execute(
                insert(table).values(
                    id=existing[name], event_id=event_id, name=name, **extra(file_id, name)
                )
            )
        found[file_id] = existing[name]
    return found


async def _free_room_guids(
    session: AsyncSession, snapshot: ScheduleSnapshot, event_slug: str
) -> dict[str, str]:
    """A guid for each room: the file's, unless another room (stored, or earlier in the file)
    has it already — room guids are global — then one derived from this event and the room."""
    wanted = [str(room.guid) for room in snapshot.rooms if room.guid is not None]
    taken = set(
        (
            await session.execute(select(talk_rooms.c.guid).where(talk_rooms.c.guid.in_(wanted)))
        ).scalars()
    )
    found: dict[str, str] = {}
    for room in snapshot.rooms:
        guid = None if room.guid is None else str(room.guid)
        if guid is None or guid in taken:
            guid = str(room_guid(event_slug, room.id))
        taken.add(guid)
        found[room.id] = guid
    return found


def _color(snapshot: ScheduleSnapshot, track_id: str) -> str:
    color = snapshot.track_by_id()[track_id].color
    return color if color.startswith("#") and len(color) == 7 else DEFAULT_COLOR


async def _speakers(
    session: AsyncSession, event_id: str, snapshot: ScheduleSnapshot, now: datetime
) -> dict[str, str]:
    existing = {
        code: row_id
        for row_id, code in await session.execute(
            select(talk_speakers.c.id, talk_speakers.c.code).where(
                talk_speakers.c.event_id == event_id
            )
        )
    }
    for speaker in snapshot.speakers:
        values = {
            "name": speaker.name,
            "biography": speaker.biography,
            "avatar_url": speaker.avatar_url,
        }
        if speaker.code in existing:
            await session.execute(
                update(talk_speakers)
                .where(talk_speakers.c.id == existing[speaker.code])
                .values(**values)
            )
            continue
        existing[speaker.code] = new_id()
        await session.execute(
            insert(talk_speakers).values(
                id=existing[speaker.code],
                event_id=event_id,
                code=speaker.code[:16],
                account_id=None,
                email=f"{speaker.code[:16]}@speakers.invalid",
                created_at=now,
                **values,
            )
        )
    return existing


async def _submission(
    session: AsyncSession,
    event_id: str,
    talk: Any,
    types: dict[str, str],
    tracks: dict[str, str],
    now: datetime,
) -> str:
    values = {
        "title": talk.title[:300],
        "abstract": talk.abstract,
        "description": talk.description,
        "submission_type_id": types[talk.type],
        "track_id": None if talk.track is None else tracks[talk.track],
        "language": talk.language or "en",
        "state": SubmissionState.CONFIRMED.value,
        "duration_minutes": int(talk.duration.total_seconds() // 60),
        "do_not_record": talk.do_not_record,
        "updated_at": now,
    }
    found = await session.scalar(
        select(talk_submissions.c.id).where(
            talk_submissions.c.event_id == event_id, talk_submissions.c.code == talk.code[:16]
        )
    )
    if found is not None:
        await session.execute(
            update(talk_submissions).where(talk_submissions.c.id == found).values(**values)
        )
        return str(found)
    submission_id = new_id()
    await session.execute(
        insert(talk_submissions).values(
            id=submission_id, event_id=event_id, code=talk.code[:16], created_at=now, **values
        )
    )
    return submission_id


async def _speakers_of(
    session: AsyncSession, submission_id: str, speaker_ids: list[str], now: datetime
) -> None:
    await session.execute(
        delete(talk_submission_speakers).where(
            talk_submission_speakers.c.submission_id == submission_id
        )
    )
    for speaker_id in speaker_ids:
        email = await session.scalar(
            select(talk_speakers.c.email).where(talk_speakers.c.id == speaker_id)
        )
        await session.execute(
            insert(talk_submission_speakers).values(
                id=new_id(),
                submission_id=submission_id,
                speaker_id=speaker_id,
                email=email,
                state="accepted",
                invite_token_hash=None,
                invited_at=now,
                accepted_at=now,
            )
        )


async def _slot(
    session: AsyncSession,
    schedule_id: str,
    submission_id: str | None,
    room_id: str,
    guid: str,
    starts_at: datetime,
    ends_at: datetime,
    description: str,
) -> None:
    await session.execute(
        insert(talk_slots).values(
            id=new_id(),
            schedule_id=schedule_id,
            submission_id=submission_id,
            room_id=room_id,
            guid=guid,
            starts_at=starts_at,
            ends_at=ends_at,
            description=description,
        )
    )
