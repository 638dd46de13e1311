"""Topic pub/sub: local delivery, cluster delivery, and per-node reference-counted subscriptions."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis.asyncio as aioredis

from actors import ActorSystem
from actors.keys import RedisNames
from tests.actors.conftest import SystemFactory


async def test_local_subscribers_receive_what_is_published(actor_system: ActorSystem) -> None:
    first: list[Any] = []
    second: list[Any] = []
    async with (
        await actor_system.topics.subscribe("room:1", first.append),
        await actor_system.topics.subscribe("room:1", second.append),
    ):
        actor_system.topics.publish("room:1", {"n": 1})
        actor_system.topics.publish("room:2", {"n": 2})
    actor_system.topics.publish("room:1", {"n": 3})
    assert first == [{"n": 1}]
    assert second == [{"n": 1}]


async def test_a_failing_handler_does_not_stop_the_others(actor_system: ActorSystem) -> None:
    received: list[Any] = []

    def broken(payload: Any) -> None:
        raise RuntimeError("handler bug")

    async with (
        await actor_system.topics.subscribe("t", broken),
        await actor_system.topics.subscribe("t", received.append),
    ):
        actor_system.topics.publish("t", "x")
    assert received == ["x"]


async def channel_subscribers(redis_url: str, channel: str) -> int:
    client = aioredis.Redis.from_url(redis_url)
    try:
        counts = await client.pubsub_numsub(channel)
        return int(counts[0][1])
    finally:
        await client.aclose()


async def eventually_equal(expected: list[Any], received: list[Any]) -> None:
    async with asyncio.timeout(3):
        while received != expected:  # noqa: ASYNC110 - polls a plain list filled by a handler
            await asyncio.sleep(0.01)


@pytest.mark.redis
async def test_published_messages_reach_subscribers_on_every_node(
    redis_system: SystemFactory,
) -> None:
    on_a: list[Any] = []
    on_b: list[Any] = []
    async with (
        redis_system("node-a") as a,
        redis_system("node-b") as b,
        await a.topics.subscribe("room:7", on_a.append),
        await b.topics.subscribe("room:7", on_b.append),
    ):
        for n in range(100):
            a.topics.publish("room:7", {"n": n})
        await eventually_equal([{"n": n} for n in range(100)], on_b)
        assert on_a == [{"n": n} for n in range(100)]  # once, not again via Redis


@pytest.mark.redis
async def test_a_node_subscribes_once_per_topic_and_only_while_needed(
    redis_system: SystemFactory, redis_url: str, redis_prefix: str
) -> None:
    channel = RedisNames(redis_prefix).topic_channel("room:9")
    async with redis_system("node-a") as a, redis_system("node-b") as b:
        first = await a.topics.subscribe("room:9", lambda _: None)
        second = await a.topics.subscribe("room:9", lambda _: None)
        assert await channel_subscribers(redis_url, channel) == 1
        assert a.topics.subscribed_topics == {"room:9"}
        assert b.topics.subscribed_topics == frozenset()
        await first.close()
        assert await channel_subscribers(redis_url, channel) == 1
        await second.close()
        assert await channel_subscribers(redis_url, channel) == 0
        assert a.topics.subscribed_topics == frozenset()


@pytest.mark.redis
async def test_a_node_without_subscribers_receives_no_topic_traffic(
    redis_system: SystemFactory, redis_url: str, redis_prefix: str
) -> None:
    names = RedisNames(redis_prefix)
    async with redis_system("node-a") as a, redis_system("node-b") as b:
        on_a: list[Any] = []
        async with await a.topics.subscribe("busy", on_a.append):
            client = aioredis.Redis.from_url(redis_url)
            try:
                channels = await client.pubsub_channels(f"{redis_prefix}:topic:*")
            finally:
                await client.aclose()
            assert channels == [names.topic_channel("busy").encode()]
            b.topics.publish("busy", "hello")
            await eventually_equal(["hello"], on_a)
