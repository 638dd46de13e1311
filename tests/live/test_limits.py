"""Per-socket command rate limits and the command timeout."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings
from tests.live.conftest import running_node


async def test_a_socket_over_its_rate_is_told_when_to_retry(tmp_path: Path) -> None:
    settings = make_settings(data_dir=tmp_path, live={"commands_per_s": 2, "command_burst": 3})
    async with running_node(settings) as node, node.attendee() as client, node.attendee() as other:
        room = client.room_id("Hallway")
        replies = [await client.call("room.enter", {"room": room}) for _ in range(5)]
        assert [r["ok"] for r in replies] == [True, True, True, False, False]
        limited = replies[3]["error"]
        assert limited["code"] == "protocol.rate_limited"
        assert 0 < limited["details"]["retry_after_s"] <= 0.5
        # Other sockets are not affected, and the limited one recovers.
        assert (await other.call("room.enter", {"room": room}))["ok"] is True
        await asyncio.sleep(0.6)
        assert (await client.call("room.enter", {"room": room}))["ok"] is True


async def test_a_command_that_takes_too_long_answers_server_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(data_dir=tmp_path, live={"command_timeout_s": 0.2})
    async with running_node(settings) as node, node.attendee() as client:
        room = client.room_id("Hallway")

        async def stuck(*_args: Any) -> None:
            await asyncio.sleep(5)

        monkeypatch.setattr(node.services.live.fanout, "listen", stuck)
        reply = await client.call("room.enter", {"room": room})
        assert reply == {
            "ok": False,
            "error": {
                "code": "server.timeout",
                "message": "The command took too long",
                "details": {"command": "room.enter"},
            },
        }
        monkeypatch.undo()
        assert (await client.call("room.enter", {"room": room}))["ok"] is True
