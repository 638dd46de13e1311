"""Factory functions that insert talk catalog rows with fresh ids (PostgreSQL is shared)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.speakers import create_speaker
from catalog.talk.submissions import (
    Submission,
    SubmissionState,
    change_state,
    create_submission,
)
from catalog.talk.tables import (
    talk_events,
    talk_review_phases,
    talk_rooms,
    talk_score_categories,
    talk_submission_types,
    talk_tracks,
)
from core.ids import new_id

NOW = datetime.fromisoformat("2026-06-01T09:00:00+00:00")

# The shortest path of allowed transitions from ``submitted`` to each state.
PATHS: dict[SubmissionState, tuple[SubmissionState, ...]] = {
    SubmissionState.SUBMITTED: (),
    SubmissionState.ACCEPTED: (SubmissionState.ACCEPTED,),
    SubmissionState.REJECTED: (SubmissionState.REJECTED,),
    SubmissionState.WITHDRAWN: (SubmissionState.WITHDRAWN,),
    SubmissionState.CONFIRMED: (SubmissionState.ACCEPTED, SubmissionState.CONFIRMED),
    SubmissionState.CANCELED: (SubmissionState.ACCEPTED, SubmissionState.CANCELED),
}


def event_slug(event_id: str) -> str:
    return f"org-{event_id[:8]}/{event_id}"


async def make_event(session: AsyncSession, timezone: str = "Europe/Berlin") -> str:
    event_id = new_id()
    await session.execute(
        insert(talk_events).values(
            id=event_id,
            slug=event_slug(event_id),
            name="TalkCon",
            timezone=timezone,
            created_at=NOW,
        )
    )
    return event_id


async def make_type(session: AsyncSession, event_id: str, minutes: int = 30) -> str:
    type_id = new_id()
    await session.execute(
        insert(talk_submission_types).values(
            id=type_id, event_id=event_id, name="Talk", default_duration_minutes=minutes
        )
    )
    return type_id


async def make_track(session: AsyncSession, event_id: str) -> str:
    track_id = new_id()
    await session.execute(
        insert(talk_tracks).values(id=track_id, event_id=event_id, name="Core", color="#3aa57c")
    )
    return track_id


async def make_speaker(session: AsyncSession, event_id: str, account_id: str | None = None) -> str:
    return await create_speaker(
        session,
        event_id,
        email=f"{new_id()[:12]}@example.org",
        name="Jane Doe",
        now=NOW,
        account_id=account_id,
    )


async def make_submission(
    session: AsyncSession,
    event_id: str,
    state: SubmissionState = SubmissionState.SUBMITTED,
    *,
    type_id: str | None = None,
    speaker_id: str | None = None,
    title: str = "A talk",
) -> Submission:
    """A submission brought to ``state`` by allowed transitions (``draft`` is created so)."""
    submission = await create_submission(
        session,
        event_id,
        speaker_id=speaker_id or await make_speaker(session, event_id),
        title=title,
        submission_type_id=type_id or await make_type(session, event_id),
        now=NOW,
        draft=state is SubmissionState.DRAFT,
    )
    for step in PATHS.get(state, ()):
        submission = await change_state(session, submission.id, step, now=NOW)
    return submission


async def make_room(session: AsyncSession, event_id: str, name: str, sort_key: int = 0) -> str:
    room_id = new_id()
    await session.execute(
        insert(talk_rooms).values(
            id=room_id,
            event_id=event_id,
            guid=str(uuid.uuid4()),
            name=name,
            capacity=100,
            sort_key=sort_key,
        )
    )
    return room_id


async def make_phase(
    session: AsyncSession,
    event_id: str,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    can_review: bool = True,
    can_see_other_reviews: bool = False,
    can_change_submission_state: bool = False,
    sort_key: int = 0,
) -> str:
    phase_id = new_id()
    await session.execute(
        insert(talk_review_phases).values(
            id=phase_id,
            event_id=event_id,
            name=f"phase {sort_key}",
            starts_at=starts_at,
            ends_at=ends_at,
            can_review=can_review,
            can_see_other_reviews=can_see_other_reviews,
            can_change_submission_state=can_change_submission_state,
            sort_key=sort_key,
        )
    )
    return phase_id


async def make_category(
    session: AsyncSession, event_id: str, weight: str, *, max_score: int = 3, sort_key: int = 0
) -> str:
    category_id = new_id()
    await session.execute(
        insert(talk_score_categories).values(
            id=category_id,
            event_id=event_id,
            name=f"category {sort_key}",
            weight=Decimal(weight),
            min_score=0,
            max_score=max_score,
            sort_key=sort_key,
        )
    )
    return category_id
