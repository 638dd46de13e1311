"""Editing talk submissions and speaker profiles: the catalog's update functions (on SQLite and
PostgreSQL) and the organizers' create and PATCH endpoints over /api/v1."""

from __future__ import annotations

from datetime import timedelta

import pytest

from catalog.talk import (
    SubmissionState,
    UnknownTalkObjectError,
    get_speaker,
    schedule_slots,
    schedule_talk,
    update_speaker,
    update_submission,
    wip_schedule_id,
)
from core.errors import InvalidPayloadError
from tests.catalog.talk.talk_rows import (
    NOW,
    make_event,
    make_room,
    make_speaker,
    make_submission,
    make_track,
    make_type,
)
from tests.web.api.api_client import ApiClient

LATER = NOW + timedelta(minutes=5)


async def test_update_submission_changes_content_and_refits_wip_slots(any_api: ApiClient) -> None:
    async with any_api.database.transaction() as session:
        event_id = await make_event(session)
        other_event = await make_event(session)
        type_id = await make_type(session, event_id, minutes=30)
        long_type = await make_type(session, event_id, minutes=60)
        track_id = await make_track(session, event_id)
        foreign_track = await make_track(session, other_event)
        room_id = await make_room(session, event_id, "Hall")
        talk = await make_submission(session, event_id, SubmissionState.ACCEPTED, type_id=type_id)
        await schedule_talk(session, talk.id, room_id=room_id, starts_at=NOW, now=NOW)

        retitled = await update_submission(
            session, talk.id, now=LATER, title="New title", track_id=track_id
        )
        longer = await update_submission(session, talk.id, now=LATER, submission_type_id=long_type)
        fixed = await update_submission(session, talk.id, now=LATER, duration_minutes=45)
        slots = await schedule_slots(session, await wip_schedule_id(session, event_id, now=NOW))
        with pytest.raises(UnknownTalkObjectError) as foreign:
            await update_submission(session, talk.id, now=LATER, track_id=foreign_track)
        with pytest.raises(InvalidPayloadError) as empty:
            await update_submission(session, talk.id, now=LATER, title=" ")
        with pytest.raises(InvalidPayloadError) as unknown_field:
            await update_submission(session, talk.id, now=LATER, state="accepted")
        with pytest.raises(UnknownTalkObjectError):
            await update_submission(session, "nope", now=LATER, title="x")

    assert (retitled.title, retitled.track_id, retitled.updated_at) == (
        "New title",
        track_id,
        LATER,
    )
    assert longer.submission_type_id == long_type
    assert fixed.duration_minutes == 45
    assert [(s.starts_at, s.ends_at) for s in slots] == [(NOW, NOW + timedelta(minutes=45))]
    assert foreign.value.details == {"kind": "track", "id": foreign_track}
    assert empty.value.details == {"field": "title"}
    assert unknown_field.value.details == {"fields": ["state"]}


async def test_update_speaker_changes_the_profile(any_api: ApiClient) -> None:
    async with any_api.database.transaction() as session:
        event_id = await make_event(session)
        speaker_id = await make_speaker(session, event_id)
        updated = await update_speaker(
            session, speaker_id, name="Dr. Jane", biography="Bio", avatar_url="https://a.test/j.png"
        )
        cleared = await update_speaker(session, speaker_id, avatar_url=None, biography=None)
        with pytest.raises(InvalidPayloadError):
            await update_speaker(session, speaker_id, email="x@example.org")
        with pytest.raises(UnknownTalkObjectError):
            await update_speaker(session, "nope", name="x")
        reread = await get_speaker(session, speaker_id)

    assert (updated.name, updated.biography, updated.avatar_url) == (
        "Dr. Jane", "Bio", "https://a.test/j.png",
    )  # fmt: skip
    assert (cleared.name, cleared.biography, cleared.avatar_url) == ("Dr. Jane", "", None)
    assert reread == cleared
