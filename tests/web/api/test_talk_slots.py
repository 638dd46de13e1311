"""The work-in-progress slots over /api/v1: scheduling, moving and unscheduling talks, breaks,
a slot's own stream (carried into the next release), and the refusals with their codes."""

from __future__ import annotations

from datetime import datetime, timedelta

from catalog.talk.submissions import SubmissionState
from catalog.tickets.permissions import Permission
from tests.catalog.talk.talk_rows import NOW, make_submission, make_type
from tests.web.api.api_client import ApiClient
from tests.web.api.talk_event import TalkEvent

DAY = NOW + timedelta(days=1)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def test_a_talk_is_scheduled_moved_and_unscheduled(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)
    hall = await talk.call("POST", "rooms/", 201, json={"name": "Hall"})
    side = await talk.call("POST", "rooms/", 201, json={"name": "Side"})
    async with any_api.database.transaction() as session:
        type_id = await make_type(session, talk.event_id, minutes=30)
        keynote = await make_submission(
            session, talk.event_id, SubmissionState.CONFIRMED, type_id=type_id
        )
        workshop = await make_submission(
            session, talk.event_id, SubmissionState.ACCEPTED, type_id=type_id
        )

    placed = await talk.call(
        "POST", "schedules/wip/slots/", 201,
        json={"submission": keynote.code, "room": hall["id"], "start": iso(DAY)},
    )  # fmt: skip
    long = await talk.call(
        "POST", "schedules/wip/slots/", 201,
        json={"submission": workshop.code, "room": side["id"], "start": iso(DAY),
              "duration_minutes": 90},
    )  # fmt: skip
    slot = f"schedules/wip/slots/{placed['id']}/"
    later = await talk.call("PATCH", slot, 200, json={"start": iso(DAY + timedelta(hours=2))})
    moved = await talk.call("PATCH", slot, 200, json={"room": side["id"]})
    longer = await talk.call("PATCH", slot, 200, json={"end": iso(DAY + timedelta(hours=3))})
    in_side = await talk.call("GET", f"schedules/wip/slots/?room={side['id']}", 200)
    shown = await talk.call("GET", slot, 200)
    await talk.call("DELETE", slot, 204)
    left = await talk.call("GET", "schedules/wip/slots/", 200)
    submission = await talk.call("GET", f"submissions/{keynote.code}/", 200)
    gone = await talk.call("GET", slot, 404)

    assert (placed["kind"], placed["submission"], placed["room"]) == (
        "talk",
        keynote.code,
        hall["id"],
    )
    assert (placed["start"], placed["end"]) == (iso(DAY), iso(DAY + timedelta(minutes=30)))
    assert long["end"] == iso(DAY + timedelta(minutes=90))
    assert (later["start"], later["end"]) == (
        iso(DAY + timedelta(hours=2)), iso(DAY + timedelta(hours=2, minutes=30)),
    )  # fmt: skip
    assert (moved["room"], moved["start"], moved["id"]) == (
        side["id"],
        later["start"],
        placed["id"],
    )
    assert longer["end"] == iso(DAY + timedelta(hours=3))
    assert [s["submission"] for s in in_side["results"]] == [workshop.code, keynote.code]
    assert shown == longer
    assert [s["submission"] for s in left["results"]] == [workshop.code]
    assert submission["state"] == "confirmed"  # unscheduling leaves the state alone
    assert gone["error"]["details"] == {"kind": "slot", "id": placed["id"]}


async def test_breaks_are_added_moved_and_deleted(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)
    hall = await talk.call("POST", "rooms/", 201, json={"name": "Hall"})
    lunch_body = {
        "room": None, "start": iso(DAY), "end": iso(DAY + timedelta(hours=1)),
        "description": "Lunch",
    }  # fmt: skip

    lunch = await talk.call("POST", "schedules/wip/breaks/", 201, json=lunch_body)
    coffee = await talk.call(
        "POST", "schedules/wip/breaks/", 201,
        json={"room": hall["id"], "start": iso(DAY + timedelta(hours=3)),
              "end": iso(DAY + timedelta(hours=3, minutes=15))},
    )  # fmt: skip
    path = f"schedules/wip/slots/{lunch['id']}/"
    moved = await talk.call(
        "PATCH", path, 200,
        json={"room": hall["id"], "start": iso(DAY + timedelta(hours=1)), "description": "Food"},
    )  # fmt: skip
    breaks = await talk.call("GET", "schedules/wip/slots/?kind=break", 200)
    talks = await talk.call("GET", "schedules/wip/slots/?kind=talk", 200)
    backwards = await talk.call(
        "POST", "schedules/wip/breaks/", 422, json={**lunch_body, "end": iso(DAY)}
    )
    nowhere = await talk.call(
        "POST", "schedules/wip/breaks/", 404, json={**lunch_body, "room": "x"}
    )
    await talk.call("DELETE", f"schedules/wip/slots/{coffee['id']}/", 204)
    left = await talk.call("GET", "schedules/wip/slots/", 200)

    assert (lunch["kind"], lunch["room"], lunch["description"]) == ("break", None, "Lunch")
    assert coffee["description"] == ""
    assert (moved["room"], moved["description"]) == (hall["id"], "Food")
    assert (moved["start"], moved["end"]) == (
        iso(DAY + timedelta(hours=1)), iso(DAY + timedelta(hours=2)),
    )  # fmt: skip
    assert breaks["count"] == 2
    assert talks["count"] == 0
    assert backwards["error"]["code"] == "protocol.invalid_payload"
    assert nowhere["error"]["details"] == {"kind": "room", "id": "x"}
    assert [s["id"] for s in left["results"]] == [lunch["id"]]


