"""Organizer-side room changes reach every socket as its own ``event.updated`` view."""

from __future__ import annotations

from live import audit
from tests.live.conftest import LiveClient, LiveNode


def room_names(view: dict[str, object]) -> list[str]:
    return [room["name"] for room in view["rooms"]]  # type: ignore[attr-defined, index]


async def create_room(admin: LiveClient, name: str, **extra: object) -> str:
    reply = await admin.call(
        "room.create", {"name": name, "modules": [{"type": "chat.native"}], **extra}
    )
    assert reply["ok"] is True, reply
    room_id: str = reply["data"]["room"]["id"]
    return room_id


async def test_a_new_room_appears_for_everyone_who_may_see_it(live_node: LiveNode) -> None:
    async with (
        live_node.client(token=live_node.token("admin")) as admin,
        live_node.attendee() as attendee,
    ):
        await create_room(admin, "Workshop")
        assert room_names(await attendee.push("event.updated")) == ["Stage", "Hallway", "Workshop"]
        assert room_names(await admin.push("event.updated")) == ["Stage", "Hallway", "Workshop"]


async def test_a_hidden_room_is_absent_for_others_and_refused_on_enter(live_node: LiveNode) -> None:
    async with (
        live_node.client(token=live_node.token("admin")) as admin,
        live_node.attendee() as attendee,
    ):
        secret = await create_room(admin, "Backstage", trait_grants={"viewer": ["crew"]})
        assert room_names(await attendee.push("event.updated")) == ["Stage", "Hallway"]
        assert "Backstage" in room_names(await admin.push("event.updated"))
        reply = await attendee.call("room.enter", {"room": secret})
        assert reply["error"]["code"] == "auth.denied"
    async with live_node.client(token=live_node.token("attendee", "crew")) as crew:
        assert "Backstage" in [r["name"] for r in crew.authenticated["rooms"]]
        assert (await crew.call("room.enter", {"room": secret}))["ok"] is True


async def test_deleting_a_room_takes_its_viewers_out(live_node: LiveNode) -> None:
    async with (
        live_node.client(token=live_node.token("admin")) as admin,
        live_node.attendee() as attendee,
    ):
        room = attendee.room_id("Hallway")
        assert (await attendee.call("room.enter", {"room": room}))["ok"] is True
        assert (await admin.call("room.delete", {"room": room})) == {"ok": True, "data": {}}
        assert room_names(await attendee.push("event.updated")) == ["Stage"]
        reply = await attendee.call("room.react", {"room": room, "reaction": "👏"})
        assert reply["error"]["code"] == "room.unknown"


async def test_reordering_and_renaming_change_everyones_view(live_node: LiveNode) -> None:
    async with (
        live_node.client(token=live_node.token("admin")) as admin,
        live_node.attendee() as attendee,
    ):
        stage, hallway = admin.room_id("Stage"), admin.room_id("Hallway")
        assert (await admin.call("room.reorder", {"rooms": [hallway, stage]}))["ok"] is True
        assert room_names(await attendee.push("event.updated")) == ["Hallway", "Stage"]
        reply = await admin.call("room.update", {"room": stage, "name": "Main Stage"})
        assert reply == {"ok": True, "data": {"room": {"id": stage}}}
        assert room_names(await attendee.push("event.updated")) == ["Hallway", "Main Stage"]
        partial = await admin.call("room.reorder", {"rooms": [stage]})
        assert partial["error"]["code"] == "protocol.invalid_payload"


async def test_attendees_may_not_change_rooms(live_node: LiveNode) -> None:
    async with live_node.attendee() as attendee:
        stage = attendee.room_id("Stage")
        for name, payload in [
            ("room.create", {"name": "Mine"}),
            ("room.update", {"room": stage, "name": "Mine"}),
            ("room.reorder", {"rooms": [stage]}),
            ("room.delete", {"room": stage}),
        ]:
            reply = await attendee.call(name, payload)
            assert reply["error"]["code"] == "auth.denied", name


async def test_room_changes_are_audited_with_who_made_them(live_node: LiveNode) -> None:
    async with live_node.client(token=live_node.token("admin")) as admin:
        room = await create_room(admin, "Audited")
        # Straight after creating it, without waiting for event.updated:
        changed = await admin.call("room.update", {"room": room, "description": "now with text"})
        assert changed == {"ok": True, "data": {"room": {"id": room}}}
        assert await admin.call("room.delete", {"room": room}) == {"ok": True, "data": {}}
        admin_id = admin.authenticated["user"]["id"]
        event_id = admin.authenticated["event"]["id"]
    entries = await audit.entries(live_node.services.database, event_id)
    mine = [
        (e.type, e.user_id, e.data.get("room"))
        for e in reversed(entries)
        if e.data.get("room") == room
    ]
    assert mine == [
        ("room.created", admin_id, room),
        ("room.updated", admin_id, room),
        ("room.deleted", admin_id, room),
    ]


async def test_silenced_or_viewing_users_cannot_react(live_node: LiveNode) -> None:
    async with live_node.client(token=live_node.token("admin")) as admin:
        watch_only = await create_room(admin, "Cinema", trait_grants={"viewer": []})
    async with live_node.attendee() as attendee:
        await attendee.call("room.enter", {"room": watch_only})
        reply = await attendee.call("room.react", {"room": watch_only, "reaction": "👏"})
        assert reply["error"]["code"] == "auth.denied"
