"""``user.ban`` / ``user.silence`` / ``user.reactivate``: reloads, disconnects, refused logins,
read-only silenced sessions, and the audit log."""

from __future__ import annotations

import asyncio
from typing import Any

from live.audit import entries
from tests.live.conftest import LiveClient, LiveNode, refusal

DENIED = {
    "ok": False,
    "error": {"code": "auth.denied", "message": "Permission denied", "details": {}},
}
OK: dict[str, Any] = {"ok": True, "data": {}}


def watch_close(client: LiveClient) -> asyncio.Event:
    """Set when the server closes the client's socket."""
    closed = asyncio.Event()
    client.sio.on("disconnect", lambda *_reason: closed.set())
    return closed


def user_id(client: LiveClient) -> str:
    found: str = client.authenticated["user"]["id"]
    return found


async def test_a_ban_reloads_and_closes_every_socket_and_refuses_the_next_login(
    live_node: LiveNode,
) -> None:
    token = live_node.token("attendee", uid="troll")
    async with (
        live_node.moderator() as moderator,
        live_node.client(token=token) as first,
        live_node.client(token=token) as second,
    ):
        closes = [watch_close(first), watch_close(second)]
        assert await moderator.call("user.ban", {"user": user_id(first)}) == OK
        assert await first.push("connection.reload") == {}
        assert await second.push("connection.reload") == {}
        async with asyncio.timeout(3):
            for closed in closes:
                await closed.wait()
        assert moderator.sio.connected
    refused = await refusal(live_node.url, {"event": "demo/democon", "token": token})
    assert refused["data"] == {"code": "auth.denied", "message": "Permission denied"}


async def test_a_silenced_user_may_only_read_until_reactivated(live_node: LiveNode) -> None:
    token = live_node.token("attendee", uid="loud")
    profile = {"profile": {"display_name": "Loud"}}
    async with live_node.moderator() as moderator, live_node.client(token=token) as loud:
        assert await moderator.call("user.silence", {"user": user_id(loud)}) == OK
        assert await loud.push("connection.reload") == {}
        assert loud.sio.connected
        reply = await loud.call("user.update", profile)
        assert reply == {
            "ok": False,
            "error": {
                "code": "auth.denied",
                "message": "Silenced users may not change their profile",
                "details": {},
            },
        }
        # Reconnecting (what the reload asks for) shows the reduced permissions.
        async with live_node.client(token=token) as again:
            assert again.authenticated["permissions"] == ["event:view"]
            hallway = next(r for r in again.authenticated["rooms"] if r["name"] == "Hallway")
            assert hallway["permissions"] == [
                "room:chat.read",
                "room:poll.read",
                "room:question.read",
                "room:view",
            ]
            assert (await again.call("room.enter", {"room": hallway["id"]}))["ok"] is True

        assert await moderator.call("user.reactivate", {"user": user_id(loud)}) == OK
        assert await loud.push("connection.reload") == {}
        reply = await loud.call("user.update", profile)
        assert reply["ok"] is True, reply


async def test_a_silenced_socket_that_does_not_reconnect_loses_its_permissions_at_once(
    live_node: LiveNode,
) -> None:
    admin_token = live_node.token("admin")
    async with live_node.client(token=admin_token) as moderator, live_node.moderator() as colleague:
        assert (await colleague.call("announcement.list", {}))["ok"] is True
        assert await moderator.call("user.silence", {"user": user_id(colleague)}) == OK
        assert await colleague.push("connection.reload") == {}
        assert await colleague.call("announcement.list", {}) == DENIED
        assert await colleague.call("user.ban", {"user": user_id(moderator)}) == DENIED
        assert await moderator.call("user.reactivate", {"user": user_id(colleague)}) == OK
        assert await colleague.push("connection.reload") == {}
        assert (await colleague.call("announcement.list", {}))["ok"] is True


async def test_silencing_a_banned_user_keeps_the_ban(live_node: LiveNode) -> None:
    token = live_node.token("attendee", uid="banned-first")
    async with live_node.moderator() as moderator:
        async with live_node.client(token=token) as target:
            target_id = user_id(target)
            closed = watch_close(target)
            assert await moderator.call("user.ban", {"user": target_id}) == OK
            async with asyncio.timeout(3):
                await closed.wait()
        assert await moderator.call("user.silence", {"user": target_id}) == OK
        refused = await refusal(live_node.url, {"event": "demo/democon", "token": token})
        assert refused["message"] == "auth.denied"
        assert await moderator.call("user.reactivate", {"user": target_id}) == OK
        async with live_node.client(token=token) as back:
            assert back.authenticated["permissions"] == ["event:chat.direct", "event:view"]


async def test_moderation_refuses_oneself_unknown_users_and_attendees(live_node: LiveNode) -> None:
    async with live_node.moderator() as moderator, live_node.attendee() as attendee:
        for command in ("user.ban", "user.silence", "user.reactivate"):
            assert await moderator.call(command, {"user": user_id(moderator)}) == {
                "ok": False,
                "error": {
                    "code": "user.self_moderation",
                    "message": "Moderators cannot ban, silence or reactivate themselves",
                    "details": {},
                },
            }
            assert await moderator.call(command, {"user": "nobody"}) == {
                "ok": False,
                "error": {
                    "code": "user.not_found",
                    "message": "No such user",
                    "details": {"user": "nobody"},
                },
            }
            assert await attendee.call(command, {"user": user_id(moderator)}) == DENIED
            for payload in (None, {}, {"user": 5}, {"user": ""}, {"user": "x", "why": "spam"}):
                reply = await moderator.call(command, payload)
                assert reply["error"]["code"] == "protocol.invalid_payload", (command, payload)
        assert moderator.sio.connected


async def test_every_moderation_is_audited_with_moderator_target_and_type(
    live_node: LiveNode,
) -> None:
    async with live_node.moderator() as moderator, live_node.attendee() as attendee:
        target = user_id(attendee)
        for command in ("user.silence", "user.reactivate", "user.ban"):
            assert await moderator.call(command, {"user": target}) == OK
        # Repeating a state changes nothing and logs nothing.
        assert await moderator.call("user.ban", {"user": target}) == OK
        event_id = moderator.authenticated["event"]["id"]
        by = user_id(moderator)
    logged = await entries(live_node.services.database, event_id)
    # The demo seed's "room.created" entries are not what these tests are about.
    assert [(e.type, e.user_id, e.data) for e in logged if e.type != "room.created"] == [
        ("user.banned", by, {"user": target, "previous": "", "moderation": "banned"}),
        ("user.reactivated", by, {"user": target, "previous": "silenced", "moderation": ""}),
        ("user.silenced", by, {"user": target, "previous": "", "moderation": "silenced"}),
    ]


async def test_moderators_cannot_restrict_moderators_or_admins_but_admins_can(
    live_node: LiveNode,
) -> None:
    async with (
        live_node.moderator() as moderator,
        live_node.moderator() as colleague,
        live_node.client(token=live_node.token("admin")) as admin,
    ):
        assert await moderator.call("user.ban", {"user": user_id(colleague)}) == DENIED
        assert await moderator.call("user.silence", {"user": user_id(admin)}) == DENIED
        assert await admin.call("user.silence", {"user": user_id(colleague)}) == OK
