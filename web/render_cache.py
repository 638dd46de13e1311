"""A small per-node cache of rendered response bodies: key → bytes and their ETag, kept for a
short TTL, at most ``max_entries`` of them (least recently used go first), one render per key at a
time. It knows nothing of what it caches; callers put in the key whatever must change the bytes."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

Render = Callable[[], Awaitable[bytes]]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered body and its strong ETag (quoted, from the body's SHA-256)."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> Rendered:
        return cls(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')


@dataclass(frozen=True, slots=True)
class _Entry:
    rendered: Rendered
    expires_at: float  # on the cache's monotonic clock


class RenderCache:
    """Rendered bodies by key for ``ttl_s`` seconds, counted from when their render started (so
    a body is never older than that). Concurrent misses for one key share one render; a failed
    render is not kept, its waiters get the same error and the next call renders again.
    ``clock`` is a monotonic time in seconds (tests pass their own)."""

    def __init__(
        self,
        *,
        ttl_s: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_s <= 0 or max_entries <= 0:
            msg = f"ttl_s and max_entries must be positive (got {ttl_s}, {max_entries})"
            raise ValueError(msg)
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._flights: dict[Hashable, asyncio.Future[Rendered]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: Hashable, render: Render) -> Rendered:
        """The body kept for ``key``, or ``render()``'s (kept from now on); raises what
        ``render`` raises."""
        while True:
            found = self._fresh(key)
            if found is not None:
                return found
            flight = self._flights.get(key)
            if flight is None:
                return await self._lead(key, render)
            # wait() neither raises the render's error nor cancels the flight when we are.
            await asyncio.wait((flight,))
            if not flight.cancelled():
                return flight.result()
            # The leader was cancelled (its client went away): the next one of us renders.

    def _fresh(self, key: Hashable) -> Rendered | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires_at <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry.rendered

    async def _lead(self, key: Hashable, render: Render) -> Rendered:
        flight: asyncio.Future[Rendered] = asyncio.get_running_loop().create_future()
        self._flights[key] = flight
        started = self._clock()
        try:
            rendered = Rendered.of(await render())
            self._keep(key, _Entry(rendered, started + self.ttl_s))
            flight.set_result(rendered)
            return rendered
        except Exception as error:
            flight.set_exception(error)
            flight.exception()  # marked as retrieved: there may be no waiter to do it
            raise
        finally:
            del self._flights[key]
            if not flight.done():  # the leader was cancelled: a waiter renders instead
                flight.cancel()

    def _keep(self, key: Hashable, entry: _Entry) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


__all__ = ["RenderCache", "Rendered"]
