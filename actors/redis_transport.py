"""The cluster transport over Redis: leases with fencing tokens, node channels and topic channels.

A lease ``<node>|<incarnation>|<token>`` is valid while the owner node's liveness key holds that
incarnation; nodes renew only their own liveness key, so renewal costs one command per node, not
per actor. Fencing counters are seeded from Redis' clock when missing, so tokens keep growing even
after Redis lost its data. Knows nothing of envelopes: it moves bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar
from uuid import uuid4

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from actors.keys import RedisNames
from actors.tasks import cancel_and_wait
from actors.transport import Claim, Lease, OnBytes
from core.errors import UnavailableError
from core.settings import ActorSettings, RedisSettings

logger = logging.getLogger(__name__)
T = TypeVar("T")

# KEYS: lease, fence counter, own liveness key.
# ARGV: node id, incarnation, liveness key prefix, fence counter ttl ms, lease key ttl ms.
# Returns {1, token} when the lease is ours, {0, owner} when a live node owns it, {-1} when this
# node is not registered (its liveness was lost), so it may not take new leases.
_CLAIM = """
if redis.call('GET', KEYS[3]) ~= ARGV[2] then return {-1} end
local current = redis.call('GET', KEYS[1])
if current then
  local owner, incarnation, token = string.match(current, '^(.*)|(.*)|(%d+)$')
  if owner == ARGV[1] and incarnation == ARGV[2] then return {1, token} end
  if owner and redis.call('GET', ARGV[3] .. owner) == incarnation then return {0, owner} end
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[2], now[1] .. string.format('%06d', tonumber(now[2])))
end
local token = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
local text = string.format('%d', token)
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2] .. '|' .. text, 'PX', ARGV[5])
return {1, text}
"""

# KEYS: key. ARGV: expected value. Deletes the key only if it still holds the value.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: key. ARGV: expected value, ttl ms. Extends the key only if it still holds the value.
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

_FENCE_COUNTER_TTL_MS = 7 * 24 * 3600 * 1000
_LEASE_KEY_TTL_MS = 3600 * 1000
_PUBLISH_ATTEMPTS = 3  # garbage collection of abandoned leases; refreshed while active


class RedisTransport:
    """Cluster membership, placement leases and pub/sub over one Redis server."""

    distributed = True

    def __init__(
        self, url: str, settings: RedisSettings, actor_settings: ActorSettings, node_id: str
    ) -> None:
        self.node_id = node_id
        self._settings = settings
        self._lease_ttl_ms = int(actor_settings.lease_ttl_s * 1000)
        self._names = RedisNames(settings.key_prefix)
        self._redis = aioredis.Redis.from_url(
            url,
            socket_timeout=settings.timeout_s,
            socket_connect_timeout=settings.timeout_s,
        )
        self._claim = self._redis.register_script(_CLAIM)
        self._release = self._redis.register_script(_RELEASE)
        self._extend = self._redis.register_script(_EXTEND)
        self._incarnation = uuid4().hex
        self._node_channel = self._names.node_channel(node_id).encode()
        self._topic_channels: set[bytes] = set()
        self._confirmations: dict[bytes, asyncio.Future[None]] = {}
        self._pubsub: Any = None
        self._on_bytes: OnBytes | None = None
        self._outbox: list[tuple[str, bytes]] = []
        self._outbox_ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self, on_bytes: OnBytes) -> None:
        self._on_bytes = on_bytes
        await self._register()
        listening = asyncio.get_running_loop().create_future()
        self._confirmations[self._node_channel] = listening
        self._tasks = [
            asyncio.create_task(self._listen(), name=f"actors:{self.node_id}:redis-listener"),
            asyncio.create_task(self._write(), name=f"actors:{self.node_id}:redis-writer"),
        ]
        await self._wait_confirmed(listening)

    async def stop(self) -> None:
        await self._flush_outbox()
        await cancel_and_wait(self._tasks)
        with contextlib.suppress(RedisError, OSError, TimeoutError):
            async with asyncio.timeout(self._settings.timeout_s):
                await self._redis.delete(self._names.node_alive(self.node_id))
        await self._redis.aclose()

    # -- placement ------------------------------------------------------------------------

    async def claim(self, kind: str, key: str) -> Claim:
        keys = [
            self._names.lease(kind, key),
            self._names.fence_counter(kind, key),
            self._names.node_alive(self.node_id),
        ]
        args: list[str | int] = [
            self.node_id,
            self._incarnation,
            self._names.node_alive(""),
            _FENCE_COUNTER_TTL_MS,
            _LEASE_KEY_TTL_MS,
        ]
        result = await self._call(self._claim(keys=keys, args=args))
        if result[0] == -1:
            msg = "This node lost its cluster membership"
            raise UnavailableError(msg, component="redis")
        if result[0] == 1:
            token = int(result[1])
            value = f"{self.node_id}|{self._incarnation}|{token}"
            return Claim(lease=Lease(kind, key, token, value))
        return Claim(owner=result[1].decode())

    async def release(self, leases: list[Lease]) -> None:
        await self._per_lease(self._release, leases)

    async def refresh(self, leases: list[Lease]) -> None:
        await self._per_lease(self._extend, leases, _LEASE_KEY_TTL_MS)

    async def _per_lease(self, script: Any, leases: list[Lease], *extra: int) -> None:
        """Run a compare-and-act script on every lease key, in one pipeline."""
        if not leases:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for lease in leases:
                keys = [self._names.lease(lease.kind, lease.key)]
                await script(keys=keys, args=[lease.value, *extra], client=pipe)
            await self._call(pipe.execute())

    async def heartbeat(self) -> bool:
        alive = self._names.node_alive(self.node_id)
        renewed = await self._call(
            self._extend(keys=[alive], args=[self._incarnation, self._lease_ttl_ms])
        )
        if renewed:
            return True
        # Our liveness expired (outage, or Redis lost its data): every lease of the old
        # incarnation is void. Join again as a new incarnation.
        self._incarnation = uuid4().hex
        await self._register()
        return False

    async def _register(self) -> None:
        alive = self._names.node_alive(self.node_id)
        await self._call(self._redis.set(alive, self._incarnation, px=self._lease_ttl_ms))

    async def live_nodes(self) -> list[str]:
        prefix = self._names.node_alive("")
        nodes: list[str] = []
        async with asyncio.timeout(self._settings.timeout_s):
            async for name in self._redis.scan_iter(match=self._names.node_pattern(), count=500):
                nodes.append(name.decode()[len(prefix) :])
        return sorted(nodes)

    async def ping(self) -> None:
        await self._call(self._redis.ping())

    # -- messages -------------------------------------------------------------------------

    async def send_many(self, messages: list[tuple[str, bytes]]) -> list[int]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for node_id, data in messages:
                pipe.publish(self._names.node_channel(node_id), data)
            counts: list[int] = await self._call(pipe.execute())
        return counts

    def send_soon(self, node_id: str, data: bytes) -> None:
        self._outbox.append((self._names.node_channel(node_id), data))
        self._outbox_ready.set()

    def publish_soon(self, topic: str, data: bytes) -> None:
        self._outbox.append((self._names.topic_channel(topic), data))
        self._outbox_ready.set()

    async def _write(self) -> None:
        while True:
            await self._outbox_ready.wait()
            self._outbox_ready.clear()
            await self._flush_outbox()

    async def _flush_outbox(self) -> None:
        """Publish everything queued, including what arrives meanwhile.

        A batch is retried after a failure; it is dropped only after three failures in a row
        (replies then time out at the asker; topic messages are lost: pub/sub is at most once).
        """
        failures = 0
        while self._outbox:
            batch, self._outbox = self._outbox, []
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for channel, data in batch:
                        pipe.publish(channel, data)
                    await self._call(pipe.execute())
                failures = 0
            except UnavailableError:
                failures += 1
                if failures >= _PUBLISH_ATTEMPTS:
                    logger.error("dropped %d messages: Redis unavailable", len(batch))
                    failures = 0
                    continue
                logger.warning("publishing %d messages failed (attempt %d)", len(batch), failures)
                self._outbox[:0] = batch
                await asyncio.sleep(0.05 * 2**failures)

    # -- topics ---------------------------------------------------------------------------

    async def subscribe(self, topic: str) -> None:
        channel = self._names.topic_channel(topic).encode()
        self._topic_channels.add(channel)
        confirmed = asyncio.get_running_loop().create_future()
        self._confirmations[channel] = confirmed
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.subscribe(channel)
        await self._wait_confirmed(confirmed)

    async def unsubscribe(self, topic: str) -> None:
        channel = self._names.topic_channel(topic).encode()
        self._topic_channels.discard(channel)
        self._confirmations.pop(channel, None)
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.unsubscribe(channel)

    async def _wait_confirmed(self, confirmed: asyncio.Future[None]) -> None:
        try:
            async with asyncio.timeout(self._settings.timeout_s):
                await asyncio.shield(confirmed)
        except TimeoutError:
            msg = "Redis did not confirm a subscription"
            raise UnavailableError(msg, component="redis") from None

    async def _listen(self) -> None:
        backoff_s = 0.05
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self._node_channel, *self._topic_channels)
                self._pubsub = pubsub
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None:
                        backoff_s = 0.05
                        self._dispatch(message)
            except (RedisError, OSError, TimeoutError) as exc:
                logger.warning("Redis subscription lost (%s); reconnecting", exc)
            finally:
                self._pubsub = None
                with contextlib.suppress(RedisError, OSError, TimeoutError, RuntimeError):
                    await pubsub.aclose()
            await asyncio.sleep(backoff_s)
            backoff_s = min(backoff_s * 2, 1.0)

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "message" and self._on_bytes is not None:
            try:
                self._on_bytes(message["data"])
            except Exception:
                logger.exception("handling a message from Redis failed")
        elif kind == "subscribe":
            confirmed = self._confirmations.pop(message["channel"], None)
            if confirmed is not None and not confirmed.done():
                confirmed.set_result(None)

    async def _call(self, awaitable: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(self._settings.timeout_s):
                return await awaitable
        except (RedisError, OSError, TimeoutError) as exc:
            msg = "Redis unavailable"
            raise UnavailableError(msg, component="redis") from exc
