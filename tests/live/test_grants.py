"""Explicit grants: an organizer gives a user a role; their sockets see the change at once."""

from __future__ import annotations

from live import audit
from tests.live.conftest import LiveNode


async def test_a_room_grant_opens_a_hidden_room_to_that_user_only(live_node: LiveNode) -> None:
    async with live_node.client(token=live_node.token("admin")) as admin:
        reply = await admin.call(
            "room.create", {"name": "Green room", "trait_grants": {"viewer": ["crew"]}}
        )
        green = reply["data"]["room"]["id"]
    async with live_node.attendee(uid="guest-speaker") as speaker, live_node.attendee() as other:
        assert "Green room" not in [r["name"] for r in speaker.authenticated["rooms"]]
        speaker_id = speaker.authenticated["user"]["id"]
        async with live_node.client(token=live_node.token("admin")) as admin:
            granted = await admin.call(
                "user.grant", {"user": speaker_id, "role": "speaker", "room": green}
            )
            assert granted == {
                "ok": True,
                "data": {"user": speaker_id, "event_roles": [], "room_roles": {green: ["speaker"]}},
            }
            view = await speaker.push("event.updated")
            assert "Green room" in [r["name"] for r in view["rooms"]]
            assert (await speaker.call("room.enter", {"room": green}))["ok"] is True
            assert (await other.call("room.enter", {"room": green}))["error"][
                "code"
            ] == "auth.denied"

            revoked = await admin.call(
                "user.revoke", {"user": speaker_id, "role": "speaker", "room": green}
            )
            assert revoked["data"]["room_roles"] == {}
            view = await speaker.push("event.updated")
            assert "Green room" not in [r["name"] for r in view["rooms"]]
            event_id = admin.authenticated["event"]["id"]
    logged = await audit.entries(live_node.services.database, event_id)
    assert [e.type for e in logged if e.data.get("user") == speaker_id] == [
        "user.revoked",
        "user.granted",
    ]


async def test_an_event_grant_makes_a_moderator(live_node: LiveNode) -> None:
    async with live_node.attendee(uid="promoted") as attendee:
        user_id = attendee.authenticated["user"]["id"]
        async with live_node.client(token=live_node.token("admin")) as admin:
            await admin.call("user.grant", {"user": user_id, "role": "moderator"})
        view = await attendee.push("event.updated")
        assert "event:announce" in view["permissions"]


async def test_only_organizers_grant_and_targets_must_exist(live_node: LiveNode) -> None:
    async with (
        live_node.attendee() as attendee,
        live_node.client(token=live_node.token("admin")) as admin,
    ):
        me = attendee.authenticated["user"]["id"]
        denied = await attendee.call("user.grant", {"user": me, "role": "admin"})
        assert denied["error"]["code"] == "auth.denied"
        missing = await admin.call("user.grant", {"user": "nobody", "role": "speaker"})
        assert missing["error"]["code"] == "user.not_found"
        no_room = await admin.call("user.grant", {"user": me, "role": "speaker", "room": "nope"})
        assert no_room["error"]["code"] == "room.unknown"
        bad_role = await admin.call("user.grant", {"user": me, "role": "Not A Role!"})
        assert bad_role["error"]["code"] == "protocol.invalid_payload"