async def test_slot_edits_are_refused_with_their_codes(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)
    viewer = await api.token(talk.org, [Permission.SUBMISSIONS_VIEW])
    hall = await talk.call("POST", "rooms/", 201, json={"name": "Hall"})
    async with api.database.transaction() as session:
        submitted = await make_submission(session, talk.event_id)
        accepted = await make_submission(session, talk.event_id, SubmissionState.ACCEPTED)
    body = {"submission": accepted.code, "room": hall["id"], "start": iso(DAY)}
    slots = "schedules/wip/slots/"

    not_yet = await talk.call("POST", slots, 409, json={**body, "submission": submitted.code})
    unknown = await talk.call("POST", slots, 404, json={**body, "submission": "NOPE42"})
    naive = await talk.call("POST", slots, 422, json={**body, "start": "2027-01-01T10:00:00"})
    extra = await talk.call("POST", slots, 422, json={**body, "description": "x"})
    zero = await talk.call("POST", slots, 422, json={**body, "duration_minutes": 0})
    denied = await talk.call("POST", slots, 403, headers=viewer, json=body)
    placed = await talk.call("POST", slots, 201, json=body)
    path = f"{slots}{placed['id']}/"
    roomless = await talk.call("PATCH", path, 422, json={"room": None})
    described = await talk.call("PATCH", path, 422, json={"description": "x"})
    backwards = await talk.call("PATCH", path, 422, json={"end": iso(DAY)})
    null_start = await talk.call("PATCH", path, 422, json={"start": None})
    missing = await talk.call("DELETE", f"{slots}nope/", 404)
    not_listed = await talk.call("GET", slots, 403, headers=viewer)
    async with api.database.transaction() as session:
        await make_submission(session, talk.event_id)
    rejected = await talk.call("POST", f"submissions/{accepted.code}/reject/", 200)
    after_reject = await talk.call("GET", slots, 200)

    assert not_yet["error"]["code"] == "talk.not_schedulable"
    assert not_yet["error"]["details"] == {"state": "submitted"}
    assert unknown["error"]["details"] == {"kind": "submission", "code": "NOPE42"}
    assert naive["error"]["details"]["errors"][0]["field"] == "start"
    assert extra["error"]["details"]["errors"][0]["field"] == "description"
    assert zero["error"]["details"]["errors"][0]["field"] == "duration_minutes"
    assert denied["error"]["details"] == {"permission": "schedule.change"}
    assert roomless["error"]["details"] == {"field": "room"}
    assert described["error"]["details"] == {"field": "description"}
    assert backwards["error"]["code"] == "protocol.invalid_payload"
    assert null_start["error"]["details"]["errors"][0]["field"] == "start"
    assert missing["error"]["code"] == "talk.not_found"
    assert not_listed["error"]["code"] == "auth.denied"
    assert rejected["state"] == "rejected"
    assert after_reject["count"] == 0  # leaving the accepted states drops the slot


async def test_a_slot_stream_goes_out_with_the_next_release(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)
    hall = await talk.call("POST", "rooms/", 201, json={"name": "Hall"})
    async with any_api.database.transaction() as session:
        keynote = await make_submission(session, talk.event_id, SubmissionState.CONFIRMED)
    placed = await talk.call(
        "POST", "schedules/wip/slots/", 201,
        json={"submission": keynote.code, "room": hall["id"], "start": iso(DAY)},
    )  # fmt: skip
    lunch = await talk.call(
        "POST", "schedules/wip/breaks/", 201,
        json={"room": None, "start": iso(DAY + timedelta(hours=1)),
              "end": iso(DAY + timedelta(hours=2))},
    )  # fmt: skip
    stream = {"hls_url": "https://cdn.test/keynote.m3u8"}

    set_talk = await talk.call(
        "PUT", f"schedules/wip/slots/{placed['id']}/stream/", 200, json={"stream": stream}
    )
    set_break = await talk.call(
        "PUT", f"schedules/wip/slots/{lunch['id']}/stream/", 200, json={"stream": stream}
    )
    nested = await talk.call(
        "PUT", f"schedules/wip/slots/{placed['id']}/stream/", 422, json={"stream": {"a": {}}}
    )
    absent = await talk.call("PUT", f"schedules/wip/slots/{placed['id']}/stream/", 422, json={})
    released = await talk.call("POST", "schedules/release/", 201, json={"version": "v1"})
    cleared = await talk.call(
        "PUT", f"schedules/wip/slots/{lunch['id']}/stream/", 200, json={"stream": None}
    )

    assert set_talk["stream"] == stream
    assert set_break["stream"] == stream
    assert nested["error"]["code"] == "protocol.invalid_payload"
    assert absent["error"]["details"]["errors"][0]["field"] == "stream"
    assert [s["stream"] for s in released["slots"]] == [stream, stream]
    assert cleared["stream"] is None
