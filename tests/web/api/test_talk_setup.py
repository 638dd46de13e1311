"""Organizers set up a talk event over /api/v1: the talk event made with the event, its call for
papers, submission types, tracks, review phases and score categories."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from catalog.talk import check_cfp_open, submit_review
from catalog.talk.submissions import SubmissionState
from catalog.talk.tables import talk_events
from catalog.tickets.permissions import Permission
from catalog.tickets.tables import ticket_events
from core.clock import utc_now
from tests.catalog.talk.talk_rows import NOW, make_submission
from tests.web.api.api_client import ApiClient, fresh_slug
from tests.web.api.talk_event import V1, TalkEvent

DEADLINE = "2030-06-08T18:00:00Z"


def error(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return body["error"]["code"], body["error"]["details"]


def fields(body: dict[str, Any]) -> list[str]:
    code, details = error(body)
    assert code == "protocol.invalid_payload"
    return [item["field"] for item in details["errors"]]


async def test_an_event_made_over_the_api_opens_its_cfp(any_api: ApiClient) -> None:
    org = fresh_slug()
    headers = await any_api.token(org)
    events = f"{V1}/organizers/{org}/events/"
    made = await any_api.http.post(
        events, headers=headers, json={"slug": "conf", "name": "Conf", "timezone": "Europe/Berlin"}
    )
    talk = TalkEvent(any_api, "", org, "conf", headers)

    before = await talk.call("GET", "cfp/", 200)
    opened = await talk.call(
        "PATCH", "cfp/", 200,
        json={"is_open": True, "deadline": DEADLINE, "headline": "Speak at Conf"},
    )  # fmt: skip
    page = await any_api.http.get(f"/{org}/conf/cfp/")

    assert made.status_code == 201, made.text
    assert before == {"is_open": False, "deadline": None, "headline": "", "text": ""}
    assert opened == {
        "is_open": True,
        "deadline": DEADLINE,
        "headline": "Speak at Conf",
        "text": "",
    }
    async with any_api.database.transaction() as session:
        row = (
            await session.execute(select(talk_events).where(talk_events.c.slug == f"{org}/conf"))
        ).one()
        await check_cfp_open(session, row.id, utc_now())
    assert (row.name, row.timezone) == ("Conf", "Europe/Berlin")
    assert page.status_code == 200
    assert "Speak at Conf" in page.text


async def test_renaming_the_event_renames_its_talk_event(api: ApiClient) -> None:
    org = fresh_slug()
    headers = await api.token(org)
    events = f"{V1}/organizers/{org}/events/"
    await api.http.post(events, headers=headers, json={"slug": "conf", "name": "Conf"})

    patched = await api.http.patch(
        events + "conf/", headers=headers, json={"name": "Conf 2030", "timezone": "Asia/Tokyo"}
    )

    assert patched.status_code == 200, patched.text
    assert (patched.json()["name"], patched.json()["timezone"]) == ("Conf 2030", "Asia/Tokyo")
    async with api.database.transaction() as session:
        row = (
            await session.execute(select(talk_events).where(talk_events.c.slug == f"{org}/conf"))
        ).one()
    assert (row.name, row.timezone) == ("Conf 2030", "Asia/Tokyo")


async def test_an_event_with_an_unknown_timezone_is_not_made(api: ApiClient) -> None:
    org = fresh_slug()
    headers = await api.token(org)
    refused = await api.http.post(
        f"{V1}/organizers/{org}/events/",
        headers=headers,
        json={"slug": "conf", "name": "Conf", "timezone": "Mars/Olympus"},
    )

    assert refused.status_code == 422
    assert fields(refused.json()) == ["timezone"]
    async with api.database.transaction() as session:
        for table in (ticket_events, talk_events):
            count = await session.scalar(
                select(func.count()).select_from(table).where(table.c.slug == f"{org}/conf")
            )
            assert count == 0


async def test_the_cfp_refuses_bad_changes(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)

    nulled = await talk.call("PATCH", "cfp/", 422, json={"is_open": None})
    naive = await talk.call("PATCH", "cfp/", 422, json={"deadline": "2030-06-08T18:00:00"})
    long = await talk.call("PATCH", "cfp/", 422, json={"headline": "x" * 301})
    unknown = await talk.call("PATCH", "cfp/", 422, json={"opening": DEADLINE})
    cleared = await talk.call("PATCH", "cfp/", 200, json={"deadline": None, "text": "Hi"})

    assert fields(nulled) == ["is_open"]
    assert fields(naive) == ["deadline"]
    assert fields(long) == ["headline"]
    assert fields(unknown) == ["opening"]
    assert cleared == {"is_open": False, "deadline": None, "headline": "", "text": "Hi"}


async def test_submission_types_are_created_listed_changed_and_deleted(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)

    workshop = await talk.call(
        "POST", "submission-types/", 201,
        json={"name": "Workshop", "default_duration_minutes": 90, "deadline": DEADLINE},
    )  # fmt: skip
    lightning = await talk.call("POST", "submission-types/", 201, json={"name": "Lightning"})
    changed = await talk.call(
        "PATCH", f"submission-types/{workshop['id']}/", 200,
        json={"deadline": None, "default_duration_minutes": 120},
    )  # fmt: skip
    shown = await talk.call("GET", f"submission-types/{workshop['id']}/", 200)
    await talk.call("DELETE", f"submission-types/{lightning['id']}/", 204)
    listed = await talk.call("GET", "submission-types/", 200)
    gone = await talk.call("GET", f"submission-types/{lightning['id']}/", 404)

    assert workshop == {
        "id": workshop["id"],
        "name": "Workshop",
        "default_duration_minutes": 90,
        "deadline": DEADLINE,
    }
    assert lightning["default_duration_minutes"] == 30
    assert changed == shown == {**workshop, "default_duration_minutes": 120, "deadline": None}
    assert listed["count"] == 1
    assert listed["results"] == [changed]
    assert error(gone) == ("talk.not_found", {"kind": "submission type", "id": lightning["id"]})


async def test_submission_type_errors(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)
    kind = await talk.call("POST", "submission-types/", 201, json={"name": "Talk"})
    async with api.database.transaction() as session:
        await make_submission(session, talk.event_id, type_id=kind["id"])

    no_name = await talk.call(
        "POST", "submission-types/", 422, json={"default_duration_minutes": 5}
    )
    too_long = await talk.call(
        "PATCH", f"submission-types/{kind['id']}/", 422, json={"default_duration_minutes": 1441}
    )
    nulled = await talk.call("PATCH", f"submission-types/{kind['id']}/", 422, json={"name": None})
    unknown = await talk.call("PATCH", "submission-types/nope/", 404, json={"name": "X"})
    in_use = await talk.call("DELETE", f"submission-types/{kind['id']}/", 409)

    assert fields(no_name) == ["name"]
    assert fields(too_long) == ["default_duration_minutes"]
    assert fields(nulled) == ["name"]
    assert error(unknown) == ("talk.not_found", {"kind": "submission type", "id": "nope"})
    assert error(in_use) == (
        "talk.in_use",
        {"kind": "submission type", "id": kind["id"], "used_by": "submissions", "count": 1},
    )


async def test_tracks_are_created_changed_and_deleted_unless_used(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)

    core = await talk.call("POST", "tracks/", 201, json={"name": "Core", "color": "#3AA57C"})
    web = await talk.call("POST", "tracks/", 201, json={"name": "Web", "color": "#2a4d69"})
    changed = await talk.call("PATCH", f"tracks/{web['id']}/", 200, json={"name": "Apps"})
    bad_color = await talk.call("POST", "tracks/", 422, json={"name": "Red", "color": "red"})
    kind = await talk.call("POST", "submission-types/", 201, json={"name": "Talk"})
    await talk.call(
        "POST", "submissions/", 201,
        json={
            "title": "In core", "submission_type": kind["id"], "track": core["id"],
            "speakers": [{"email": "ada@example.org", "name": "Ada"}],
        },
    )  # fmt: skip
    in_use = await talk.call("DELETE", f"tracks/{core['id']}/", 409)
    await talk.call("DELETE", f"tracks/{web['id']}/", 204)
    listed = await talk.call("GET", "tracks/", 200)
    unknown = await talk.call("DELETE", f"tracks/{web['id']}/", 404)

    assert core == {"id": core["id"], "name": "Core", "color": "#3aa57c"}
    assert changed == {**web, "name": "Apps"}
    assert fields(bad_color) == ["color"]
    assert error(in_use) == (
        "talk.in_use",
        {"kind": "track", "id": core["id"], "used_by": "submissions", "count": 1},
    )
    assert listed["results"] == [core]
    assert error(unknown)[1]["kind"] == "track"


async def test_review_phases_are_created_changed_and_deleted(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)

    review = await talk.call(
        "POST", "review-phases/", 201,
        json={"name": "Review", "starts_at": "2030-01-01T00:00:00Z", "ends_at": DEADLINE},
    )  # fmt: skip
    selection = await talk.call(
        "POST", "review-phases/", 201,
        json={"name": "Selection", "can_review": False, "can_change_submission_state": True},
    )  # fmt: skip
    backwards = await talk.call(
        "PATCH", f"review-phases/{review['id']}/", 422, json={"ends_at": "2029-01-01T00:00:00Z"}
    )
    opened = await talk.call(
        "PATCH", f"review-phases/{review['id']}/", 200,
        json={"starts_at": None, "can_see_other_reviews": True},
    )  # fmt: skip
    await talk.call("DELETE", f"review-phases/{selection['id']}/", 204)
    listed = await talk.call("GET", "review-phases/", 200)
    unknown = await talk.call("GET", f"review-phases/{selection['id']}/", 404)

    assert review == {
        "id": review["id"],
        "name": "Review",
        "starts_at": "2030-01-01T00:00:00Z",
        "ends_at": DEADLINE,
        "can_review": True,
        "can_see_other_reviews": False,
        "can_change_submission_state": False,
        "sort_key": 0,
    }
    assert (selection["sort_key"], selection["can_review"]) == (1, False)
    assert opened == {**review, "starts_at": None, "can_see_other_reviews": True}
    assert fields(backwards) == ["ends_at"]
    assert listed["results"] == [opened]
    assert error(unknown)[1]["kind"] == "review phase"


async def test_score_categories_are_created_changed_and_deleted(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)

    content = await talk.call(
        "POST", "score-categories/", 201,
        json={"name": "Content", "weight": "2.5", "min_score": 0, "max_score": 3},
    )  # fmt: skip
    delivery = await talk.call(
        "POST", "score-categories/", 201, json={"name": "Delivery", "min_score": 1, "max_score": 5}
    )
    changed = await talk.call(
        "PATCH", f"score-categories/{delivery['id']}/", 200, json={"weight": "0.5", "sort_key": 9}
    )
    await talk.call("DELETE", f"score-categories/{content['id']}/", 204)
    listed = await talk.call("GET", "score-categories/", 200)

    assert content == {
        "id": content["id"],
        "name": "Content",
        "weight": "2.50",
        "min_score": 0,
        "max_score": 3,
        "sort_key": 0,
    }
    assert (delivery["weight"], delivery["sort_key"]) == ("1.00", 1)
    assert changed == {**delivery, "weight": "0.50", "sort_key": 9}
    assert listed["results"] == [changed]


async def test_score_category_errors(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)
    category = await talk.call(
        "POST", "score-categories/", 201, json={"name": "Content", "min_score": 0, "max_score": 3}
    )
    await talk.call("POST", "review-phases/", 201, json={"name": "Review"})
    async with api.database.transaction() as session:
        submission = await make_submission(session, talk.event_id, SubmissionState.SUBMITTED)
        await submit_review(
            session, submission.id, reviewer_id="alice", scores={category["id"]: 3}, text="",
            now=NOW + timedelta(days=1),
        )  # fmt: skip
    url = f"score-categories/{category['id']}/"

    numeric = await talk.call(
        "POST", "score-categories/", 422,
        json={"name": "X", "weight": 1, "min_score": 0, "max_score": 3},
    )  # fmt: skip
    zero = await talk.call(
        "POST", "score-categories/", 422,
        json={"name": "X", "weight": "0", "min_score": 0, "max_score": 3},
    )  # fmt: skip
    upside_down = await talk.call("PATCH", url, 422, json={"min_score": 3})
    narrowed = await talk.call("PATCH", url, 409, json={"max_score": 2})
    in_use = await talk.call("DELETE", url, 409)

    assert fields(numeric) == ["weight"]
    assert fields(zero) == ["weight"]
    assert fields(upside_down) == ["max_score"]
    expected = {"kind": "score category", "id": category["id"], "used_by": "scores", "count": 1}
    assert error(narrowed) == ("talk.in_use", expected)
    assert error(in_use) == ("talk.in_use", expected)


WRITES = [
    ("PATCH", "cfp/", {"is_open": True}),
    ("POST", "submission-types/", {"name": "Talk"}),
    ("POST", "tracks/", {"name": "Core", "color": "#000000"}),
    ("POST", "review-phases/", {"name": "Review"}),
    ("POST", "score-categories/", {"name": "Content", "min_score": 0, "max_score": 3}),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
async def test_setup_writes_need_events_change(
    api: ApiClient, method: str, path: str, body: dict[str, Any]
) -> None:
    talk = await TalkEvent.make(api)
    reader = await api.token(talk.org, [Permission.SUBMISSIONS_VIEW])
    stranger = await api.token(fresh_slug())

    read = await talk.call("GET", path, 200, headers=reader)
    denied = await talk.call(method, path, 403, headers=reader, json=body)
    hidden = await talk.call("GET", path, 404, headers=stranger)

    assert read
    assert error(denied)[0] == "auth.denied"
    assert error(denied)[1]["permission"] == "events.change"
    assert error(hidden)[0] == "protocol.not_found"


async def test_a_repeated_create_with_its_idempotency_key_makes_one_type(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)
    headers = {**talk.headers, "Idempotency-Key": "type-talk"}

    first = await api.http.post(talk.url("submission-types/"), headers=headers, json={"name": "T"})
    again = await api.http.post(talk.url("submission-types/"), headers=headers, json={"name": "T"})
    listed = await talk.call("GET", "submission-types/", 200)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotency-Replayed"] == "true"
    assert listed["count"] == 1
