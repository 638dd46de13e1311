"""Schedules: the event's one work-in-progress version (slots for accepted talks and breaks),
releases that copy its public slots into an immutable named version with a changelog against the
version before, and reading released versions. The caller owns the transaction; exports and
room timelines read what is here and never write it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.errors import InvalidVersionError, NotSchedulableError, UnknownTalkObjectError
from catalog.talk.mail_notices import notify_speakers
from catalog.talk.schedule_model import talk_guid
from catalog.talk.submissions import ACCEPTED_STATES, PUBLIC_STATES, get_submission
from catalog.talk.tables import (
    talk_events,
    talk_rooms,
    talk_schedules,
    talk_slots,
    talk_submission_types,
    talk_submissions,
)
from core.ids import new_id

RESERVED_VERSIONS = frozenset({"wip", "latest"})


@dataclass(frozen=True, slots=True)
class Slot:
    id: str
    guid: str
    submission_id: str | None  # None: a break
    code: str | None
    room_id: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    description: str
    stream: dict[str, Any] | None = None  # the slot's own stream, if it overrides the room's


@dataclass(frozen=True, slots=True)
class ScheduleVersion:
    id: str
    event_id: str
    version: str
    released_at: datetime
    comment: str
    changelog: dict[str, Any]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _entry(slot: Slot) -> dict[str, Any]:
    return {
        "code": slot.code,
        "guid": slot.guid,
        "room_id": slot.room_id,
        "start": _iso(slot.starts_at),
    }


def schedule_changelog(previous: list[Slot] | None, current: list[Slot]) -> dict[str, Any]:
    """pretalx's schedule diff of two released versions' talks (breaks are left out):
    ``new_talks`` (only in ``current``), ``canceled_talks`` (only in ``previous``) and
    ``moved_talks`` (room or start changed, with old and new). ``action`` is ``create`` for the
    first release, else ``update``."""
    old = {slot.guid: slot for slot in previous or [] if slot.submission_id is not None}
    new = {slot.guid: slot for slot in current if slot.submission_id is not None}
    moved = [
        {
            "code": new[guid].code,
            "guid": guid,
            "old_room_id": old[guid].room_id,
            "new_room_id": new[guid].room_id,
            "old_start": _iso(old[guid].starts_at),
            "new_start": _iso(new[guid].starts_at),
        }
        for guid in sorted(new.keys() & old.keys())
        if (old[guid].room_id, old[guid].starts_at) != (new[guid].room_id, new[guid].starts_at)
    ]
    return {
        "action": "create" if previous is None else "update",
        "new_talks": [_entry(new[g]) for g in sorted(new.keys() - old.keys())],
        "canceled_talks": [_entry(old[g]) for g in sorted(old.keys() - new.keys())],
        "moved_talks": moved,
    }


async def wip_schedule_id(session: AsyncSession, event_id: str, *, now: datetime) -> str:
    """The event's work-in-progress schedule, created on first use."""
    query = select(talk_schedules.c.id).where(
        talk_schedules.c.event_id == event_id, talk_schedules.c.version.is_(None)
    )
    found = await session.scalar(query)
    if found is not None:
        return str(found)
    # Concurrent first uses meet at the partial unique index; the loser reads the winner's row.
    upsert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        upsert(talk_schedules)
        .values(id=new_id(), event_id=event_id, comment="", created_at=now)
        .on_conflict_do_nothing(
            index_elements=["event_id"], index_where=talk_schedules.c.version.is_(None)
        )
    )
    return str(await session.scalar(query))


def _slot(row: Any) -> Slot:
    return Slot(
        id=row.id,
        guid=row.guid,
        submission_id=row.submission_id,
        code=row.code,
        room_id=row.room_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        description=row.description,
        stream=row.stream,
    )


async def schedule_slots(session: AsyncSession, schedule_id: str) -> list[Slot]:
    """The slots of one schedule version, by start, room and guid (unscheduled ones last)."""
    rows = await session.execute(
        select(talk_slots, talk_submissions.c.code)
        .outerjoin(talk_submissions, talk_submissions.c.id == talk_slots.c.submission_id)
        .where(talk_slots.c.schedule_id == schedule_id)
        .order_by(
            talk_slots.c.starts_at.is_(None),
            talk_slots.c.starts_at,
            talk_slots.c.room_id,
            talk_slots.c.guid,
        )
    )
    return [_slot(row) for row in rows]


