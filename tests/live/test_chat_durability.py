"""Acknowledged messages survive a restart of the node, and ids carry on from where they were."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.conftest import make_settings
from tests.live.chat_clients import channel_of, fetch, send
from tests.live.conftest import FAST_COMMANDS, running_node


async def test_acknowledged_messages_survive_a_restart_and_ids_keep_growing(
    tmp_path: Path,
) -> None:
    settings = make_settings(data_dir=tmp_path, live=FAST_COMMANDS)
    async with running_node(settings) as node:
        token = node.token("attendee", uid="ada")
        async with node.client(token=token) as ada:
            hallway = channel_of(ada, "Hallway")
            await ada.call("chat.join", {"channel": hallway})
            sent = await asyncio.gather(*(send(ada, hallway, f"m{n}") for n in range(50)))
    async with running_node(settings) as node, node.client(token=token) as ada:
        history = await fetch(ada, hallway, count=1000)
        assert [e for e in history if e["type"] == "message"] == sorted(sent, key=lambda e: e["id"])
        after = await send(ada, hallway, "after the restart")
        assert after["id"] == max(e["id"] for e in sent) + 1
