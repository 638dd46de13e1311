"""Writing reviews over /api/v1: the principal (here an API token) is the reviewer, a second
write replaces its review, and the review phase, own submissions, scores and permissions are
refused with their codes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from catalog.talk.submissions import SubmissionState
from catalog.talk.tables import talk_speakers
from catalog.tickets.api_tokens import token_principal
from catalog.tickets.permissions import Permission
from core.clock import utc_now
from tests.catalog.talk.talk_rows import make_category, make_phase, make_speaker, make_submission
from tests.web.api.api_client import ApiClient
from tests.web.api.talk_event import TalkEvent


async def _principal_id(api: ApiClient, headers: dict[str, str]) -> str:
    async with api.database.transaction() as session:
        principal = await token_principal(session, headers["Authorization"].split(" ", 1)[1])
    assert principal is not None
    return principal.id


async def test_a_token_reviews_as_itself_and_replaces_its_review(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)
    reviewer = await any_api.token(talk.org, [Permission.REVIEWS_VIEW])
    async with any_api.database.transaction() as session:
        await make_phase(session, talk.event_id)
        relevance = await make_category(session, talk.event_id, "2", max_score=3)
        quality = await make_category(session, talk.event_id, "1", max_score=3, sort_key=1)
        submission = await make_submission(session, talk.event_id)
    scores = [{"category": relevance, "value": 3}, {"category": quality, "value": 0}]

    made = await talk.call(
        "POST", "reviews/", 201, headers={**reviewer, "Idempotency-Key": "r1"},
        json={"submission": submission.code, "text": "Great", "scores": scores},
    )  # fmt: skip
    replaced = await talk.call(
        "PUT", f"submissions/{submission.code}/review/", 200, headers=reviewer,
        json={"text": "Good", "scores": [{"category": relevance, "value": 1}]},
    )  # fmt: skip
    other = await talk.call(
        "PUT", f"submissions/{submission.code}/review/", 200,
        json={"scores": [{"category": quality, "value": 3}]},
    )  # fmt: skip
    listed = await talk.call("GET", "reviews/", 200)

    assert made["reviewer"] == await _principal_id(any_api, reviewer)
    assert (made["submission"], made["text"], made["score"]) == (submission.code, "Great", "2.00")
    assert sorted((s["category"], s["value"]) for s in made["scores"]) == sorted(
        [(relevance, 3), (quality, 0)]
    )
    assert (replaced["id"], replaced["text"], replaced["score"]) == (made["id"], "Good", "1.00")
    assert replaced["scores"] == [{"category": relevance, "value": 1}]
    assert other["reviewer"] == await _principal_id(any_api, talk.headers)
    assert other["text"] == ""
    (entry,) = listed["results"]
    assert (entry["review_count"], entry["score"]) == (2, "2.00")
    assert {r["id"]: r["text"] for r in entry["reviews"]} == {made["id"]: "Good", other["id"]: ""}


async def test_reviews_are_refused_outside_a_reviewing_phase(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)
    async with any_api.database.transaction() as session:
        submission = await make_submission(session, talk.event_id)
    path = f"submissions/{submission.code}/review/"

    no_phase = await talk.call("PUT", path, 403, json={"text": "x"})
    async with any_api.database.transaction() as session:
        await make_phase(
            session, talk.event_id, ends_at=utc_now() + timedelta(days=1), can_review=False
        )
    closed = await talk.call("PUT", path, 403, json={"text": "x"})
    listed = await talk.call("GET", "reviews/", 200)

    assert no_phase["error"]["code"] == "talk.phase_denied"
    assert no_phase["error"]["details"] == {"permission": "can_review", "phase": None}
    assert closed["error"]["details"] == {"permission": "can_review", "phase": "phase 0"}
    assert listed["results"][0]["review_count"] == 0


async def test_review_payloads_owners_and_permissions_are_checked(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)
    viewer = await api.token(talk.org, [Permission.SUBMISSIONS_VIEW])
    async with api.database.transaction() as session:
        await make_phase(session, talk.event_id)
        category = await make_category(session, talk.event_id, "1", max_score=3)
        speaker_id = await make_speaker(session, talk.event_id)
        # The speaker's account is the principal: its own submission.
        await session.execute(
            update(talk_speakers)
            .where(talk_speakers.c.id == speaker_id)
            .values(account_id=await _principal_id(api, talk.headers))
        )
        own = await make_submission(session, talk.event_id, speaker_id=speaker_id)
        other = await make_submission(session, talk.event_id, SubmissionState.ACCEPTED)
        draft = await make_submission(session, talk.event_id, SubmissionState.DRAFT)
    path = f"submissions/{other.code}/review/"

    own_review = await talk.call("PUT", f"submissions/{own.code}/review/", 403, json={})
    too_high = await talk.call(
        "PUT", path, 422, json={"scores": [{"category": category, "value": 4}]}
    )
    unknown_category = await talk.call(
        "PUT", path, 422, json={"scores": [{"category": "nope", "value": 1}]}
    )
    twice = await talk.call(
        "PUT", path, 422,
        json={"scores": [{"category": category, "value": 1}, {"category": category, "value": 2}]},
    )  # fmt: skip
    extra = await talk.call("PUT", path, 422, json={"text": "x", "score": 3})
    unknown = await talk.call("POST", "reviews/", 404, json={"submission": "NOPE42"})
    not_yet = await talk.call("PUT", f"submissions/{draft.code}/review/", 404, json={})
    no_submission = await talk.call("POST", "reviews/", 422, json={"text": "x"})
    denied = await talk.call("PUT", path, 403, headers=viewer, json={})

    assert own_review["error"]["code"] == "talk.own_submission"
    assert too_high["error"]["code"] == "talk.invalid_score"
    assert too_high["error"]["details"] == {"category_id": category, "min": 0, "max": 3}
    assert unknown_category["error"]["details"] == {"category_id": "nope"}
    assert twice["error"]["details"]["errors"][0]["field"] == "scores"
    assert extra["error"]["details"]["errors"][0]["field"] == "score"
    assert unknown["error"]["code"] == "talk.not_found"
    assert not_yet["error"]["details"] == {"kind": "submission", "code": draft.code}
    assert no_submission["error"]["details"]["errors"][0]["field"] == "submission"
    assert denied["error"]["details"] == {"permission": "reviews.view"}
