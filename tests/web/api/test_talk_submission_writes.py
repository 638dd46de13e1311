"""Editing talk submissions and speaker profiles: the catalog's update functions (on SQLite and
PostgreSQL) and the organizers' create and PATCH endpoints over /api/v1."""

from __future__ import annotations

from datetime import timedelta

import pytest

from catalog.talk import (
    QuestionKind,
    QuestionTarget,
    SubmissionState,
    UnknownTalkObjectError,
    create_question,
    get_speaker,
    schedule_slots,
    schedule_talk,
    update_speaker,
    update_submission,
    wip_schedule_id,
)
from catalog.tickets.permissions import Permission
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
from tests.web.api.talk_event import TalkEvent

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


async def test_an_organizer_creates_a_submission_for_new_and_known_speakers(
    any_api: ApiClient,
) -> None:
    talk = await TalkEvent.make(any_api)
    async with any_api.database.transaction() as session:
        type_id = await make_type(session, talk.event_id)
        track_id = await make_track(session, talk.event_id)
        question = await create_question(
            session, talk.event_id, text="Level?", kind=QuestionKind.STRING,
            target=QuestionTarget.SUBMISSION,
        )  # fmt: skip
    body = {
        "title": "Opening",
        "submission_type": type_id,
        "track": track_id,
        "duration_minutes": 20,
        "speakers": [
            {"email": "Ada@Example.org", "name": "Ada"},
            {"email": "grace@example.org", "name": "Grace", "biography": "Admiral"},
        ],
        "answers": {question.id: "beginner"},
    }
    headers = {**talk.headers, "Idempotency-Key": "create-opening"}

    made = await talk.call("POST", "submissions/", 201, headers=headers, json=body)
    replayed = await talk.call("POST", "submissions/", 201, headers=headers, json=body)
    second = await talk.call(
        "POST", "submissions/", 201,
        json={"title": "Draft", "submission_type": type_id, "draft": True,
              "speakers": [{"email": "ada@example.org", "name": "Other name"}]},
    )  # fmt: skip
    speakers = await talk.call("GET", "speakers/", 200)

    assert replayed == made
    assert made["state"] == "submitted"
    assert (made["title"], made["track"], made["duration_minutes"]) == ("Opening", track_id, 20)
    assert sorted((s["name"], s["email"]) for s in made["speakers"]) == [
        ("Ada", "ada@example.org"), ("Grace", "grace@example.org"),
    ]  # fmt: skip
    assert made["answers"] == {question.id: "beginner"}
    assert second["state"] == "draft"
    assert [s["name"] for s in second["speakers"]] == ["Ada"]
    assert speakers["count"] == 2
    assert sorted(len(s["submissions"]) for s in speakers["results"]) == [1, 2]


async def test_creating_a_submission_refuses_bad_payloads_and_foreign_objects(
    api: ApiClient,
) -> None:
    talk = await TalkEvent.make(api)
    viewer = await api.token(talk.org, [Permission.SUBMISSIONS_VIEW])
    async with api.database.transaction() as session:
        type_id = await make_type(session, talk.event_id)
        foreign_type = await make_type(session, await make_event(session))
        await create_question(
            session, talk.event_id, text="Needed", kind=QuestionKind.NUMBER,
            target=QuestionTarget.SUBMISSION, required=True,
        )  # fmt: skip
    speaker = {"email": "ada@example.org", "name": "Ada"}
    good = {"title": "T", "submission_type": type_id, "speakers": [speaker]}

    extra = await talk.call("POST", "submissions/", 422, json={**good, "state": "accepted"})
    no_speakers = await talk.call("POST", "submissions/", 422, json={**good, "speakers": []})
    bad_email = await talk.call(
        "POST", "submissions/", 422, json={**good, "speakers": [{"email": "x", "name": "X"}]}
    )
    foreign = await talk.call(
        "POST", "submissions/", 404, json={**good, "submission_type": foreign_type}
    )
    unanswered = await talk.call("POST", "submissions/", 422, json=good)
    denied = await talk.call("POST", "submissions/", 403, headers=viewer, json=good)
    listed = await talk.call("GET", "submissions/", 200)

    assert extra["error"]["code"] == "protocol.invalid_payload"
    assert extra["error"]["details"]["errors"][0]["field"] == "state"
    assert no_speakers["error"]["details"]["errors"][0]["field"] == "speakers"
    assert bad_email["error"]["details"]["errors"][0]["field"] == "speakers.0.email"
    assert foreign["error"]["code"] == "talk.not_found"
    assert foreign["error"]["details"] == {"kind": "submission_type", "id": foreign_type}
    assert unanswered["error"]["code"] == "talk.invalid_answers"
    assert [p["code"] for p in unanswered["error"]["details"]["problems"]] == [
        "talk.answer_required"
    ]
    assert denied["error"]["details"] == {"permission": "submissions.change"}
    assert listed["count"] == 0  # every refused create left nothing behind


