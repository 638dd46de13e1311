"""Nothing a client sends breaks the server: every command answers junk with a typed error."""

from __future__ import annotations

from typing import Any

import live.handlers  # noqa: F401 - registers every command
from live.dispatch import registry
from tests.live.conftest import LiveNode

JUNK: list[Any] = [
    None,
    [],
    "text",
    7,
    {"unexpected": True},
    {"room": {"$gt": ""}, "channel": None},
    {"room": "x" * 10_000},
    [{"nested": [1, 2, {"deep": None}]}],
]


async def test_every_command_answers_junk_with_a_typed_error_and_the_socket_survives(
    live_node: LiveNode,
) -> None:
    async with live_node.client(token=live_node.token("admin")) as admin:
        for name in registry.names:
            for payload in JUNK:
                reply = await admin.call(name, payload)
                # No payload at all is an empty one, which commands without arguments accept.
                assert reply["ok"] is False or payload is None, (name, payload, reply)
                if reply["ok"] is False:
                    assert reply["error"]["code"] != "server.error", (name, payload, reply)
        # Still connected and served:
        assert (await admin.call("room.enter", {"room": admin.room_id("Hallway")}))["ok"] is True


async def test_unknown_command_names_of_any_shape_are_refused(live_node: LiveNode) -> None:
    async with live_node.attendee() as client:
        for name in [
            "",
            "room",
            "room.enter.extra",
            "ROOM.ENTER",
            "x" * 300,
            "connect",
            "disconnect",
        ]:
            reply = await client.call(name, {})
            assert reply["error"]["code"] == "protocol.unknown_command", name
