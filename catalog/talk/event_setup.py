"""An organizer's setup of a talk event: the event itself (made on first use under the slug it
shares with the ticket and live events), its submission types and tracks, validated, created,
changed and deleted; what submissions use is not deleted. Review phases and score categories are
``review_setup``'s, the CfP's terms ``cfp``'s. The caller owns the transaction and permissions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.cfp import SubmissionTypeTerms, set_type_deadline
from catalog.talk.setup_rows import (
    event_rows,
    get_row,
    given_values,
    refuse_field,
    refuse_if_used,
    update_row,
    valid_name,
)
from catalog.talk.tables import talk_events, talk_submission_types, talk_submissions, talk_tracks
from catalog.talk.unchanged import UNCHANGED, Unchanged
from core.ids import new_id

MAX_DURATION_MINUTES = 24 * 60
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True, slots=True)
class TalkTrack:
    id: str
    name: str
    color: str  # ``#rrggbb``, lower case


# --- the event ---------------------------------------------------------------------------------


async def ensure_talk_event(
    session: AsyncSession, slug: str, name: str, timezone: str, now: datetime
) -> str:
    """The id of the talk event ``slug`` (``<organizer>/<event>``), made with ``name`` and
    ``timezone`` (IANA) when there is none; an existing one is kept as it is.

    Raises:
        InvalidPayloadError: a new event's name is empty or too long, or its timezone unknown.
    """
    found = await session.scalar(select(talk_events.c.id).where(talk_events.c.slug == slug))
    if found is not None:
        return str(found)
    event_id = new_id()
    await session.execute(
        insert(talk_events).values(
            id=event_id,
            slug=slug,
            name=valid_name(name),
            timezone=_timezone(timezone),
            created_at=now,
        )
    )
    return event_id


async def update_talk_event(
    session: AsyncSession, slug: str, *, name: str | None = None, timezone: str | None = None
) -> None:
    """Rename the talk event ``slug`` or give it another timezone (nothing when it has none).

    Raises:
        InvalidPayloadError: the name is empty or too long, or the timezone unknown.
    """
    values = given_values(
        name=None if name is None else valid_name(name),
        timezone=None if timezone is None else _timezone(timezone),
    )
    if values:
        await session.execute(update(talk_events).where(talk_events.c.slug == slug).values(values))


# --- submission types --------------------------------------------------------------------------


async def submission_types(session: AsyncSession, event_id: str) -> list[SubmissionTypeTerms]:
    """The event's submission types by name."""
    rows = await event_rows(session, talk_submission_types, event_id, talk_submission_types.c.name)
    return [_type(row) for row in rows]


async def get_submission_type(
    session: AsyncSession, event_id: str, type_id: str
) -> SubmissionTypeTerms:
    """Raises: UnknownTalkObjectError: not a submission type of the event."""
    return _type(
        await get_row(session, talk_submission_types, event_id, type_id, "submission type")
    )


async def create_submission_type(
    session: AsyncSession,
    event_id: str,
    *,
    name: str,
    default_duration_minutes: int,
    deadline: datetime | None = None,
) -> SubmissionTypeTerms:
    """A new submission type; ``deadline`` replaces the CfP's for its submissions.

    Raises:
        InvalidPayloadError: an empty or long name, a duration outside 1 to 1440 minutes, a naive
            deadline.
    """
    type_id = new_id()
    await session.execute(
        insert(talk_submission_types).values(
            id=type_id,
            event_id=event_id,
            name=valid_name(name),
            default_duration_minutes=_duration(default_duration_minutes),
        )
    )
    if deadline is not None:
        await set_type_deadline(session, event_id, type_id, deadline)
    return await get_submission_type(session, event_id, type_id)


