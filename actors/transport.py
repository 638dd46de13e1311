"""The seam between the runtime and the cluster: placement leases, node messages and topics.

``MemoryTransport`` is the embedded implementation, ``RedisTransport`` the cluster one.
The runtime above is the same for both.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

OnBytes = Callable[[bytes], None]


@dataclass(frozen=True, slots=True)
class Lease:
    """This node's ownership of one actor key, with its fencing token."""

    kind: str
    key: str
    token: int
    value: str


@dataclass(frozen=True, slots=True)
class Claim:
    """The result of trying to own an actor: a lease for us, or the live owner's node id."""

    lease: Lease | None = None
    owner: str | None = None


class Transport(Protocol):
    """What the actor system needs from the cluster."""

    node_id: str
    distributed: bool
    """True when other nodes exist: leases can expire and topics cross the process."""

    async def start(self, on_bytes: OnBytes) -> None:
        """Join the cluster; ``on_bytes`` receives every envelope addressed to this node."""

    async def stop(self) -> None:
        """Leave the cluster; other nodes may take this node's actors at once."""

    async def claim(self, kind: str, key: str) -> Claim:
        """Own ``(kind, key)`` unless a live node does; raises ``UnavailableError`` on outage."""

    async def release(self, leases: list[Lease]) -> None:
        """Give leases back (after passivation or at shutdown)."""

    async def heartbeat(self) -> bool:
        """Renew this node's liveness; False means it was lost and every lease with it."""

    async def refresh(self, leases: list[Lease]) -> None:
        """Keep long-lived lease keys from expiring while their actors stay active."""

    async def send_many(self, messages: list[tuple[str, bytes]]) -> list[int]:
        """Send envelopes to nodes; per message, how many receivers got it (0: node gone)."""

    def send_soon(self, node_id: str, data: bytes) -> None:
        """Send without waiting (replies); batched with other sends."""

    def publish_soon(self, topic: str, data: bytes) -> None:
        """Publish on a topic's channel without waiting; batched."""

    async def subscribe(self, topic: str) -> None:
        """Start receiving a topic's channel on this node."""

    async def unsubscribe(self, topic: str) -> None:
        """Stop receiving a topic's channel on this node."""

    async def ping(self) -> None:
        """Raise ``UnavailableError`` unless the cluster medium answers."""

    async def live_nodes(self) -> list[str]:
        """Ids of the nodes currently alive in the cluster."""


class TokenClock:
    """Fencing tokens for the embedded mode: microseconds since the epoch, strictly increasing.

    Seeding from the wall clock keeps tokens growing across restarts of the process, the same
    rule the Redis implementation uses when its counters are lost.
    """

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        self._last = max(self._last + 1, time.time_ns() // 1000)
        return self._last


class MemoryTransport:
    """The embedded transport: one node, every lease is ours, topics stay in the process."""

    distributed = False

    def __init__(self, node_id: str) -> None:
        self.node_id = node_id
        self._tokens = TokenClock()
        self._incarnation = itertools.count(1)

    async def start(self, on_bytes: OnBytes) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def claim(self, kind: str, key: str) -> Claim:
        token = self._tokens.next()
        return Claim(lease=Lease(kind, key, token, f"{self.node_id}|{token}"))

    async def release(self, leases: list[Lease]) -> None:
        pass

    async def heartbeat(self) -> bool:
        return True

    async def refresh(self, leases: list[Lease]) -> None:
        pass

    async def send_many(self, messages: list[tuple[str, bytes]]) -> list[int]:
        # There is no other node: nothing can be delivered anywhere else.
        return [0 for _ in messages]

    def send_soon(self, node_id: str, data: bytes) -> None:
        pass

    def publish_soon(self, topic: str, data: bytes) -> None:
        pass  # Local subscribers were served directly by Topics.

    async def subscribe(self, topic: str) -> None:
        pass

    async def unsubscribe(self, topic: str) -> None:
        pass

    async def ping(self) -> None:
        pass

    async def live_nodes(self) -> list[str]:
        return [self.node_id]
