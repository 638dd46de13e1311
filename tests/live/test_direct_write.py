"""Direct fan-out writes: frames built once are valid WebSocket frames and are really used."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode

from live import direct_write
from tests.live.conftest import LiveNode


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65_535, 65_536, 200_000])
def test_a_text_frame_is_what_a_websocket_library_would_send(size: int) -> None:
    text = "é" * (size // 2) + "x" * (size % 2)
    expected = Frame(Opcode.TEXT, text.encode()).serialize(mask=False)
    assert direct_write.text_frame(text) == expected


async def test_room_pushes_go_straight_to_the_connections(live_node: LiveNode) -> None:
    fanout = live_node.services.live.fanout
    async with live_node.attendee() as first, live_node.attendee() as second:
        room = first.room_id("Hallway")
        await first.call("room.enter", {"room": room})
        await second.call("room.enter", {"room": room})
        before = fanout.direct_writes
        await second.call("room.react", {"room": room, "reaction": "👍"})
        assert await first.push("room.reaction") == {"room": room, "reactions": {"👍": 1}}
        assert await second.push("room.reaction") == {"room": room, "reactions": {"👍": 1}}
        assert fanout.direct_writes >= before + 2