async def _check_room(session: AsyncSession, event_id: str, room_id: str | None) -> None:
    if room_id is None:
        return
    found = await session.scalar(
        select(talk_rooms.c.id).where(talk_rooms.c.id == room_id, talk_rooms.c.event_id == event_id)
    )
    if found is None:
        raise UnknownTalkObjectError(kind="room", id=room_id)


async def schedule_talk(
    session: AsyncSession,
    submission_id: str,
    *,
    room_id: str,
    starts_at: datetime,
    now: datetime,
) -> Slot:
    """Put an accepted or confirmed talk into the WIP schedule (or move it there); it lasts its
    own duration, else its type's default.

    Raises:
        UnknownTalkObjectError: no such submission, or the room is not the event's.
        NotSchedulableError: the submission is not accepted or confirmed.
    """
    submission = await get_submission(session, submission_id)
    if submission.state not in ACCEPTED_STATES:
        raise NotSchedulableError(state=submission.state.value)
    await _check_room(session, submission.event_id, room_id)
    minutes = submission.duration_minutes or await session.scalar(
        select(talk_submission_types.c.default_duration_minutes).where(
            talk_submission_types.c.id == submission.submission_type_id
        )
    )
    schedule_id = await wip_schedule_id(session, submission.event_id, now=now)
    # The export's guid (derived from the event slug and the code), so stored and exported agree.
    slug = await session.scalar(
        select(talk_events.c.slug).where(talk_events.c.id == submission.event_id)
    )
    guid = str(talk_guid(str(slug), submission.code))
    values = {
        "room_id": room_id,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=minutes or 0),
    }
    moved = await session.execute(
        update(talk_slots)
        .where(talk_slots.c.schedule_id == schedule_id, talk_slots.c.guid == guid)
        .values(**values)
    )
    if not getattr(moved, "rowcount", 0):
        await session.execute(
            insert(talk_slots).values(
                id=new_id(),
                schedule_id=schedule_id,
                submission_id=submission_id,
                guid=guid,
                description="",
                **values,
            )
        )
    return next(s for s in await schedule_slots(session, schedule_id) if s.guid == guid)


async def set_slot_stream(
    session: AsyncSession, submission_id: str, stream: dict[str, Any] | None, *, now: datetime
) -> None:
    """Give a scheduled talk its own stream (``None``: the room's again), from the next release.

    Raises:
        UnknownTalkObjectError: the talk is not in the work-in-progress schedule.
    """
    event_id = await session.scalar(
        select(talk_submissions.c.event_id).where(talk_submissions.c.id == submission_id)
    )
    if event_id is None:
        raise UnknownTalkObjectError(kind="submission", id=submission_id)
    wip_id = await wip_schedule_id(session, str(event_id), now=now)
    changed = await session.execute(
        update(talk_slots)
        .where(talk_slots.c.schedule_id == wip_id, talk_slots.c.submission_id == submission_id)
        .values(stream=stream)
    )
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        raise UnknownTalkObjectError(kind="scheduled talk", id=submission_id)


async def unschedule_talk(session: AsyncSession, submission_id: str, *, now: datetime) -> None:
    """Take the talk out of the WIP schedule (released versions keep it)."""
    submission = await get_submission(session, submission_id)
    schedule_id = await wip_schedule_id(session, submission.event_id, now=now)
    await session.execute(
        delete(talk_slots).where(
            talk_slots.c.schedule_id == schedule_id, talk_slots.c.submission_id == submission_id
        )
    )


async def add_break(
    session: AsyncSession,
    event_id: str,
    *,
    room_id: str | None,
    starts_at: datetime,
    ends_at: datetime,
    description: str,
    now: datetime,
) -> Slot:
    """A break in the WIP schedule: in one room, or in all (``room_id`` None)."""
    await _check_room(session, event_id, room_id)
    schedule_id = await wip_schedule_id(session, event_id, now=now)
    slot_id = new_id()
    await session.execute(
        insert(talk_slots).values(
            id=slot_id,
            schedule_id=schedule_id,
            submission_id=None,
            room_id=room_id,
            guid=str(uuid.uuid4()),
            starts_at=starts_at,
            ends_at=ends_at,
            description=description,
        )
    )
    return next(s for s in await schedule_slots(session, schedule_id) if s.id == slot_id)


def _version(row: Any) -> ScheduleVersion:
    return ScheduleVersion(
        id=row.id,
        event_id=row.event_id,
        version=row.version,
        released_at=row.released_at,
        comment=row.comment,
        changelog=row.changelog or {},
    )


