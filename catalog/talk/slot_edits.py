"""Editing single slots of an event's work-in-progress schedule by slot id: placing a talk with
its own length, moving talks and breaks, removing them and giving them their own stream. Built
on ``schedules`` (which owns scheduling, breaks and releases); the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.errors import UnknownTalkObjectError
from catalog.talk.schedules import (
    Slot,
    add_break,
    schedule_slots,
    schedule_talk,
    set_slot_stream,
    unschedule_talk,
    wip_schedule_id,
)
from catalog.talk.tables import talk_rooms, talk_slots
from catalog.talk.unchanged import UNCHANGED, Unchanged
from core.errors import InvalidPayloadError


async def wip_slot(session: AsyncSession, event_id: str, slot_id: str, *, now: datetime) -> Slot:
    """The slot of the event's work-in-progress schedule.

    Raises:
        UnknownTalkObjectError: no such slot there (released slots are never edited).
    """
    schedule_id = await wip_schedule_id(session, event_id, now=now)
    for slot in await schedule_slots(session, schedule_id):
        if slot.id == slot_id:
            return slot
    raise UnknownTalkObjectError(kind="slot", id=slot_id)


def _check_span(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        msg = "A slot must end after it starts"
        raise InvalidPayloadError(msg, start=starts_at.isoformat(), end=ends_at.isoformat())


async def _set_end(session: AsyncSession, slot_id: str, ends_at: datetime) -> None:
    await session.execute(
        update(talk_slots).where(talk_slots.c.id == slot_id).values(ends_at=ends_at)
    )


async def place_talk(
    session: AsyncSession,
    submission_id: str,
    *,
    room_id: str,
    starts_at: datetime,
    now: datetime,
    duration_minutes: int | None = None,
) -> Slot:
    """Schedule (or move) an accepted or confirmed talk like ``schedule_talk``; with
    ``duration_minutes`` the slot lasts that long instead of the talk's duration.

    Raises:
        UnknownTalkObjectError: no such submission, or the room is not the event's.
        NotSchedulableError: the submission is not accepted or confirmed.
        InvalidPayloadError: ``duration_minutes`` is not positive.
    """
    if duration_minutes is not None and duration_minutes <= 0:
        msg = "'duration_minutes' must be positive"
        raise InvalidPayloadError(msg, field="duration_minutes")
    slot = await schedule_talk(
        session, submission_id, room_id=room_id, starts_at=starts_at, now=now
    )
    if duration_minutes is None:
        return slot
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    await _set_end(session, slot.id, ends_at)
    return replace(slot, ends_at=ends_at)


async def place_break(
    session: AsyncSession,
    event_id: str,
    *,
    room_id: str | None,
    starts_at: datetime,
    ends_at: datetime,
    description: str,
    now: datetime,
) -> Slot:
    """``add_break`` for a span that ends after it starts.

    Raises:
        UnknownTalkObjectError: the room is not the event's.
        InvalidPayloadError: the break would end before it starts.
    """
    _check_span(starts_at, ends_at)
    return await add_break(
        session, event_id, room_id=room_id, starts_at=starts_at, ends_at=ends_at,
        description=description, now=now,
    )  # fmt: skip


async def move_slot(
    session: AsyncSession,
    event_id: str,
    slot_id: str,
    *,
    now: datetime,
    room_id: str | Unchanged | None = UNCHANGED,
    starts_at: datetime | Unchanged = UNCHANGED,
    ends_at: datetime | Unchanged = UNCHANGED,
    description: str | Unchanged = UNCHANGED,
) -> Slot:
    """Move a slot of the work-in-progress schedule. A talk keeps its length when only its start
    or room changes (``ends_at`` sets a new one) and always needs a room; a break may span all
    rooms (``room_id`` None) and has a ``description``.

    Raises:
        UnknownTalkObjectError: no such slot, or the room is not the event's.
        NotSchedulableError: the talk's submission is no longer accepted or confirmed.
        InvalidPayloadError: it would end before it starts, a talk without a room or start, or
            a talk given a description.
    """
    slot = await wip_slot(session, event_id, slot_id, now=now)
    room = slot.room_id if room_id is UNCHANGED else room_id
    start = slot.starts_at if starts_at is UNCHANGED else starts_at
    end: datetime | None = None
    if ends_at is not UNCHANGED:
        end = ends_at
    elif start is not None and slot.starts_at is not None and slot.ends_at is not None:
        end = start + (slot.ends_at - slot.starts_at)  # keep the length
    if start is None or end is None:
        msg = "A slot needs a start and an end"
        raise InvalidPayloadError(msg, field="start")
    _check_span(start, end)
    if slot.submission_id is None:
        return await _move_break(session, event_id, slot, room, start, end, description)
    if description is not UNCHANGED:
        msg = "Only breaks have a description"
        raise InvalidPayloadError(msg, field="description")
    if room is None:
        msg = "A talk needs a room"
        raise InvalidPayloadError(msg, field="room")
    moved = await schedule_talk(session, slot.submission_id, room_id=room, starts_at=start, now=now)
    if moved.ends_at != end:
        await _set_end(session, moved.id, end)
    return replace(moved, ends_at=end)


async def _move_break(
    session: AsyncSession,
    event_id: str,
    slot: Slot,
    room_id: str | None,
    starts_at: datetime,
    ends_at: datetime,
    description: str | Unchanged,
) -> Slot:
    if room_id is not None:
        found = await session.scalar(
            select(talk_rooms.c.id).where(
                talk_rooms.c.id == room_id, talk_rooms.c.event_id == event_id
            )
        )
        if found is None:
            raise UnknownTalkObjectError(kind="room", id=room_id)
    text = slot.description if description is UNCHANGED else description
    await session.execute(
        update(talk_slots)
        .where(talk_slots.c.id == slot.id)
        .values(room_id=room_id, starts_at=starts_at, ends_at=ends_at, description=text)
    )
    return replace(slot, room_id=room_id, starts_at=starts_at, ends_at=ends_at, description=text)


async def remove_slot(session: AsyncSession, event_id: str, slot_id: str, *, now: datetime) -> None:
    """Unschedule the slot's talk, or delete the break, in the work-in-progress schedule.

    Raises:
        UnknownTalkObjectError: no such slot.
    """
    slot = await wip_slot(session, event_id, slot_id, now=now)
    if slot.submission_id is not None:
        await unschedule_talk(session, slot.submission_id, now=now)
    else:
        await session.execute(delete(talk_slots).where(talk_slots.c.id == slot.id))


async def set_wip_slot_stream(
    session: AsyncSession,
    event_id: str,
    slot_id: str,
    stream: dict[str, Any] | None,
    *,
    now: datetime,
) -> Slot:
    """Give the slot its own stream (None: the room's again), from the next release; a talk's
    goes through ``set_slot_stream``.

    Raises:
        UnknownTalkObjectError: no such slot.
    """
    slot = await wip_slot(session, event_id, slot_id, now=now)
    if slot.submission_id is not None:
        await set_slot_stream(session, slot.submission_id, stream, now=now)
    else:
        await session.execute(
            update(talk_slots).where(talk_slots.c.id == slot.id).values(stream=stream)
        )
    return replace(slot, stream=stream)
