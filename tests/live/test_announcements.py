"""``announcement.*``: states, visibility (show_until), pushes to the event, greeting, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import ANY

from live.audit import entries
from tests.live.conftest import LiveClient, LiveNode


def in_hours(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def announcement(text: str, state: str, show_until: str | None = None) -> dict[str, Any]:
    """The wire form, with the server's id and creation time left open."""
    return {"id": ANY, "text": text, "state": state, "show_until": show_until, "created_at": ANY}


async def create(moderator: LiveClient, **payload: Any) -> dict[str, Any]:
    reply = await moderator.call("announcement.create", payload)
    assert reply["ok"] is True, reply
    created: dict[str, Any] = reply["data"]["announcement"]
    return created


async def test_an_activated_announcement_reaches_attendees_and_their_greeting(
    live_node: LiveNode,
) -> None:
    async with live_node.moderator() as moderator, live_node.attendee() as attendee:
        reply = await moderator.call("announcement.create", {"text": "Doors open at 9"})
        assert reply == {
            "ok": True,
            "data": {"announcement": announcement("Doors open at 9", "draft")},
        }
        draft = reply["data"]["announcement"]
        async with live_node.attendee() as late:
            assert late.authenticated["announcements"] == []

        reply = await moderator.call("announcement.update", {"id": draft["id"], "state": "active"})
        active = {**draft, "state": "active"}
        assert reply == {"ok": True, "data": {"announcement": active}}
        # The draft was never pushed: the first push is the activation.
        assert await attendee.push("announcement.updated") == {"announcement": active}
        assert await moderator.push("announcement.updated") == {"announcement": active}
        async with live_node.attendee() as late:
            assert late.authenticated["announcements"] == [active]


async def test_archiving_pushes_once_more_and_hides_the_announcement(live_node: LiveNode) -> None:
    async with live_node.moderator() as moderator, live_node.attendee() as attendee:
        active = await create(moderator, text="Lunch", state="active")
        assert await attendee.push("announcement.updated") == {"announcement": active}
        reply = await moderator.call(
            "announcement.update", {"id": active["id"], "state": "archived"}
        )
        archived = {**active, "state": "archived"}
        assert reply == {"ok": True, "data": {"announcement": archived}}
        assert await attendee.push("announcement.updated") == {"announcement": archived}
        async with live_node.attendee() as late:
            assert late.authenticated["announcements"] == []


async def test_states_only_move_forward(live_node: LiveNode) -> None:
    async with live_node.moderator() as moderator:
        draft = await create(moderator, text="Soon")
        active = await create(moderator, text="Now", state="active")
        past = await create(moderator, text="Past", state="active")
        reply = await moderator.call("announcement.update", {"id": past["id"], "state": "archived"})
        archived = reply["data"]["announcement"]
        refused = [
            (draft, "archived"),
            (active, "draft"),
            (archived, "active"),
            (archived, "draft"),
        ]
        for item, target in refused:
            reply = await moderator.call("announcement.update", {"id": item["id"], "state": target})
            assert reply == {
                "ok": False,
                "error": {
                    "code": "announcement.invalid_transition",
                    "message": "Announcements go from draft to active to archived only",
                    "details": {"current": item["state"], "requested": target},
                },
            }
        # Keeping the state while changing the text is no transition.
        reply = await moderator.call(
            "announcement.update", {"id": active["id"], "state": "active", "text": "Right now"}
        )
        assert reply == {"ok": True, "data": {"announcement": {**active, "text": "Right now"}}}


async def test_show_until_bounds_visibility(live_node: LiveNode) -> None:
    async with live_node.moderator() as moderator, live_node.attendee() as attendee:
        past = in_hours(-1)
        expired = await create(moderator, text="Was", state="active", show_until=past)
        assert expired == announcement("Was", "active", past)
        later = in_hours(2)
        current = await create(moderator, text="Is", state="active", show_until=later)
        assert current == announcement("Is", "active", later)
        # The expired one was never pushed.
        assert await attendee.push("announcement.updated") == {"announcement": current}
        async with live_node.attendee() as late:
            assert late.authenticated["announcements"] == [current]

        # Moving show_until into the past hides it (pushed: it was visible before).
        reply = await moderator.call(
            "announcement.update", {"id": current["id"], "show_until": past}
        )
        hidden = {**current, "show_until": past}
        assert reply == {"ok": True, "data": {"announcement": hidden}}
        assert await attendee.push("announcement.updated") == {"announcement": hidden}
        # show_until null removes the bound: visible again.
        reply = await moderator.call(
            "announcement.update", {"id": expired["id"], "show_until": None}
        )
        unbounded = {**expired, "show_until": None}
        assert reply == {"ok": True, "data": {"announcement": unbounded}}
        assert await attendee.push("announcement.updated") == {"announcement": unbounded}
        async with live_node.attendee() as late:
            assert late.authenticated["announcements"] == [unbounded]


