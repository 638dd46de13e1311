"""Two nodes on the real Redis and PostgreSQL: pushes cross nodes through per-room topics only."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from actors.keys import RedisNames
from live import topic_names
from tests.live.conftest import LiveNode

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


async def channel_subscribers(redis_url: str, channel: str) -> int:
    client = aioredis.Redis.from_url(redis_url)
    try:
        return int((await client.pubsub_numsub(channel))[0][1])
    finally:
        await client.aclose()


async def test_viewers_on_two_nodes_see_one_room(two_nodes: tuple[LiveNode, LiveNode]) -> None:
    a, b = two_nodes
    async with a.attendee() as on_a, b.attendee() as on_b:
        room = on_a.room_id("Hallway")
        first = await on_a.call("room.enter", {"room": room})
        second = await on_b.call("room.enter", {"room": room})
        assert first["data"]["room"]["viewers"] == 1
        assert second["data"]["room"]["viewers"] == 2
        assert await on_a.push("room.viewers") == {"room": room, "viewers": 2}
        assert await on_b.push("room.viewers") == {"room": room, "viewers": 2}
        await on_b.call("room.react", {"room": room, "reaction": "👏"})
        assert await on_a.push("room.reaction") == {"room": room, "reactions": {"👏": 1}}


async def test_only_nodes_with_members_receive_a_rooms_traffic(
    two_nodes: tuple[LiveNode, LiveNode], redis_url: str, redis_prefix: str
) -> None:
    a, b = two_nodes
    names = RedisNames(redis_prefix)
    async with a.attendee() as on_a, b.attendee():
        room = on_a.room_id("Stage")
        topic = topic_names.room(room)
        await on_a.call("room.enter", {"room": room})
        assert topic in a.services.actors.topics.subscribed_topics
        assert topic not in b.services.actors.topics.subscribed_topics
        assert await channel_subscribers(redis_url, names.topic_channel(topic)) == 1
        await on_a.call("room.leave", {"room": room})
        assert await channel_subscribers(redis_url, names.topic_channel(topic)) == 0


async def test_a_profile_change_reaches_the_users_sockets_on_the_other_node(
    two_nodes: tuple[LiveNode, LiveNode],
) -> None:
    a, b = two_nodes
    uid = "same-person"
    async with (
        a.client(token=a.token("attendee", uid=uid)) as first,
        b.client(token=b.token("attendee", uid=uid)) as second,
    ):
        assert first.authenticated["user"]["id"] == second.authenticated["user"]["id"]
        reply = await first.call("user.update", {"profile": {"display_name": "Grace"}})
        assert reply["ok"] is True
        pushed = await second.push("user.updated")
        assert pushed["user"]["display_name"] == "Grace"
