"""The baseline for one cross-node hop: a raw redis-py PUBLISH, a subscriber, and a PUBLISH back.

No actor runtime, no envelope codec; the channel names sit under the benchmark's key prefix.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from typing import Any

import redis.asyncio as aioredis

TIMEOUT_S = 5.0


def channels(prefix: str) -> tuple[str, str]:
    """The ping channel (to the echoing process) and the pong channel (back)."""
    return f"{prefix}:bench:ping", f"{prefix}:bench:pong"


class _Subscriber:
    """One redis-py client listening on one channel in a task, as the actor transport does."""

    def __init__(self, url: str, channel: str) -> None:
        self.redis = aioredis.Redis.from_url(url, socket_timeout=TIMEOUT_S)
        self._channel = channel
        self._pubsub: Any = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._pubsub = self.redis.pubsub()
        async with asyncio.timeout(TIMEOUT_S):
            await self._pubsub.subscribe(self._channel)
        self._task = asyncio.create_task(self._listen(), name=f"bench:raw:{self._channel}")

    async def _listen(self) -> None:
        while True:
            message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is not None and message["type"] == "message":
                await self.arrived(message["data"])

    async def arrived(self, data: bytes) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._pubsub is not None:
            await self._pubsub.aclose()
        await self.redis.aclose()


class RawEcho(_Subscriber):
    """Publishes every ping straight back as a pong, one PUBLISH at a time, from the listener."""

    def __init__(self, url: str, prefix: str) -> None:
        ping, self._pong = channels(prefix)
        super().__init__(url, ping)

    async def arrived(self, data: bytes) -> None:
        await self.redis.publish(self._pong, data)


class RawPinger(_Subscriber):
    """Sends pings with an id and completes each caller's future when its pong comes back."""

    def __init__(self, url: str, prefix: str, payload: bytes) -> None:
        self._ping, pong = channels(prefix)
        super().__init__(url, pong)
        self._payload = payload
        self._ids = itertools.count(1)
        self._waiting: dict[bytes, asyncio.Future[None]] = {}

    async def arrived(self, data: bytes) -> None:
        waiter = self._waiting.pop(data.partition(b":")[0], None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def round_trip(self, _: int) -> None:
        """One ping and its pong."""
        request_id = str(next(self._ids)).encode()
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = waiter
        try:
            async with asyncio.timeout(TIMEOUT_S):
                await self.redis.publish(self._ping, request_id + b":" + self._payload)
                await waiter
        finally:
            self._waiting.pop(request_id, None)
