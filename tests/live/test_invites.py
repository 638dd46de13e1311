"""Anonymous invites: organizers create codes for one room; connecting with one admits an
anonymous user to that room only; unknown and expired codes create nobody."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import func, select, update

from core.clock import utc_now
from live import DEMO_SLUG, audit
from live.invites import ALPHABET, CODE_LENGTH
from live.tables import invites, users
from live.user_service import UserService
from tests.live.chat_clients import channel_of
from tests.live.conftest import LiveClient, LiveNode, refusal


async def create(admin: LiveClient, room: str, **extra: Any) -> dict[str, Any]:
    reply = await admin.call("room.invite.create", {"room": room, **extra})
    assert reply["ok"] is True, reply
    invite: dict[str, Any] = reply["data"]["invite"]
    return invite


async def user_count(node: LiveNode) -> int:
    async with node.services.database.transaction() as session:
        count: int = (await session.execute(select(func.count()).select_from(users))).scalar_one()
    return count


async def hallway_invite(node: LiveNode) -> tuple[str, str, str]:
    """A fresh invite to the Hallway: (code, hallway room id, stage room id)."""
    async with node.client(token=node.token("admin")) as admin:
        hallway, stage = admin.room_id("Hallway"), admin.room_id("Stage")
        return (await create(admin, hallway))["code"], hallway, stage


async def test_creating_an_invite_again_returns_the_same_one(live_node: LiveNode) -> None:
    async with live_node.client(token=live_node.token("admin")) as admin:
        hallway = admin.room_id("Hallway")
        first = await create(admin, hallway)
        assert len(first["code"]) == CODE_LENGTH
        assert set(first["code"]) <= set(ALPHABET)
        assert not set(first["code"]) & set("0O1lI")
        assert first["room"] == hallway
        assert await create(admin, hallway) == first
        assert await create(admin, hallway, valid_days=90) == first  # still 30 days left
        short = await create(admin, hallway, valid_days=5)  # never longer than asked
        assert short["code"] != first["code"]
        assert await create(admin, hallway, valid_days=5) == short
        listed = await admin.call("room.invite.list", {"room": hallway})
        assert listed == {"ok": True, "data": {"invites": [first, short]}}
        stage = await admin.call("room.invite.list", {"room": admin.room_id("Stage")})
        assert stage["data"] == {"invites": []}
        event_id = admin.authenticated["event"]["id"]
    logged = await audit.entries(live_node.services.database, event_id)
    created = [e.data["code"] for e in logged if e.type == "room.invite.created"]
    assert created == [short["code"], first["code"]]


async def test_an_invitee_sees_and_uses_only_the_invited_room(live_node: LiveNode) -> None:
    code, hallway, stage = await hallway_invite(live_node)
    async with live_node.client(invite=code.lower()) as guest:
        greeting = guest.authenticated
        assert greeting["user"]["kind"] == "anonymous"
        assert greeting["user"]["display_name"] == "Guest"
        assert [room["id"] for room in greeting["rooms"]] == [hallway]
        assert greeting["permissions"] == ["event:view"]
        assert "room:chat.send" not in greeting["rooms"][0]["permissions"]
        assert (await guest.call("room.enter", {"room": hallway}))["ok"] is True
        assert (await guest.call("room.react", {"room": hallway, "reaction": "👏"}))["ok"] is True
        channel = channel_of(guest, "Hallway")
        assert (await guest.call("chat.subscribe", {"channel": channel}))["ok"] is True
        assert (await guest.call("chat.fetch", {"channel": channel}))["ok"] is True
        joined = await guest.call("chat.join", {"channel": channel})
        assert joined["error"]["code"] == "auth.denied"
        other = await guest.call("room.enter", {"room": stage})
        assert other["error"]["code"] == "auth.denied"
        direct = await guest.call("chat.direct.create", {"users": [uuid4().hex]})
        assert direct["error"]["code"] == "auth.denied"


async def test_each_login_is_a_new_user_unless_a_client_id_comes_along(
    live_node: LiveNode,
) -> None:
    code, _, _ = await hallway_invite(live_node)
    before = await user_count(live_node)
    async with live_node.client(invite=code) as one, live_node.client(invite=code) as two:
        assert one.authenticated["user"]["id"] != two.authenticated["user"]["id"]
    client_id = str(uuid4())
    async with live_node.client(invite=code, client_id=client_id) as first:
        same = first.authenticated["user"]["id"]
    async with live_node.client(invite=code, client_id=client_id) as again:
        assert again.authenticated["user"]["id"] == same
        assert [room["name"] for room in again.authenticated["rooms"]] == ["Hallway"]
    async with live_node.client(token=live_node.token("admin")) as admin:
        stage_code = (await create(admin, admin.room_id("Stage")))["code"]
    async with live_node.client(invite=stage_code, client_id=client_id) as both:
        assert both.authenticated["user"]["id"] == same
        assert [room["name"] for room in both.authenticated["rooms"]] == ["Stage", "Hallway"]
    assert await user_count(live_node) == before + 4  # two, one with a client id, the admin


async def test_a_client_id_of_a_user_who_is_not_anonymous_is_refused(
    live_node: LiveNode,
) -> None:
    code, _, _ = await hallway_invite(live_node)
    client_id = str(uuid4())
    async with live_node.attendee() as attendee:
        event_id = attendee.authenticated["event"]["id"]
    guests = UserService(live_node.services.database)
    await guests.login(
        event_id, kind="guest", traits=frozenset(), display_name=None, client_id=client_id
    )
    refused = await refusal(
        live_node.url, {"event": DEMO_SLUG, "invite": code, "client_id": client_id}
    )
    assert refused["message"] == "auth.denied", refused


async def test_unknown_and_expired_codes_are_refused_and_create_no_user(
    live_node: LiveNode,
) -> None:
    code, _, _ = await hallway_invite(live_node)
    before = await user_count(live_node)
    for auth in ({"invite": "ABCDEFGH"}, {"invite": "ABCDEFGH", "client_id": str(uuid4())}):
        refused = await refusal(live_node.url, {"event": DEMO_SLUG, **auth})
        assert refused["message"] == "auth.denied"
    async with live_node.services.database.transaction() as session:
        await session.execute(
            update(invites)
            .where(invites.c.code == code)
            .values(expires_at=utc_now() - timedelta(seconds=1))
        )
    refused = await refusal(live_node.url, {"event": DEMO_SLUG, "invite": code})
    assert refused["message"] == "auth.denied"
    assert await user_count(live_node) == before


async def test_an_invite_to_a_deleted_room_admits_nobody(live_node: LiveNode) -> None:
    code, hallway, _ = await hallway_invite(live_node)
    async with live_node.client(token=live_node.token("admin")) as admin:
        assert (await admin.call("room.delete", {"room": hallway}))["ok"] is True
    refused = await refusal(live_node.url, {"event": DEMO_SLUG, "invite": code})
    assert refused["message"] == "auth.denied"


async def test_only_room_managers_create_or_list_invites(live_node: LiveNode) -> None:
    async with live_node.attendee() as attendee, live_node.moderator() as moderator:
        hallway = attendee.room_id("Hallway")
        for client in (attendee, moderator):
            for command in ("room.invite.create", "room.invite.list"):
                reply = await client.call(command, {"room": hallway})
                assert reply["error"]["code"] == "auth.denied", (command, reply)
    async with live_node.client(token=live_node.token("admin")) as admin:
        reply = await admin.call("room.invite.create", {"room": "nope"})
        assert reply["error"]["code"] == "room.unknown"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"room": ""},
        {"room": 5},
        {"room": "ROOM", "valid_days": 0},
        {"room": "ROOM", "valid_days": 91},
        {"room": "ROOM", "valid_days": "30"},
        {"room": "ROOM", "valid_days": True},
        {"room": "ROOM", "valid_days": 1.5},
        {"room": "ROOM", "code": "ABCDEFGH"},
        ["ROOM"],
    ],
)
async def test_malformed_payloads_are_invalid(live_node: LiveNode, payload: Any) -> None:
    async with live_node.client(token=live_node.token("admin")) as admin:
        hallway = admin.room_id("Hallway")
        if isinstance(payload, dict) and payload.get("room") == "ROOM":
            payload = {**payload, "room": hallway}
        reply = await admin.call("room.invite.create", payload)
        assert reply["error"]["code"] == "protocol.invalid_payload", reply
        if isinstance(payload, dict) and "valid_days" not in payload:
            listed = await admin.call("room.invite.list", payload)
            assert listed["error"]["code"] == "protocol.invalid_payload", listed


async def test_an_invitees_client_id_alone_opens_nothing_even_where_guests_are_welcome(
    live_node: LiveNode,
) -> None:
    code, _, _ = await hallway_invite(live_node)
    client_id = str(uuid4())
    async with live_node.client(invite=code, client_id=client_id) as invited:
        event_id = invited.authenticated["event"]["id"]
    await live_node.services.live.events.update_config(event_id, {"guests_allowed": True}, by=None)
    refused = await refusal(live_node.url, {"event": DEMO_SLUG, "client_id": client_id})
    assert refused["data"]["code"] == "auth.denied"


async def test_a_revoked_invite_admits_nobody_from_then_on(live_node: LiveNode) -> None:
    code, _, _ = await hallway_invite(live_node)
    async with live_node.client(invite=code) as before:
        assert [r["name"] for r in before.authenticated["rooms"]] == ["Hallway"]
        async with live_node.client(token=live_node.token("admin")) as admin:
            hallway = admin.room_id("Hallway")
            revoked = await admin.call("room.invite.revoke", {"room": hallway, "code": code})
            assert revoked["ok"] is True
            assert revoked["data"]["invite"]["code"] == code
            unknown = await admin.call("room.invite.revoke", {"room": hallway, "code": "ZZZZZZZZ"})
            assert unknown["error"]["code"] == "invite.not_found"
        refused = await refusal(live_node.url, {"event": DEMO_SLUG, "invite": code})
        assert refused["data"]["code"] == "auth.denied"
        # Who was admitted keeps the room.
        assert (await before.call("room.enter", {"room": hallway}))["ok"] is True


async def test_an_open_socket_of_a_returning_invitee_sees_the_new_room(live_node: LiveNode) -> None:
    code, _, _ = await hallway_invite(live_node)
    async with live_node.client(token=live_node.token("admin")) as admin:
        stage_code = (await create(admin, admin.room_id("Stage")))["code"]
    client_id = str(uuid4())
    async with (
        live_node.client(invite=code, client_id=client_id) as first,
        live_node.client(invite=stage_code, client_id=client_id),
    ):
        view = await first.push("event.updated")
        assert [room["name"] for room in view["rooms"]] == ["Stage", "Hallway"]
