"""The Redis transport on the real server: batched sends keep everything under steady load."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from actors.keys import RedisNames
from actors.redis_transport import RedisTransport
from core.settings import ActorSettings, RedisSettings

pytestmark = pytest.mark.redis


async def test_messages_queued_while_a_batch_is_sent_are_all_delivered(
    redis_url: str, redis_prefix: str
) -> None:
    names = RedisNames(redis_prefix)
    transport = RedisTransport(
        redis_url, RedisSettings(key_prefix=redis_prefix), ActorSettings(), "sender"
    )
    listener = aioredis.Redis.from_url(redis_url)
    pubsub = listener.pubsub()
    received = 0
    try:
        await pubsub.subscribe(names.node_channel("receiver"))
        await transport.start(lambda _data: None)
        # A steady producer: new messages keep arriving while earlier batches are in flight.
        for n in range(2000):
            transport.send_soon("receiver", str(n).encode())
            await asyncio.sleep(0)
        async with asyncio.timeout(5):
            while received < 2000:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
                if message is not None:
                    received += 1
    finally:
        await transport.stop()
        await pubsub.aclose()
        await listener.aclose()
    assert received == 2000
