"""Two nodes on the real Redis: placement, remote asks, errors, hand-over, bad envelopes."""

from __future__ import annotations

import asyncio
import logging

import msgpack
import pytest
import redis.asyncio as aioredis

from actors.codec import Codec, Reply, Request
from actors.errors import UnknownActorMethodError
from actors.keys import RedisNames
from core.errors import UnavailableError
from tests.actors.conftest import SystemFactory
from tests.support.sample_actors import Recorder, TooLargeError

pytestmark = pytest.mark.redis


async def test_the_first_node_to_send_owns_the_actor_and_others_reach_it(
    redis_system: SystemFactory,
) -> None:
    async with redis_system("node-a") as a, redis_system("node-b") as b:
        assert await a.ref(Recorder, "r1").ask(Recorder.where) == "node-a"
        assert await b.ref(Recorder, "r1").ask(Recorder.where) == "node-a"
        assert (a.active_count, b.active_count) == (1, 0)


async def test_nodes_racing_to_activate_one_key_agree_on_a_single_owner(
    redis_system: SystemFactory,
) -> None:
    async with (
        redis_system("node-a") as a,
        redis_system("node-b") as b,
        redis_system("node-c") as c,
    ):
        asks = [
            system.ref(Recorder, "contested").ask(Recorder.record, n)
            for n in range(60)
            for system in (a, b, c)
        ]
        await asyncio.gather(*asks)
        owners = {await s.ref(Recorder, "contested").ask(Recorder.where) for s in (a, b, c)}
        history = await a.ref(Recorder, "contested").ask(Recorder.history)
        assert len(owners) == 1
        assert Recorder.activations == ["contested"]
        assert sorted(history) == sorted(list(range(60)) * 3)


async def test_tells_from_another_node_keep_their_order(redis_system: SystemFactory) -> None:
    async with redis_system("node-a") as a, redis_system("node-b") as b:
        await a.ref(Recorder, "ordered").ask(Recorder.where)
        remote = b.ref(Recorder, "ordered")
        for value in range(300):
            remote.tell(Recorder.record, value)
        assert await remote.ask(Recorder.history) == list(range(300))


async def test_errors_cross_nodes_as_the_same_type(redis_system: SystemFactory) -> None:
    async with redis_system("node-a") as a, redis_system("node-b") as b:
        await a.ref(Recorder, "errs").ask(Recorder.where)
        remote = b.ref(Recorder, "errs")
        with pytest.raises(TooLargeError) as caught:
            await remote.ask(Recorder.check, 12)
        assert caught.value.details == {"limit": 10, "value": 12}
        with pytest.raises(ValueError, match="negative: -2"):
            await remote.ask(Recorder.check, -2)
        assert await remote.ask(Recorder.check, 4) == 4


async def test_a_stopped_node_hands_its_actors_over_at_once(redis_system: SystemFactory) -> None:
    async with redis_system("node-b") as b:
        async with redis_system("node-a") as a:
            await a.ref(Recorder, "moving").ask(Recorder.record, "on a")
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await b.ref(Recorder, "moving").ask(Recorder.where) == "node-b"
        assert loop.time() - started < 1.0  # the lease was handed back, not left to expire
        assert await b.ref(Recorder, "moving").ask(Recorder.history) == []


async def test_malformed_envelopes_are_dropped_and_the_node_goes_on(
    redis_system: SystemFactory, redis_url: str, redis_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = aioredis.Redis.from_url(redis_url)
    channel = RedisNames(redis_prefix).node_channel("node-a")
    try:
        async with redis_system("node-a") as a, redis_system("node-b") as b:
            await a.ref(Recorder, "sturdy").ask(Recorder.where)
            with caplog.at_level(logging.WARNING, logger="actors.system"):
                for junk in (b"\x00garbage", msgpack.packb([1, 1, "x"]), msgpack.packb({})):
                    assert await client.publish(channel, junk) == 1
                assert await b.ref(Recorder, "sturdy").ask(Recorder.where) == "node-a"
            assert sum("dropped an envelope" in r.message for r in caplog.records) == 3
    finally:
        await client.aclose()


async def test_a_message_for_an_unknown_kind_is_answered_with_a_typed_error(
    redis_system: SystemFactory, redis_url: str, redis_prefix: str
) -> None:
    names = RedisNames(redis_prefix)
    client = aioredis.Redis.from_url(redis_url)
    probe = client.pubsub()
    codec = Codec()
    try:
        await probe.subscribe(names.node_channel("probe"))
        async with redis_system("node-a"):
            request = Request(41, "probe", "no.such.kind", "k", "m", (), {}, True)
            assert await client.publish(names.node_channel("node-a"), codec.request(request)) == 1
            reply = await _next_message(probe)
        decoded = codec.decode(reply)
        assert isinstance(decoded, Reply)
        assert isinstance(decoded.error, UnknownActorMethodError)
        assert decoded.error.details == {"kind": "no.such.kind", "method": "m"}
    finally:
        await probe.aclose()
        await client.aclose()


async def _next_message(pubsub: aioredis.client.PubSub) -> bytes:
    async with asyncio.timeout(3):
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
            if message is not None:
                data: bytes = message["data"]
                return data


async def test_asks_to_many_actors_spread_over_both_nodes(redis_system: SystemFactory) -> None:
    async with redis_system("node-a") as a, redis_system("node-b") as b:
        keys = [f"spread-{i}" for i in range(50)]
        await asyncio.gather(*(a.ref(Recorder, k).ask(Recorder.where) for k in keys[:25]))
        await asyncio.gather(*(b.ref(Recorder, k).ask(Recorder.where) for k in keys[25:]))
        where = await asyncio.gather(*(b.ref(Recorder, k).ask(Recorder.where) for k in keys))
        assert where == ["node-a"] * 25 + ["node-b"] * 25


async def test_the_cluster_lists_its_live_nodes(redis_system: SystemFactory) -> None:
    async with redis_system("node-a") as a, redis_system("node-b"):
        assert await a.transport.live_nodes() == ["node-a", "node-b"]
    async with redis_system("node-c") as c:
        assert await c.transport.live_nodes() == ["node-c"]


async def test_a_node_cut_off_from_redis_gives_up_its_actors_before_others_take_them(
    redis_system: SystemFactory,
) -> None:
    async with redis_system("node-a") as a, redis_system("node-b") as b:
        await a.ref(Recorder, "island").ask(Recorder.record, "on a")

        async def unreachable() -> bool:
            raise UnavailableError("Redis unavailable", component="redis")

        a.transport.heartbeat = unreachable  # type: ignore[method-assign]
        cut_off = asyncio.get_running_loop().time()
        async with asyncio.timeout(3):
            while a.active_count:  # noqa: ASYNC110 - waits for the runtime's own timer
                await asyncio.sleep(0.01)
        gave_up_s = asyncio.get_running_loop().time() - cut_off
        # B takes the actor only once A's liveness expired, which A's own deadline preceded.
        assert await b.ref(Recorder, "island").ask(Recorder.where) == "node-b"
        assert gave_up_s <= 1.0 + 0.2  # lease_ttl_s of the test settings, plus timer slack
