"""Talk rooms (with the live room each maps to) and the organizers' view of reviews over
/api/v1."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from catalog.talk.reviews import submit_review
from catalog.talk.schedules import schedule_talk
from catalog.talk.submissions import SubmissionState
from catalog.tickets.permissions import Permission
from tests.catalog.talk.talk_rows import (
    NOW,
    make_category,
    make_phase,
    make_submission,
)
from tests.web.api.api_client import ApiClient
from tests.web.api.talk_event import TalkEvent


async def test_rooms_are_created_changed_listed_and_deleted(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)

    made = await talk.call(
        "POST", "rooms/", 201, json={"name": "Main hall", "capacity": 300, "live_room": "stage"}
    )
    other = await talk.call("POST", "rooms/", 201, json={"name": "Annex", "sort_key": 2})
    changed = await talk.call(
        "PATCH", f"rooms/{made['id']}/", 200, json={"name": "Hall A", "live_room": None}
    )
    shown = await talk.call("GET", f"rooms/{made['id']}/", 200)
    listed = await talk.call("GET", "rooms/", 200)
    await talk.call("DELETE", f"rooms/{other['id']}/", 204)
    gone = await talk.call("GET", f"rooms/{other['id']}/", 404)
    invalid = await talk.call("POST", "rooms/", 422, json={"name": ""})

    assert made == {
        "id": made["id"],
        "guid": made["guid"],
        "name": "Main hall",
        "capacity": 300,
        "sort_key": 0,
        "live_room": "stage",
    }
    assert changed == {**made, "name": "Hall A", "live_room": None}
    assert shown == changed
    assert [room["name"] for room in listed["results"]] == ["Hall A", "Annex"]
    assert gone["error"]["code"] == "talk.not_found"
    assert gone["error"]["details"]["kind"] == "room"
    assert invalid["error"]["code"] == "protocol.invalid_payload"


async def test_a_room_with_slots_is_not_deleted(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)
    room = await talk.call("POST", "rooms/", 201, json={"name": "Main hall"})
    async with api.database.transaction() as session:
        keynote = await make_submission(session, talk.event_id, SubmissionState.CONFIRMED)
        await schedule_talk(
            session, keynote.id, room_id=room["id"], starts_at=NOW + timedelta(hours=1), now=NOW
        )

    refused = await talk.call("DELETE", f"rooms/{room['id']}/", 409)

    assert refused["error"]["code"] == "api.conflict"
    assert refused["error"]["details"] == {"slots": 1}


async def test_room_writes_need_schedule_change(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)
    reader = await api.token(talk.org, [Permission.SUBMISSIONS_VIEW])

    listed = await talk.call("GET", "rooms/", 200, headers=reader)
    denied = await talk.call("POST", "rooms/", 403, headers=reader, json={"name": "X"})

    assert listed["count"] == 0
    assert denied["error"]["details"]["permission"] == "schedule.change"


async def test_reviews_list_scores_per_category_and_the_aggregate(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)
    async with any_api.database.transaction() as session:
        await make_phase(session, talk.event_id)
        content = await make_category(session, talk.event_id, "2", sort_key=0)
        delivery = await make_category(session, talk.event_id, "1", sort_key=1)
        good = await make_submission(session, talk.event_id, title="Good")
        unreviewed = await make_submission(session, talk.event_id, title="Unreviewed")
        first = await submit_review(
            session, good.id, reviewer_id="alice", scores={content: 3, delivery: 1}, text="yes",
            now=NOW,
        )  # fmt: skip
        second = await submit_review(
            session, good.id, reviewer_id="bob", scores={content: 1}, text="meh", now=NOW
        )

    listed = await talk.call("GET", "reviews/", 200)

    assert listed["count"] == 2
    top, last = listed["results"]
    assert first.score is not None
    assert second.score is not None
    mean = (first.score + second.score) / 2
    assert top["submission"] == good.code
    assert Decimal(top["score"]) == mean.quantize(Decimal("0.01"))
    assert top["review_count"] == 2
    assert [(r["reviewer"], r["text"]) for r in top["reviews"]] == [
        ("alice", "yes"),
        ("bob", "meh"),
    ]
    assert sorted((s["category"], s["value"]) for s in top["reviews"][0]["scores"]) == sorted(
        [(content, 3), (delivery, 1)]
    )
    assert Decimal(top["reviews"][0]["score"]) == first.score.quantize(Decimal("0.01"))
    assert last == {
        "submission": unreviewed.code,
        "title": "Unreviewed",
        "state": "submitted",
        "score": None,
        "review_count": 0,
        "reviews": [],
    }
