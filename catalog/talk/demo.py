"""The demo event's talk side: an open call for papers, submission types and tracks, a review
phase with a score category, a few submissions waiting for review, and a released schedule of
today's talks in the rooms "Stage" and "Hallway" (named like the demo's live rooms, so they drive
those rooms' now/next). Times are placed around ``now`` so the demo always has a running talk.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.event_setup import ensure_talk_event
from catalog.talk.schedules import ScheduleVersion, add_break, release, schedule_talk
from catalog.talk.speakers import create_speaker
from catalog.talk.submissions import (
    SubmissionState,
    change_state,
    create_submission,
)
from catalog.talk.tables import (
    talk_cfps,
    talk_events,
    talk_review_phases,
    talk_rooms,
    talk_score_categories,
    talk_submission_types,
    talk_tracks,
)
from core.ids import new_id

DEMO_VERSION = "v1"
SLOT = timedelta(minutes=30)

# (title, speaker, track) in running order: the stage has one every 30 minutes from an hour ago.
_STAGE = (
    ("Opening: what runs live today", "Ada Lovelace", "Live core"),
    ("Actors that own every room", "Grace Hopper", "Live core"),
    ("Selling tickets without overselling", "Edsger Dijkstra", "Catalog"),
    ("Schedules that drive the rooms", "Barbara Liskov", "Catalog"),
    ("Streams for thousands of viewers", "Radia Perlman", "Live core"),
    ("Closing and next steps", "Ada Lovelace", "Community"),
)
_HALLWAY = (
    ("Meet the organizers", "Margaret Hamilton", "Community"),
    ("Running a hybrid event", "Frances Allen", "Community"),
)
_WAITING = (
    ("Accessibility of live rooms", "Karen Spärck Jones"),
    ("Moderation at scale", "Joan Clarke"),
    ("A conference on a laptop", "Sophie Wilson"),
)


@dataclass(frozen=True, slots=True)
class DemoTalk:
    event_id: str
    schedule: ScheduleVersion


async def seed_demo_talk(
    session: AsyncSession, slug: str, name: str, *, timezone: str, now: datetime
) -> DemoTalk | None:
    """Create the talk side of demo event ``slug`` unless it exists (then None)."""
    if await session.scalar(select(talk_events.c.id).where(talk_events.c.slug == slug)):
        return None
    event_id = await ensure_talk_event(session, slug, name, timezone, now)
    await session.execute(
        insert(talk_cfps).values(event_id=event_id, is_open=True, deadline=now + timedelta(days=30))
    )
    talk_type = await _insert(
        session, talk_submission_types, event_id, name="Talk", default_duration_minutes=30
    )
    await _insert(
        session, talk_submission_types, event_id, name="Workshop", default_duration_minutes=90
    )
    tracks = {
        track: await _insert(session, talk_tracks, event_id, name=track, color=color)
        for track, color in (
            ("Live core", "#2a4d69"),
            ("Catalog", "#3aa57c"),
            ("Community", "#b5651d"),
        )
    }
    await _insert(
        session,
        talk_review_phases,
        event_id,
        name="Review",
        starts_at=None,
        ends_at=None,
        can_review=True,
        can_see_other_reviews=True,
        can_change_submission_state=True,
        sort_key=0,
    )
    await _insert(
        session,
        talk_score_categories,
        event_id,
        name="Relevance",
        weight=Decimal(1),
        min_score=0,
        max_score=3,
        sort_key=0,
    )
    stage = await _room(session, event_id, "Stage", 0)
    hallway = await _room(session, event_id, "Hallway", 1)
    # The demo's speakers have .invalid addresses (RFC 2606): nobody is mailed about them.
    speakers: dict[str, str] = {}

    async def speaker(person: str) -> str:
        if person not in speakers:
            email = person.lower().replace(" ", ".").replace("ä", "ae") + "@democon.invalid"
            speakers[person] = await create_speaker(
                session,
                event_id,
                email=email,
                name=person,
                now=now,
                biography=f"{person} speaks at the demo event.",
            )
        return speakers[person]

    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    for room_id, talks, first, step in (
        (stage, _STAGE, start, SLOT),
        (hallway, _HALLWAY, start + SLOT, 2 * SLOT),
    ):
        for index, (title, person, track) in enumerate(talks):
            submission = await create_submission(
                session,
                event_id,
                speaker_id=await speaker(person),
                title=title,
                submission_type_id=talk_type,
                now=now,
                track_id=tracks[track],
                abstract=f"{title}: a talk of the demo event.",
            )
            for state in (SubmissionState.ACCEPTED, SubmissionState.CONFIRMED):
                await change_state(session, submission.id, state, now=now)
            await schedule_talk(
                session,
                submission.id,
                room_id=room_id,
                starts_at=first + index * step,
                now=now,
            )
    await add_break(
        session,
        event_id,
        room_id=None,
        starts_at=start + 12 * SLOT,
        ends_at=start + 14 * SLOT,
        description="Lunch",
        now=now,
    )
    for title, person in _WAITING:
        await create_submission(
            session,
            event_id,
            speaker_id=await speaker(person),
            title=title,
            submission_type_id=talk_type,
            now=now,
            abstract=f"{title}: waiting for review.",
        )
    schedule = await release(session, event_id, DEMO_VERSION, comment="First schedule", now=now)
    return DemoTalk(event_id, schedule)


async def _insert(session: AsyncSession, table: Table, event_id: str, **values: object) -> str:
    row_id = new_id()
    await session.execute(insert(table).values(id=row_id, event_id=event_id, **values))
    return row_id


async def _room(session: AsyncSession, event_id: str, name: str, sort_key: int) -> str:
    return await _insert(
        session,
        talk_rooms,
        event_id,
        guid=str(uuid.uuid4()),
        name=name,
        capacity=None,
        sort_key=sort_key,
    )
