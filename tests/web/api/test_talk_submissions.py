"""Talk submissions and speakers over /api/v1: lists with filters, details with speakers, the
organizers' state changes through the catalog's state machine, and the talk event scope."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from catalog.talk.mail_tables import talk_emails
from catalog.talk.submissions import SubmissionState
from catalog.talk.tables import talk_submissions
from catalog.tickets.permissions import Permission
from catalog.tickets.tables import ticket_events
from catalog.tickets.teams import organizer_id_by_slug
from core.clock import utc_now
from core.ids import new_id
from tests.catalog.talk.talk_rows import make_submission, make_track, make_type
from tests.web.api.api_client import ApiClient
from tests.web.api.talk_event import TalkEvent


async def test_submissions_are_listed_filtered_and_shown_with_their_speakers(
    any_api: ApiClient,
) -> None:
    talk = await TalkEvent.make(any_api)
    async with any_api.database.transaction() as session:
        type_id = await make_type(session, talk.event_id)
        track_id = await make_track(session, talk.event_id)
        keynote = await make_submission(
            session, talk.event_id, SubmissionState.ACCEPTED, type_id=type_id, title="Keynote"
        )
        await make_submission(session, talk.event_id, type_id=type_id, title="Lightning")
        await session.execute(
            update(talk_submissions)
            .where(talk_submissions.c.id == keynote.id)
            .values(track_id=track_id)
        )

    listed = await talk.call("GET", "submissions/", 200)
    accepted = await talk.call("GET", "submissions/?state=accepted", 200)
    in_track = await talk.call("GET", f"submissions/?track={track_id}", 200)
    of_type = await talk.call("GET", f"submissions/?type={type_id}&page_size=1", 200)
    searched = await talk.call("GET", "submissions/?search=light", 200)
    by_code = await talk.call("GET", f"submissions/?search={keynote.code.lower()}", 200)
    shown = await talk.call("GET", f"submissions/{keynote.code}/", 200)
    bad_state = await talk.call("GET", "submissions/?state=maybe", 422)

    assert listed["count"] == 2
    assert [s["title"] for s in accepted["results"]] == ["Keynote"]
    assert [s["title"] for s in in_track["results"]] == ["Keynote"]
    assert of_type["count"] == 2
    assert len(of_type["results"]) == 1
    assert of_type["next"] is not None
    assert [s["title"] for s in searched["results"]] == ["Lightning"]
    assert [s["code"] for s in by_code["results"]] == [keynote.code]
    assert shown["state"] == "accepted"
    assert shown["submission_type"] == "Talk"
    assert shown["track"] == track_id
    assert [speaker["name"] for speaker in shown["speakers"]] == ["Jane Doe"]
    assert shown["created_at"].endswith("Z")
    assert bad_state["error"]["code"] == "protocol.invalid_payload"


async def test_state_actions_follow_the_state_machine(any_api: ApiClient) -> None:
    talk = await TalkEvent.make(any_api)
    async with any_api.database.transaction() as session:
        submission = await make_submission(session, talk.event_id)
    base = f"submissions/{submission.code}/"

    accepted = await talk.call("POST", base + "accept/", 200)
    confirmed = await talk.call("POST", base + "confirm/", 200)
    refused = await talk.call("POST", base + "withdraw/", 409)
    canceled = await talk.call("POST", base + "cancel/", 200)
    back = await talk.call("POST", base + "accept/", 200)
    again = await talk.call("POST", base + "make_submitted/", 200)
    rejected = await talk.call("POST", base + "reject/", 200)
    unknown = await talk.call("POST", "submissions/NOPE42/accept/", 404)

    assert [accepted["state"], confirmed["state"], canceled["state"]] == [
        "accepted", "confirmed", "canceled",
    ]  # fmt: skip
    assert [back["state"], again["state"], rejected["state"]] == [
        "accepted", "submitted", "rejected",
    ]  # fmt: skip
    assert refused["error"]["code"] == "talk.invalid_transition"
    assert refused["error"]["details"] == {
        "from": "confirmed",
        "to": "withdrawn",
        "allowed": ["accepted", "canceled"],
    }
    assert unknown["error"]["code"] == "talk.not_found"
    assert unknown["error"]["details"]["kind"] == "submission"
    # Each accept and the reject were mailed to the speaker; the other moves were not.
    async with any_api.database.transaction() as session:
        kinds = await session.scalars(
            select(talk_emails.c.kind)
            .where(talk_emails.c.event_id == talk.event_id)
            .order_by(talk_emails.c.created_at, talk_emails.c.kind)
        )
        assert sorted(kinds) == [
            "submission_accepted", "submission_accepted", "submission_rejected",
        ]  # fmt: skip


async def test_speakers_are_listed_and_shown_with_their_submissions(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)
    async with api.database.transaction() as session:
        submission = await make_submission(session, talk.event_id)

    listed = await talk.call("GET", "speakers/", 200)
    code = listed["results"][0]["code"]
    shown = await talk.call("GET", f"speakers/{code}/", 200)
    unknown = await talk.call("GET", "speakers/NOPE42/", 404)

    assert listed["count"] == 1
    assert shown == listed["results"][0]
    assert shown["name"] == "Jane Doe"
    assert shown["submissions"] == [submission.code]
    assert unknown["error"]["details"]["kind"] == "speaker"


async def test_the_talk_scope_needs_a_talk_event_and_the_permissions(api: ApiClient) -> None:
    talk = await TalkEvent.make(api)
    viewer = await api.token(talk.org, [Permission.SUBMISSIONS_VIEW])
    async with api.database.transaction() as session:
        submission = await make_submission(session, talk.event_id)

    missing = await api.http.get(
        f"/api/v1/organizers/{talk.org}/events/nope/submissions/", headers=talk.headers
    )
    ticket_path = await api.http.get(
        f"/api/v1/organizers/{talk.org}/events/{talk.event}/orders/", headers=talk.headers
    )
    seen = await talk.call("GET", "submissions/", 200, headers=viewer)
    denied = await talk.call("POST", f"submissions/{submission.code}/accept/", 403, headers=viewer)
    no_reviews = await talk.call("GET", "reviews/", 403, headers=viewer)
    anonymous = await api.http.get(talk.url("submissions/"))

    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "protocol.not_found"
    assert ticket_path.status_code == 404  # a talk event is no ticket event
    assert seen["count"] == 1
    assert denied["error"] == {
        "code": "auth.denied",
        "message": denied["error"]["message"],
        "details": {"permission": "submissions.change"},
    }
    assert no_reviews["error"]["details"]["permission"] == "reviews.view"
    assert anonymous.status_code == 401


async def test_a_team_on_some_events_reaches_the_talk_event_of_its_ticket_event(
    api: ApiClient,
) -> None:
    talk = await TalkEvent.make(api)
    async with api.database.transaction() as session:
        organizer_id = await organizer_id_by_slug(session, talk.org)
        ticket_event_id, other_id = new_id(), new_id()
        for event_id, slug in ((ticket_event_id, talk.event), (other_id, "other")):
            await session.execute(
                insert(ticket_events).values(
                    id=event_id, organizer_id=organizer_id, slug=f"{talk.org}/{slug}",
                    name="Conf", currency="EUR", created_at=utc_now(),
                )
            )  # fmt: skip
    on_event = await api.token(
        talk.org, [Permission.SUBMISSIONS_VIEW], all_events=False, event_ids=[ticket_event_id]
    )
    elsewhere = await api.token(
        talk.org, [Permission.SUBMISSIONS_VIEW], all_events=False, event_ids=[other_id]
    )

    seen = await talk.call("GET", "submissions/", 200, headers=on_event)
    denied = await talk.call("GET", "submissions/", 403, headers=elsewhere)

    assert seen["count"] == 0
    assert denied["error"]["details"]["permission"] == "submissions.view"
