"""Fan-out benchmark runner: for each room size and each server implementation, start the server,
join a swarm of that many members to room "r", send paced messages to the room and report server
CPU per delivery, deliveries/s and delivery latency. Loopback only; prints, never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import resource
import statistics
import time
from dataclasses import dataclass, field
from importlib.metadata import version

import httpx
import uvloop

from bench.fanout.contract import SEND_PATH
from bench.fanout.serve import HOST, ws_implementation
from bench.fanout.server_process import ServerProcess
from bench.fanout.swarm import Swarm
from bench.stats import percentile

SERVERS = {
    "stock": "bench.fanout.stock_server",
    "stock-gc-off": "bench.fanout.stock_gc_off",
    "project": "bench.fanout.project_server",
}
START_TIMEOUT_S = 30.0
JOIN_TIMEOUT_S = 60.0
CLOSE_TIMEOUT_S = 10.0
TRIGGER_TIMEOUT_S = 30.0
QUIET_S = 2.0  # after the joins, so handshake work does not leak into the send phase


@dataclass(frozen=True, slots=True)
class Options:
    messages: int
    warmup: int
    interval_s: float
    settle_s: float
    timeout_s: float
    concurrency: int
    connect_timeout_s: float
    pin: bool
    auth: dict[str, object] | None


@dataclass(slots=True)
class SendPhase:
    """What the send phase measured: CPU only inside each message's window (trigger → delivered)."""

    server_cpu_s: float = 0.0
    swarm_cpu_s: float = 0.0
    emit_ns: list[int] = field(default_factory=list)
    lagging: int = 0


@dataclass(frozen=True, slots=True)
class CaseResult:
    server: str
    members: int
    messages: int
    connect_s: float
    handshake_cpu_us: float
    rss_per_member_kb: float
    deliveries: int
    undelivered: int
    disconnected: int
    server_cpu_us: float
    swarm_cpu_us: float
    fanout_rate_per_s: float
    emit_ms: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    lagging: int

    @property
    def per_core(self) -> float:
        """Deliveries/s one core could make at this cost (NaN when the windows were too short
        for the 10 ms CPU counter to move)."""
        return 1e6 / self.server_cpu_us if self.server_cpu_us else float("nan")

    def text(self) -> str:
        return (
            f"  set-up: {self.members:,} connected in {self.connect_s:.1f} s,"
            f" server {self.handshake_cpu_us:,.0f} µs CPU per connect+join,"
            f" {self.rss_per_member_kb:.1f} KB RSS per member\n"
            f"  {self.messages} messages: {self.deliveries:,} delivered, {self.undelivered:,}"
            f" undelivered, {self.disconnected} disconnected, {self.lagging} over the settle time\n"
            f"  server CPU {self.server_cpu_us:.1f} µs per delivery"
            f" ({self.per_core:,.0f} deliveries/s per core);"
            f" swarm CPU {self.swarm_cpu_us:.1f} µs per delivery\n"
            f"  fan-out rate {self.fanout_rate_per_s:,.0f} deliveries/s (send stamp → last member);"
            f" emit() returned after {self.emit_ms:.1f} ms (median)\n"
            f"  delivery latency p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms,"
            f" max {self.max_ms:.1f} ms"
        )

    def row(self) -> str:
        return (
            f"| {self.server} | {self.members:,} | {self.messages} | {self.server_cpu_us:.1f} µs"
            f" | {self.per_core:,.0f}/s | {self.fanout_rate_per_s:,.0f}/s"
            f" | {self.p50_ms:.0f} / {self.p99_ms:.0f} / {self.max_ms:.0f} ms"
            f" | {self.undelivered:,} | {self.swarm_cpu_us:.1f} µs |"
        )


TABLE_HEAD = (
    "| server | members | msgs | server CPU per delivery | per core | fan-out rate"
    " | latency p50 / p99 / max | undelivered | swarm CPU per delivery |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def send_one(
    seq: int, swarm: Swarm, server: ServerProcess, http: httpx.AsyncClient, options: Options
) -> tuple[float, float, int, bool]:
    """Trigger message ``seq`` and wait until every member has it or ``settle_s`` passed.

    Returns the window's server CPU s, swarm CPU s, emit ns and whether it completed.
    """
    delivered = swarm.expect(seq)
    server_before, swarm_before = server.cpu_s(), own_cpu_s()
    reply = await http.post(SEND_PATH, params={"seq": seq})
    reply.raise_for_status()
    done, _ = await asyncio.wait([delivered], timeout=options.settle_s)
    return (
        server.cpu_s() - server_before,
        own_cpu_s() - swarm_before,
        int(reply.json()["emit_ns"]),
        bool(done),
    )


async def send_all(swarm: Swarm, server: ServerProcess, options: Options) -> SendPhase:
    """Warm-up messages first (not counted), then ``messages`` paced by ``interval_s``; a message
    is only sent once the previous one reached everyone or its settle time ran out."""
    phase = SendPhase()
    async with httpx.AsyncClient(base_url=server.base_url, timeout=TRIGGER_TIMEOUT_S) as http:
        for seq in range(options.warmup):
            await send_one(seq, swarm, server, http, options)
            await asyncio.sleep(options.interval_s)
        for seq in range(options.warmup, options.warmup + options.messages):
            due = time.monotonic() + options.interval_s
            server_s, swarm_s, emit_ns, complete = await send_one(seq, swarm, server, http, options)
            phase.server_cpu_s += server_s
            phase.swarm_cpu_s += swarm_s
            phase.emit_ns.append(emit_ns)
            phase.lagging += not complete
            await asyncio.sleep(max(0.0, due - time.monotonic()))
    await swarm.settle(options.timeout_s)
    return phase