async def released_versions(session: AsyncSession, event_id: str) -> list[ScheduleVersion]:
    """The event's released versions, newest first (the WIP schedule is never among them)."""
    rows = await session.execute(
        select(talk_schedules)
        .where(talk_schedules.c.event_id == event_id, talk_schedules.c.version.is_not(None))
        .order_by(talk_schedules.c.released_at.desc())
    )
    return [_version(row) for row in rows]


async def get_version(session: AsyncSession, event_id: str, version: str) -> ScheduleVersion:
    """A released version by name, or the newest for ``latest``.

    Raises:
        UnknownTalkObjectError: no such released version (``wip`` is never one).
    """
    query = select(talk_schedules).where(
        talk_schedules.c.event_id == event_id, talk_schedules.c.version.is_not(None)
    )
    if version == "latest":
        query = query.order_by(talk_schedules.c.released_at.desc()).limit(1)
    else:
        query = query.where(talk_schedules.c.version == version)
    row = (await session.execute(query)).one_or_none()
    if row is None:
        raise UnknownTalkObjectError(kind="schedule", version=version)
    return _version(row)


async def _public_wip_slots(session: AsyncSession, schedule_id: str) -> list[Slot]:
    states = {
        row.id: row.state
        for row in await session.execute(
            select(talk_submissions.c.id, talk_submissions.c.state)
            .join(talk_slots, talk_slots.c.submission_id == talk_submissions.c.id)
            .where(talk_slots.c.schedule_id == schedule_id)
        )
    }
    return [
        slot
        for slot in await schedule_slots(session, schedule_id)
        if slot.starts_at is not None
        and (
            slot.submission_id is None
            or (slot.room_id is not None and states[slot.submission_id] in PUBLIC_STATES)
        )
    ]


async def _check_version_name(session: AsyncSession, event_id: str, version: str) -> None:
    if not version:
        raise InvalidVersionError(reason="empty", version=version)
    if version.lower() in RESERVED_VERSIONS:
        raise InvalidVersionError(reason="reserved", version=version)
    taken = await session.scalar(
        select(talk_schedules.c.id).where(
            talk_schedules.c.event_id == event_id, talk_schedules.c.version == version
        )
    )
    if taken is not None:
        raise InvalidVersionError(reason="taken", version=version)


async def release(
    session: AsyncSession, event_id: str, version: str, *, comment: str, now: datetime
) -> ScheduleVersion:
    """Release the WIP schedule as ``version``: its scheduled breaks and confirmed talks (with a
    room) are copied into a new immutable version, keeping each slot's guid; the WIP schedule
    stays as it is. The changelog against the previous release is stored and returned.
    Releasing an unchanged schedule makes a new version with an empty changelog. Every speaker
    of a talk the release adds, moves or cancels gets a mail, queued in the same transaction.

    Raises:
        InvalidVersionError: the name is empty, reserved or taken in this event.
    """
    version = version.strip()
    wip_id = await wip_schedule_id(session, event_id, now=now)
    # Lock the WIP row: releases of one event run one at a time.
    await session.execute(
        select(talk_schedules.c.id).where(talk_schedules.c.id == wip_id).with_for_update()
    )
    await _check_version_name(session, event_id, version)
    versions = await released_versions(session, event_id)
    previous = versions[0] if versions else None
    public = await _public_wip_slots(session, wip_id)
    changes = schedule_changelog(
        None if previous is None else await schedule_slots(session, previous.id), public
    )
    # Release times strictly increase, so "latest" and "previous" are always defined.
    released_at = now
    if previous is not None and released_at <= previous.released_at:
        released_at = previous.released_at + timedelta(microseconds=1)
    schedule_id = new_id()
    await session.execute(
        insert(talk_schedules).values(
            id=schedule_id,
            event_id=event_id,
            version=version,
            released_at=released_at,
            comment=comment,
            changelog=changes,
            created_at=now,
        )
    )
    if public:
        await session.execute(
            insert(talk_slots),
            [
                {
                    "id": new_id(),
                    "schedule_id": schedule_id,
                    "submission_id": slot.submission_id,
                    "room_id": slot.room_id,
                    "guid": slot.guid,
                    "starts_at": slot.starts_at,
                    "ends_at": slot.ends_at,
                    "description": slot.description,
                    "stream": slot.stream,
                }
                for slot in public
            ],
        )
    await notify_speakers(session, event_id, changes, now=now)
    return ScheduleVersion(schedule_id, event_id, version, released_at, comment, changes)