async def update_submission_type(
    session: AsyncSession,
    event_id: str,
    type_id: str,
    *,
    name: str | None = None,
    default_duration_minutes: int | None = None,
    deadline: datetime | Unchanged | None = UNCHANGED,
) -> SubmissionTypeTerms:
    """Change what is given (``deadline`` None: the CfP's applies again).

    Raises:
        UnknownTalkObjectError: not a submission type of the event.
        InvalidPayloadError: as for ``create_submission_type``.
    """
    await get_submission_type(session, event_id, type_id)
    values = given_values(
        name=None if name is None else valid_name(name),
        default_duration_minutes=None
        if default_duration_minutes is None
        else _duration(default_duration_minutes),
    )
    if values:
        await update_row(session, talk_submission_types, type_id, values)
    if deadline is not UNCHANGED:
        await set_type_deadline(session, event_id, type_id, deadline)
    return await get_submission_type(session, event_id, type_id)


async def delete_submission_type(session: AsyncSession, event_id: str, type_id: str) -> None:
    """Raises:
    UnknownTalkObjectError: not a submission type of the event.
    TalkObjectInUseError: submissions (drafts too) are of this type.
    """
    await get_submission_type(session, event_id, type_id)
    used = talk_submissions.c.submission_type_id == type_id
    await refuse_if_used(session, "submission type", type_id, talk_submissions, used)
    await session.execute(
        delete(talk_submission_types).where(talk_submission_types.c.id == type_id)
    )


def _type(row: Row[Any]) -> SubmissionTypeTerms:
    return SubmissionTypeTerms(row.id, row.name, row.default_duration_minutes, row.deadline)


# --- tracks ------------------------------------------------------------------------------------


async def tracks(session: AsyncSession, event_id: str) -> list[TalkTrack]:
    """The event's tracks by name."""
    return [
        _track(row) for row in await event_rows(session, talk_tracks, event_id, talk_tracks.c.name)
    ]


async def get_track(session: AsyncSession, event_id: str, track_id: str) -> TalkTrack:
    """Raises: UnknownTalkObjectError: not a track of the event."""
    return _track(await get_row(session, talk_tracks, event_id, track_id, "track"))


async def create_track(session: AsyncSession, event_id: str, *, name: str, color: str) -> TalkTrack:
    """Raises: InvalidPayloadError: an empty or long name, a color not ``#rrggbb``."""
    track_id = new_id()
    await session.execute(
        insert(talk_tracks).values(
            id=track_id, event_id=event_id, name=valid_name(name), color=_color(color)
        )
    )
    return await get_track(session, event_id, track_id)


async def update_track(
    session: AsyncSession,
    event_id: str,
    track_id: str,
    *,
    name: str | None = None,
    color: str | None = None,
) -> TalkTrack:
    """Raises:
    UnknownTalkObjectError: not a track of the event.
    InvalidPayloadError: as for ``create_track``.
    """
    await get_track(session, event_id, track_id)
    values = given_values(
        name=None if name is None else valid_name(name),
        color=None if color is None else _color(color),
    )
    if values:
        await update_row(session, talk_tracks, track_id, values)
    return await get_track(session, event_id, track_id)


async def delete_track(session: AsyncSession, event_id: str, track_id: str) -> None:
    """Raises:
    UnknownTalkObjectError: not a track of the event.
    TalkObjectInUseError: submissions are in this track.
    """
    await get_track(session, event_id, track_id)
    used = talk_submissions.c.track_id == track_id
    await refuse_if_used(session, "track", track_id, talk_submissions, used)
    await session.execute(delete(talk_tracks).where(talk_tracks.c.id == track_id))


def _track(row: Row[Any]) -> TalkTrack:
    return TalkTrack(row.id, row.name, row.color)


# --- checks ------------------------------------------------------------------------------------


def _timezone(timezone: str) -> str:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        refuse_field("timezone", f"unknown timezone {timezone!r}")
    return timezone


def _duration(minutes: int) -> int:
    if not 1 <= minutes <= MAX_DURATION_MINUTES:
        refuse_field("default_duration_minutes", f"1 to {MAX_DURATION_MINUTES}")
    return minutes


def _color(color: str) -> str:
    if not _COLOR.fullmatch(color):
        refuse_field("color", "a color as #rrggbb")
    return color.lower()