async def run_case(name: str, module: str, members: int, options: Options) -> CaseResult:
    server = ServerProcess(module, cpu=0 if options.pin else None)
    swarm = Swarm(HOST, server.port, options.auth)
    try:
        server.spawn()
        await server.wait_ready(START_TIMEOUT_S)
        cpu_before, rss_before, started = server.cpu_s(), server.rss_bytes(), time.monotonic()
        await swarm.connect(members, options.concurrency, options.connect_timeout_s)
        connect_s = time.monotonic() - started
        await swarm.join(JOIN_TIMEOUT_S)
        setup_cpu_s, rss_added = server.cpu_s() - cpu_before, server.rss_bytes() - rss_before
        gc.collect()
        gc.freeze()  # the swarm's thousands of long-lived objects need no rescanning
        await asyncio.sleep(QUIET_S)
        phase = await send_all(swarm, server, options)
        disconnected = swarm.disconnected
    finally:
        await swarm.close(CLOSE_TIMEOUT_S)
        server.stop()
        gc.unfreeze()
    return summarise(name, swarm, phase, options, setup_cpu_s, rss_added, connect_s, disconnected)


def summarise(
    name: str,
    swarm: Swarm,
    phase: SendPhase,
    options: Options,
    setup_cpu_s: float,
    rss_added: int,
    connect_s: float,
    disconnected: int,
) -> CaseResult:
    members = swarm.members
    measured = [
        swarm.latencies_ns.get(seq, [])
        for seq in range(options.warmup, options.warmup + options.messages)
    ]
    samples = sorted(sample for message in measured for sample in message)
    deliveries = len(samples)
    fanout_s = sum(max(message) for message in measured if message) / 1e9
    return CaseResult(
        server=name,
        members=members,
        messages=options.messages,
        connect_s=connect_s,
        handshake_cpu_us=setup_cpu_s / members * 1e6,
        rss_per_member_kb=rss_added / members / 1000,
        deliveries=deliveries,
        undelivered=members * options.messages - deliveries,
        disconnected=disconnected,
        server_cpu_us=phase.server_cpu_s / max(deliveries, 1) * 1e6,
        swarm_cpu_us=phase.swarm_cpu_s / max(deliveries, 1) * 1e6,
        fanout_rate_per_s=deliveries / fanout_s if fanout_s else float("nan"),
        emit_ms=statistics.median(phase.emit_ns) / 1e6,
        p50_ms=percentile(samples, 0.50) / 1e6,
        p99_ms=percentile(samples, 0.99) / 1e6,
        max_ms=samples[-1] / 1e6 if samples else float("nan"),
        lagging=phase.lagging,
    )


async def run_all(servers: list[str], sizes: list[int], options: Options) -> list[CaseResult]:
    results = []
    for members in sizes:
        for name in servers:
            print(f"{name}, {members:,} members", flush=True)
            result = await run_case(name, SERVERS.get(name, name), members, options)
            print(result.text(), flush=True)
            results.append(result)
    return results


def parse_options() -> tuple[list[str], list[int], Options]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, nargs="+", default=[1_000, 5_000])
    parser.add_argument(
        "--server",
        nargs="+",
        default=["stock"],
        help="'stock' or a dotted module exposing create_app() (see bench/fanout/contract.py)",
    )
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2, help="messages sent first, not counted")
    parser.add_argument("--interval-s", type=float, default=0.5)
    parser.add_argument("--settle-s", type=float, default=10.0, help="wait per message at most")
    parser.add_argument("--timeout-s", type=float, default=60.0, help="final wait for stragglers")
    parser.add_argument("--concurrency", type=int, default=100, help="handshakes in flight")
    parser.add_argument("--connect-timeout-s", type=float, default=180.0)
    parser.add_argument("--pin", action="store_true", help="server on CPU 0, swarm on CPU 1")
    parser.add_argument("--auth", type=json.loads, default=None, help="JSON for the 40 packet")
    args = parser.parse_args()
    options = Options(
        messages=args.messages,
        warmup=args.warmup,
        interval_s=args.interval_s,
        settle_s=args.settle_s,
        timeout_s=args.timeout_s,
        concurrency=args.concurrency,
        connect_timeout_s=args.connect_timeout_s,
        pin=args.pin,
        auth=args.auth,
    )
    return args.server, args.members, options


def main() -> None:
    servers, sizes, options = parse_options()
    if options.pin:
        os.sched_setaffinity(0, {1})
    print(
        f"Python {platform.python_version()}, uvloop {version('uvloop')}, uvicorn"
        f" {version('uvicorn')} (ws {ws_implementation()}), python-socketio"
        f" {version('python-socketio')}, python-engineio {version('python-engineio')}"
    )
    print(
        f"{options.messages} messages per case after {options.warmup} warm-up,"
        f" one every {options.interval_s} s at most; pinned: {options.pin}",
        flush=True,
    )
    results = uvloop.run(run_all(servers, sizes, options))
    print()
    print(TABLE_HEAD)
    for result in results:
        print(result.row())


if __name__ == "__main__":
    main()
