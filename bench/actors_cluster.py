"""Cross-node ask over the real Redis on 127.0.0.1: latency and throughput from node A (this
process) to an echo actor on node B (a child process), next to raw redis-py ping/pong between them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import platform
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any
from uuid import uuid4

import redis.asyncio as aioredis
import uvloop

from actors import ActorRef, AskTimeoutError, running_actor_system
from bench import cluster_peer
from bench.echo_actor import EchoActor, chat_message
from bench.load import Call, closed_loop, paced
from bench.raw_redis import RawPinger
from bench.stats import Latency
from core.settings import ActorSettings, RedisSettings

REDIS_URL = "redis://127.0.0.1:6379/0"
NODE_ID = "bench-a"
WARM_UP = 300
COUNT = 3_000
CONCURRENCY = (1, 10, 50)
PACED_RATES = (500, 2_000)
PACED_S = 3.0
BLOCKS = 3
MODERATE_CALLERS = (1, 10)
P99_TARGET_US = 5_000.0
START_TIMEOUT_S = 30.0
REPLY_TIMEOUT_S = 60.0
RAW_PAYLOAD = b"x" * 100


# Runs one block of calls into the sample list; returns its seconds (None for paced blocks).
Block = Callable[[Call, list[int]], Awaitable[float | None]]


def line(label: str, count: int, seconds: float | None, samples_ns: list[int]) -> Latency:
    """Print one measured row; returns its latency summary."""
    latency = Latency.of_ns(samples_ns)
    rate = f"{count / seconds:>9,.0f}/s" if seconds else f"{'':>11}"
    print(f"    {label:<24} {rate}   {latency.text()}")
    return latency


def hop_cost(runtime: Latency, raw: Latency) -> None:
    print(
        f"    {'runtime minus raw':<24} {'':>11}   p50 {runtime.p50_us - raw.p50_us:+,.1f} µs"
        f" (ratio {runtime.p50_us / raw.p50_us:.2f}), p99 {runtime.p99_us - raw.p99_us:+,.1f} µs"
        f" (ratio {runtime.p99_us / raw.p99_us:.2f})"
    )


async def pair(raw: Call, remote: Call, block: Block) -> Latency:
    """Raw and cross-node blocks in turn, so both see the same machine; prints both rows."""
    raw_ns: list[int] = []
    ours_ns: list[int] = []
    raw_s: float | None = 0.0
    ours_s: float | None = 0.0
    for _ in range(BLOCKS):
        raw_s = _add(raw_s, await block(raw, raw_ns))
        ours_s = _add(ours_s, await block(remote, ours_ns))
    raw_row = line("raw redis-py ping/pong", len(raw_ns), raw_s, raw_ns)
    ours = line("cross-node ask", len(ours_ns), ours_s, ours_ns)
    hop_cost(ours, raw_row)
    return ours


def _add(total: float | None, seconds: float | None) -> float | None:
    return None if total is None or seconds is None else total + seconds


def closed(callers: int) -> Block:
    def block(call: Call, samples_ns: list[int]) -> Awaitable[float]:
        return closed_loop(call, COUNT // BLOCKS, callers, samples_ns)

    return block


def open_loop(rate_per_s: int) -> Block:
    async def block(call: Call, samples_ns: list[int]) -> None:
        await paced(call, rate_per_s, PACED_S / BLOCKS, samples_ns)

    return block


async def on_node_b(conn: Connection, callers: int) -> Latency:
    """Ask node B to ask its own echo actor (the same actor, asked locally)."""
    conn.send((COUNT, callers))
    seconds, samples = await asyncio.to_thread(receive, conn, REPLY_TIMEOUT_S)
    return line("local ask on node B", COUNT, seconds, samples)


def receive(conn: Connection, timeout_s: float) -> Any:
    if not conn.poll(timeout_s):
        raise TimeoutError("node B did not answer")
    return conn.recv()


async def measure(
    conn: Connection, remote: RemoteEcho, raw: Call
) -> list[tuple[str, Latency, int]]:
    """Every row of the report; returns the cross-node rows that count as moderate load,
    with the number of asks lost in each."""
    moderate: list[tuple[str, Latency, int]] = []
    for callers in CONCURRENCY:
        print(f"  closed loop, {callers} concurrent asker(s), {COUNT:,} round trips each")
        before = remote.lost
        ours = await pair(raw, remote, closed(callers))
        lost = report_lost(remote.lost - before)
        await on_node_b(conn, callers)
        if callers in MODERATE_CALLERS:
            moderate.append((f"{callers} concurrent asker(s)", ours, lost))
    for rate in PACED_RATES:
        print(f"  paced (open loop), {rate:,} round trips/s for {PACED_S:.0f} s each")
        before = remote.lost
        ours = await pair(raw, remote, open_loop(rate))
        moderate.append((f"paced {rate:,}/s", ours, report_lost(remote.lost - before)))
    return moderate


def report_lost(lost: int) -> int:
    if lost:
        print(
            f"    {'LOST':<24} {'':>11}   {lost} cross-node asks timed out (in the figures above)"
        )
    return lost


class RemoteEcho:
    """Asks the echo actor on node B; an ask that times out is counted, and its wait measured."""

    def __init__(self, echo: ActorRef[EchoActor]) -> None:
        self._echo = echo
        self.lost = 0

    async def __call__(self, seq: int) -> Any:
        try:
            return await self._echo.ask(EchoActor.echo, chat_message(seq))
        except AskTimeoutError:
            self.lost += 1
            return None


async def node_a(conn: Connection, prefix: str) -> list[tuple[str, Latency, int]]:
    """Node A: wait for node B and its echo actor, then ask across and ping raw."""
    status, echo_on_b = await asyncio.to_thread(receive, conn, START_TIMEOUT_S)
    if status != "ready" or not echo_on_b:
        raise RuntimeError(f"node B is not ready: {status}, echo active there: {echo_on_b}")
    settings = RedisSettings(key_prefix=prefix)
    async with running_actor_system(
        ActorSettings(), node_id=NODE_ID, redis_url=REDIS_URL, redis_settings=settings
    ) as system:
        system.register(EchoActor)
        echo = system.ref(EchoActor, cluster_peer.ECHO_KEY)
        remote = RemoteEcho(echo)
        pinger = RawPinger(REDIS_URL, prefix, RAW_PAYLOAD)
        await pinger.start()
        try:
            for seq in range(WARM_UP):
                await remote(seq)
                await pinger.round_trip(seq)
            if system.is_active(echo.actor):
                raise RuntimeError("the echo actor was activated on node A; nothing crosses nodes")
            return await measure(conn, remote, pinger.round_trip)
        finally:
            await pinger.stop()


async def delete_keys(prefix: str) -> int:
    """Remove every key this run left under its prefix (fence counters, leftovers of a crash)."""
    client = aioredis.Redis.from_url(REDIS_URL, socket_timeout=5.0)
    try:
        async with asyncio.timeout(10.0):
            keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=500)]
            if keys:
                await client.delete(*keys)
        return len(keys)
    finally:
        await client.aclose()


def run(loop_name: str, prefix: str, conn: Connection) -> list[tuple[str, Latency, int]]:
    factory = uvloop.new_event_loop if loop_name == "uvloop" else None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(node_a(conn, prefix))


def verdict(moderate: list[tuple[str, Latency, int]]) -> None:
    print(f"target: cross-node ask p99 ≤ {P99_TARGET_US / 1000:.0f} ms at moderate load:")
    for label, latency, lost in moderate:
        met = "met" if latency.p99_us <= P99_TARGET_US and not lost else "MISSED"
        print(f"  {label}: p99 {latency.p99_us / 1000:.2f} ms, {lost} lost → {met}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="uvloop")
    loop_name = parser.parse_args().loop
    logging.basicConfig(
        level=logging.WARNING, format=f"{NODE_ID} %(levelname)s %(name)s %(message)s"
    )
    prefix = f"bench-{uuid4().hex[:8]}"
    print(f"Python {platform.python_version()}, {loop_name}, Redis {REDIS_URL}, prefix {prefix}")
    context = multiprocessing.get_context("spawn")
    conn, child_conn = context.Pipe()
    peer = context.Process(
        target=cluster_peer.serve,
        args=(child_conn, REDIS_URL, prefix, loop_name),
        name="bench-node-b",
        daemon=True,
    )
    peer.start()
    try:
        verdict(run(loop_name, prefix, conn))
    finally:
        stop_peer(conn, peer)
        print(f"removed {asyncio.run(delete_keys(prefix))} Redis keys matching {prefix}:*")


def stop_peer(conn: Connection, peer: BaseProcess) -> None:
    with contextlib.suppress(OSError):  # node B may be gone already
        conn.send("stop")
    peer.join(15)
    if peer.is_alive():
        peer.terminate()
        peer.join(5)


if __name__ == "__main__":
    main()