async def test_show_until_is_stored_in_utc(live_node: LiveNode) -> None:
    async with live_node.moderator() as moderator:
        created = await create(moderator, text="Berlin", show_until="2030-06-01T12:00:00+02:00")
        assert created["show_until"] == "2030-06-01T10:00:00+00:00"


async def test_the_list_shows_moderators_every_announcement_newest_first(
    live_node: LiveNode,
) -> None:
    async with live_node.moderator() as moderator:
        first = await create(moderator, text="One")
        second = await create(moderator, text="Two", state="active")
        assert await moderator.call("announcement.list", {}) == {
            "ok": True,
            "data": {"announcements": [second, first]},
        }


async def test_attendees_may_not_manage_announcements(live_node: LiveNode) -> None:
    async with live_node.moderator() as moderator, live_node.attendee() as attendee:
        existing = await create(moderator, text="Mine")
        calls = [
            ("announcement.create", {"text": "Hello"}),
            ("announcement.update", {"id": existing["id"], "state": "active"}),
            ("announcement.list", {}),
        ]
        for name, payload in calls:
            assert await attendee.call(name, payload) == {
                "ok": False,
                "error": {"code": "auth.denied", "message": "Permission denied", "details": {}},
            }


async def test_updating_an_unknown_announcement_is_not_found(live_node: LiveNode) -> None:
    async with live_node.moderator() as moderator:
        reply = await moderator.call("announcement.update", {"id": "nope", "text": "x"})
        assert reply == {
            "ok": False,
            "error": {
                "code": "announcement.not_found",
                "message": "No such announcement",
                "details": {"announcement": "nope"},
            },
        }


async def test_malformed_payloads_are_refused(live_node: LiveNode) -> None:
    async with live_node.moderator() as moderator:
        existing = await create(moderator, text="Valid")
        bad_creates = [
            None,
            {},
            {"text": ""},
            {"text": 5},
            {"text": "x" * 2001},
            {"text": "x", "state": "archived"},
            {"text": "x", "show_until": 1893456000},
            {"text": "x", "show_until": "2030-01-01T00:00:00"},  # no offset
            {"text": "x", "show_until": "tomorrow"},
            {"text": "x", "extra": 1},
        ]
        for payload in bad_creates:
            reply = await moderator.call("announcement.create", payload)
            assert reply["error"]["code"] == "protocol.invalid_payload", payload
            assert reply["error"]["details"]["errors"], payload
        bad_updates = [
            {"id": existing["id"]},
            {"id": existing["id"], "text": None},
            {"id": existing["id"], "state": None},
            {"id": existing["id"], "state": "gone"},
            {"text": "x"},
            {"id": 5, "text": "x"},
        ]
        for payload in bad_updates:
            reply = await moderator.call("announcement.update", payload)
            assert reply["error"]["code"] == "protocol.invalid_payload", payload
        reply = await moderator.call("announcement.list", {"all": True})
        assert reply["error"]["code"] == "protocol.invalid_payload"


async def test_every_change_is_audited_with_its_author(live_node: LiveNode) -> None:
    async with live_node.moderator() as moderator:
        draft = await create(moderator, text="Audit me")
        reply = await moderator.call("announcement.update", {"id": draft["id"], "state": "active"})
        active = reply["data"]["announcement"]
        await moderator.call("announcement.update", {"id": draft["id"], "state": "archived"})
        moderator_id = moderator.authenticated["user"]["id"]
        event_id = moderator.authenticated["event"]["id"]
    logged = await entries(live_node.services.database, event_id)
    # The demo seed's "room.created" entries are not what these tests are about.
    assert [(e.type, e.user_id, e.data) for e in logged if e.type != "room.created"] == [
        (
            "announcement.updated",
            moderator_id,
            {"announcement": {**active, "state": "archived"}, "previous": active},
        ),
        ("announcement.updated", moderator_id, {"announcement": active, "previous": draft}),
        ("announcement.created", moderator_id, {"announcement": draft}),
    ]
