"""Connecting: authentication in the connect packet, the greeting, refusals, command framing."""

from __future__ import annotations

import asyncio
import contextlib
from uuid import uuid4

import pytest
import socketio
from sqlalchemy import func, select

from live.handlers import room as room_handlers
from live.read_pointer_service import ReadPointerService
from live.tables import users
from tests.live.conftest import LiveNode, refusal


async def test_a_ticket_holder_is_greeted_with_the_rooms_they_may_see(live_node: LiveNode) -> None:
    async with live_node.client(token=live_node.token("attendee", name="Ada")) as client:
        greeting = client.authenticated
    assert greeting["protocol"] == 1
    assert greeting["user"]["display_name"] == "Ada"
    assert greeting["event"]["slug"] == "demo/democon"
    assert [room["name"] for room in greeting["rooms"]] == ["Stage", "Hallway"]
    assert greeting["permissions"] == ["event:chat.direct", "event:view"]
    stage = greeting["rooms"][0]
    assert [m["type"] for m in stage["modules"]] == ["livestream.native", "chat.native"]
    assert stage["modules"][1]["channel"]
    assert "room:chat.send" in stage["permissions"]
    assert "room:viewers" not in stage["permissions"]


async def test_refusals_carry_the_documented_codes(live_node: LiveNode) -> None:
    url = live_node.url
    cases = [
        ({"event": "demo/democon"}, "auth.missing_credentials"),
        ({"event": "no/such", "token": live_node.token("attendee")}, "event.not_found"),
        ({"event": "demo/democon", "token": "not-a-jwt"}, "auth.invalid_token"),
        ({"event": "demo/democon", "token": live_node.token("nothing")}, "auth.denied"),
        ({"event": "demo/democon", "client_id": str(uuid4())}, "auth.denied"),
        (
            {"event": "demo/democon", "token": live_node.token("attendee"), "protocol": 2},
            "protocol.unsupported_version",
        ),
        ("not an object", "auth.missing_credentials"),
    ]
    for auth, code in cases:
        data = await refusal(url, auth)
        assert data["message"] == code, auth
        assert data["data"]["code"] == code


async def test_unknown_commands_and_bad_payloads_keep_the_socket_usable(
    live_node: LiveNode,
) -> None:
    async with live_node.attendee() as client:
        room = client.room_id("Hallway")
        assert await client.call("room.fly", {}) == {
            "ok": False,
            "error": {
                "code": "protocol.unknown_command",
                "message": "Unknown command",
                "details": {"command": "room.fly"},
            },
        }
        bad = [None, [], "x", {"room": 7}, {"room": room, "extra": 1}, {}]
        for payload in bad:
            reply = await client.call("room.enter", payload)
            assert reply["ok"] is False
            assert reply["error"]["code"] == "protocol.invalid_payload", payload
            assert reply["error"]["details"]["errors"]
        assert (await client.call("room.enter", {"room": room}))["ok"] is True


async def test_refused_logins_create_no_user(live_node: LiveNode) -> None:
    async def user_count() -> int:
        async with live_node.services.database.transaction() as session:
            return int(
                (await session.execute(select(func.count()).select_from(users))).scalar_one()
            )

    before = await user_count()
    for auth in (
        {"event": "demo/democon", "token": live_node.token("nothing")},
        {"event": "demo/democon", "client_id": str(uuid4())},
        {"event": "demo/democon", "token": "garbage"},
        {"event": "demo/democon", "invite": "NOSUCHCODE"},
    ):
        assert (await refusal(live_node.url, auth))["data"]["code"] in {
            "auth.denied",
            "auth.invalid_token",
        }
    assert await user_count() == before


async def test_a_failing_handler_answers_server_error_and_the_socket_stays(
    live_node: LiveNode, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("handler bug")

    async with live_node.attendee() as client:
        room = client.room_id("Hallway")
        monkeypatch.setattr(room_handlers, "visible_room", broken)
        reply = await client.call("room.enter", {"room": room})
        assert reply["ok"] is False
        assert reply["error"]["code"] == "server.error"
        error_id = reply["error"]["details"]["error_id"]
        assert any(error_id in record.getMessage() for record in caplog.records)
        monkeypatch.undo()
        assert (await client.call("room.enter", {"room": room}))["ok"] is True


async def test_an_oversized_message_closes_only_that_connection(live_node: LiveNode) -> None:
    async with live_node.attendee() as sender, live_node.attendee() as bystander:
        huge = {"profile": {"display_name": "x", "fields": {"f": "y" * 100_000}}}
        with contextlib.suppress(Exception):
            await sender.sio.call("user.update", huge, timeout=2)
        await asyncio.sleep(0.2)
        assert not sender.sio.connected
        room = bystander.room_id("Hallway")
        assert (await bystander.call("room.enter", {"room": room}))["ok"] is True


async def test_a_socket_that_cannot_be_greeted_is_closed(
    live_node: LiveNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("greeting bug")

    monkeypatch.setattr(ReadPointerService, "greeting", broken)
    sio = socketio.AsyncClient(reconnection=False)
    closed = asyncio.Event()
    sio.on("disconnect", lambda *_: closed.set())
    await sio.connect(
        live_node.url,
        auth={"event": "demo/democon", "token": live_node.token("attendee")},
        transports=["websocket"],
    )
    async with asyncio.timeout(5):
        await closed.wait()
