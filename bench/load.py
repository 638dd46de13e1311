"""Load patterns for the benchmarks: sequential, closed-loop concurrent and paced (open-loop) calls.

Each records per-call latency in nanoseconds; none knows what the call does.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable
from typing import Any

Call = Callable[[int], Awaitable[Any]]


async def sequential(call: Call, count: int, samples_ns: list[int]) -> float:
    """``count`` calls one after another; returns the seconds taken."""
    gc.collect()
    clock = time.perf_counter_ns
    started = clock()
    for value in range(count):
        sent = clock()
        await call(value)
        samples_ns.append(clock() - sent)
    return (clock() - started) / 1e9


async def closed_loop(call: Call, count: int, callers: int, samples_ns: list[int]) -> float:
    """``callers`` concurrent callers, each waiting for its reply before the next call."""
    if callers == 1:
        return await sequential(call, count, samples_ns)
    gc.collect()
    started = time.perf_counter_ns()
    await asyncio.gather(
        *(sequential_quiet(call, count // callers, samples_ns) for _ in range(callers))
    )
    return (time.perf_counter_ns() - started) / 1e9


async def sequential_quiet(call: Call, count: int, samples_ns: list[int]) -> None:
    """``sequential`` without the collection before it (it runs inside a timed gather)."""
    clock = time.perf_counter_ns
    for value in range(count):
        sent = clock()
        await call(value)
        samples_ns.append(clock() - sent)


async def paced(call: Call, rate_per_s: float, duration_s: float, samples_ns: list[int]) -> int:
    """Start calls at ``rate_per_s`` whatever the replies do (open loop); returns calls started.

    Latency counts from each call's launch, so the load generator's own timer lag is left out.
    """
    pending: set[asyncio.Task[None]] = set()
    clock = time.perf_counter_ns
    started = clock()
    sent = 0
    total = int(rate_per_s * duration_s)
    while sent < total:
        due_now = min(total, int((clock() - started) / 1e9 * rate_per_s) + 1)
        for index in range(sent, due_now):
            task = asyncio.create_task(_timed(call, index, clock(), samples_ns))
            pending.add(task)
            task.add_done_callback(pending.discard)
        sent = due_now
        await asyncio.sleep(1 / rate_per_s)
    if pending:
        await asyncio.gather(*pending)
    return sent


async def _timed(call: Call, value: int, launched_ns: int, samples_ns: list[int]) -> None:
    await call(value)
    samples_ns.append(time.perf_counter_ns() - launched_ns)
