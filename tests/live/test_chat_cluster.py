"""Chat on two nodes (real Redis and PostgreSQL): one channel actor answers both nodes' sockets."""

from __future__ import annotations

import asyncio

import pytest

from tests.live.chat_clients import channel_of, fetch, send, unbatching
from tests.live.conftest import LiveNode

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


async def test_senders_on_both_nodes_share_one_id_sequence_and_every_push(
    two_nodes: tuple[LiveNode, LiveNode],
) -> None:
    a, b = two_nodes
    async with a.attendee() as on_a, b.attendee() as on_b:
        # The PostgreSQL database is shared by the session's tests: another event may exist.
        hallway = channel_of(on_a, "Hallway")
        unbatching(on_a)
        unbatching(on_b)
        await on_a.call("chat.join", {"channel": hallway})
        await on_b.call("chat.join", {"channel": hallway})
        first = (await on_a.push("chat.event"))["id"]  # a's join; b's join follows

        sent = await asyncio.gather(
            *(send(client, hallway, f"{n}") for n in range(40) for client in (on_a, on_b))
        )

        ids = sorted(event["id"] for event in sent)
        assert ids == list(range(first + 2, first + 82))
        for client in (on_a, on_b):  # b's join, then every message, in id order
            pushed = [(await client.push("chat.event"))["id"] for _ in range(81)]
            assert pushed == [first + 1, *ids]
        history = await fetch(on_b, hallway, count=1000)
        assert [e["id"] for e in history][-80:] == ids