async def test_patching_a_submission_changes_only_what_is_sent(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)
    async with any_api.database.transaction() as session:
        type_id = await make_type(session, talk.event_id)
        other_type = await make_type(session, talk.event_id, minutes=45)
        track_id = await make_track(session, talk.event_id)
        submission = await make_submission(session, talk.event_id, type_id=type_id)
    path = f"submissions/{submission.code}/"

    changed = await talk.call(
        "PATCH", path, 200,
        json={"title": "Better", "abstract": "Short", "track": track_id, "language": "de",
              "submission_type": other_type, "duration_minutes": 40, "do_not_record": True},
    )  # fmt: skip
    cleared = await talk.call("PATCH", path, 200, json={"track": None, "duration_minutes": None})
    null_title = await talk.call("PATCH", path, 422, json={"title": None})
    empty_title = await talk.call("PATCH", path, 422, json={"title": ""})
    state = await talk.call("PATCH", path, 422, json={"state": "accepted"})
    unknown_track = await talk.call("PATCH", path, 404, json={"track": "nope"})
    missing = await talk.call("PATCH", "submissions/NOPE42/", 404, json={"title": "x"})
    shown = await talk.call("GET", path, 200)

    assert (changed["title"], changed["abstract"], changed["track"]) == (
        "Better",
        "Short",
        track_id,
    )
    assert (changed["language"], changed["duration_minutes"], changed["do_not_record"]) == (
        "de", 40, True,
    )  # fmt: skip
    assert changed["state"] == "submitted"
    assert (cleared["title"], cleared["track"], cleared["duration_minutes"]) == (
        "Better",
        None,
        None,
    )
    assert null_title["error"]["details"]["errors"] == [
        {"field": "title", "message": "may not be null", "in": "body"}
    ]
    assert empty_title["error"]["code"] == "protocol.invalid_payload"
    assert state["error"]["details"]["errors"][0]["field"] == "state"
    assert unknown_track["error"]["details"] == {"kind": "track", "id": "nope"}
    assert missing["error"]["details"] == {"kind": "submission", "code": "NOPE42"}
    assert shown == cleared


async def test_patching_a_speaker_changes_the_profile(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)
    viewer = await api.token(talk.org, [Permission.SUBMISSIONS_VIEW])
    async with api.database.transaction() as session:
        speaker_id = await make_speaker(session, talk.event_id)
        code = (await get_speaker(session, speaker_id)).code
    path = f"speakers/{code}/"

    changed = await talk.call(
        "PATCH", path, 200,
        json={"name": "Jane Q.", "biography": "Hacker", "avatar_url": "https://img.test/j.png"},
    )  # fmt: skip
    cleared = await talk.call("PATCH", path, 200, json={"avatar_url": None})
    bad_url = await talk.call("PATCH", path, 422, json={"avatar_url": "javascript:alert(1)"})
    email = await talk.call("PATCH", path, 422, json={"email": "x@example.org"})
    missing = await talk.call("PATCH", "speakers/NOPE42/", 404, json={"name": "x"})
    denied = await talk.call("PATCH", path, 403, headers=viewer, json={"name": "x"})

    assert (changed["name"], changed["biography"], changed["avatar_url"]) == (
        "Jane Q.", "Hacker", "https://img.test/j.png",
    )  # fmt: skip
    assert (cleared["name"], cleared["avatar_url"]) == ("Jane Q.", None)
    assert bad_url["error"]["details"]["errors"][0]["field"] == "avatar_url"
    assert email["error"]["details"]["errors"][0]["field"] == "email"
    assert missing["error"]["code"] == "talk.not_found"
    assert denied["error"]["code"] == "auth.denied"
