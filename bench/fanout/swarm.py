"""A lean client swarm: N Socket.IO connections in one asyncio process, recording the delivery
latency of every message from the send stamp embedded in it.

Connects only where it is told (the runner uses 127.0.0.1); it never triggers sends itself.
"""

from __future__ import annotations

import asyncio
import json
import resource
import time
from collections.abc import Mapping

from bench.fanout.client import SocketIOClient, upgrade_request
from bench.fanout.contract import JOIN_EVENT, SEQ_KEY, STAMP_KEY

ENGINEIO_PATH = "/socket.io/?EIO=4&transport=websocket"
FILES_PER_CONNECTION = 1
SPARE_FILES = 256  # the runner's own sockets, pipes and imports


class SwarmError(Exception):
    """Some connections or joins failed; the message says how many."""


def raise_open_files(connections: int) -> int:
    """Lift the soft RLIMIT_NOFILE to what ``connections`` sockets need; returns the new limit.

    Raises ``SwarmError`` when the hard limit is too low (raising it needs privileges).
    """
    needed = connections * FILES_PER_CONNECTION + SPARE_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise SwarmError(f"RLIMIT_NOFILE hard limit {hard} < {needed} needed")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
        soft = needed
    return soft


class Swarm:
    """The connections of one run; ``latencies_ns[seq]`` has one sample per delivery of ``seq``."""

    def __init__(self, host: str, port: int, auth: Mapping[str, object] | None = None) -> None:
        self._request = upgrade_request(host, port, ENGINEIO_PATH)
        self._auth = json.dumps(auth, separators=(",", ":")).encode() if auth else b""
        self._address = (host, port)
        self.clients: list[SocketIOClient] = []
        self.latencies_ns: dict[int, list[int]] = {}
        self.unrecognised = 0
        self._complete: dict[int, asyncio.Future[None]] = {}

    @property
    def members(self) -> int:
        return len(self.clients)

    @property
    def disconnected(self) -> int:
        return sum(client.closed.done() for client in self.clients)

    async def connect(self, count: int, concurrency: int, timeout_s: float) -> None:
        """Open ``count`` connections, at most ``concurrency`` handshakes in flight.

        Raises ``SwarmError`` if any connection fails or the whole phase exceeds ``timeout_s``.
        """
        raise_open_files(count)
        gate = asyncio.Semaphore(concurrency)
        tasks = [asyncio.create_task(self._connect_one(gate)) for _ in range(count)]
        done, pending = await asyncio.wait(tasks, timeout=timeout_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        failures = [task.exception() for task in done if task.exception() is not None]
        if failures or pending:
            first = failures[0] if failures else "timed out"
            raise SwarmError(
                f"{len(failures)} failed and {len(pending)} unfinished of {count} connections"
                f" (first: {first!r})"
            )

    async def _connect_one(self, gate: asyncio.Semaphore) -> None:
        loop = asyncio.get_running_loop()
        async with gate:
            host, port = self._address
            _, client = await loop.create_connection(self._new_client, host, port)
            self.clients.append(client)
            await client.connected

    def _new_client(self) -> SocketIOClient:
        return SocketIOClient(self._request, self._auth, self.on_event)

    async def join(self, timeout_s: float) -> None:
        """Every member sends the join event; returns once all are acked."""
        acks = [client.emit(JOIN_EVENT) for client in self.clients]
        done, pending = await asyncio.wait(acks, timeout=timeout_s)
        failed = sum(1 for ack in done if ack.exception() is not None)
        for ack in pending:
            ack.cancel()
        if failed or pending:
            raise SwarmError(f"{failed} failed and {len(pending)} unacked of {len(acks)} joins")

    def expect(self, seq: int) -> asyncio.Future[None]:
        """A future that resolves once every member has received message ``seq``."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._complete[seq] = future
        self.latencies_ns.setdefault(seq, [])
        return future

    async def settle(self, timeout_s: float) -> None:
        """Wait until every expected message reached every member, or ``timeout_s`` passed."""
        waiting = [future for future in self._complete.values() if not future.done()]
        if waiting:
            await asyncio.wait(waiting, timeout=timeout_s)

    def on_event(self, frame: bytes) -> None:
        """The per-delivery hot path: two byte searches and two ``int()`` calls, no JSON."""
        now = time.time_ns()
        at = frame.find(STAMP_KEY)
        if at < 0:
            self.unrecognised += 1
            return
        comma = frame.find(b",", at)
        stamp = int(frame[at + len(STAMP_KEY) : comma])
        at = frame.find(SEQ_KEY, comma)
        seq = int(frame[at + len(SEQ_KEY) : frame.find(b",", at)])
        samples = self.latencies_ns.get(seq)
        if samples is None:
            samples = self.latencies_ns[seq] = []
        samples.append(now - stamp)
        if len(samples) == len(self.clients):
            future = self._complete.get(seq)
            if future is not None and not future.done():
                future.set_result(None)

    async def close(self, timeout_s: float) -> None:
        for client in self.clients:
            client.close()
        closing = [client.closed for client in self.clients]
        if closing:
            await asyncio.wait(closing, timeout=timeout_s)
