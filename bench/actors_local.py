"""In-process actor runtime (embedded MemoryTransport): tell and ask throughput and ask latency,
under the stdlib loop and uvloop, each next to a bare asyncio Queue/future baseline of the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import platform
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Any, Protocol

import uvloop

from actors import ActorRef, running_actor_system
from bench.echo_actor import EchoActor
from bench.load import closed_loop, sequential
from bench.stats import Latency, Rates, comparison
from core.settings import ActorSettings

TELLS = 200_000
ASKS = 20_000
ACTORS = 1_000
CALLERS = 100
ROUNDS = 3
TELL_TARGET_PER_S = 300_000
# Tells the producer sends per turn of the loop before it yields. 32 lets one actor keep pace
# (it handles up to ``mailbox_batch`` = 64 per turn); 1,000 makes a backlog build up in its mailbox.
TELLS_PER_TURN = (32, 1_000)
NOTE, ECHO, COUNT = range(3)


class Target(Protocol):
    """Something that takes tells and answers asks: the runtime's actors or the bare baseline."""

    def tell(self, index: int) -> None: ...

    async def ask(self, value: int) -> Any: ...

    async def handled(self) -> int:
        """Tells handled so far, asked through the same mailboxes (so after every earlier tell)."""
        ...


class RuntimeTarget:
    """Echo actors of the runtime, told round-robin; asks go to the first one."""

    def __init__(self, refs: list[ActorRef[EchoActor]]) -> None:
        self._refs = refs
        self._size = len(refs)
        self._first = refs[0]

    def tell(self, index: int) -> None:
        self._refs[index % self._size].tell(EchoActor.note, index)

    async def ask(self, value: int) -> Any:
        return await self._first.ask(EchoActor.echo, value)

    async def handled(self) -> int:
        counts = await asyncio.gather(*(ref.ask(EchoActor.count) for ref in self._refs))
        return sum(counts)


class BareMailbox:
    """The baseline actor: an ``asyncio.Queue`` and one consumer task, nothing else."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[int, Any, asyncio.Future[Any] | None]] = asyncio.Queue()
        self.handled = 0
        self.task = asyncio.create_task(self._consume(), name="bench:bare-mailbox")

    async def _consume(self) -> None:
        while True:
            op, value, reply = await self.queue.get()
            if op == NOTE:
                self.handled += 1
            elif reply is not None:
                reply.set_result(value if op == ECHO else self.handled)

    async def request(self, op: int, value: Any) -> Any:
        reply = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((op, value, reply))
        return await reply


class BareTarget:
    """Bare mailboxes, told round-robin; asks (a bare future round trip) go to the first one."""

    def __init__(self, mailboxes: list[BareMailbox]) -> None:
        self._mailboxes = mailboxes
        self._size = len(mailboxes)
        self._first = mailboxes[0]

    def tell(self, index: int) -> None:
        self._mailboxes[index % self._size].queue.put_nowait((NOTE, index, None))

    async def ask(self, value: int) -> Any:
        return await self._first.request(ECHO, value)

    async def handled(self) -> int:
        counts = await asyncio.gather(*(box.request(COUNT, None) for box in self._mailboxes))
        return sum(counts)


@asynccontextmanager
async def bare_targets() -> AsyncIterator[tuple[BareTarget, BareTarget]]:
    """One bare mailbox, and ``ACTORS`` of them; their tasks end with the block."""
    one = [BareMailbox()]
    spread = [BareMailbox() for _ in range(ACTORS)]
    try:
        yield BareTarget(one), BareTarget(spread)
    finally:
        for box in one + spread:
            box.task.cancel()
        await asyncio.gather(*(box.task for box in one + spread), return_exceptions=True)


# -- tell throughput ----------------------------------------------------------------------------


async def tell_round(target: Target, count: int, per_turn: int) -> float:
    """Tell ``count`` messages, yielding after every ``per_turn``; the clock stops when the
    actors confirm they handled them all."""
    before = await target.handled()
    gc.collect()
    started = time.perf_counter()
    for index in range(count):
        target.tell(index)
        if index % per_turn == per_turn - 1:
            await asyncio.sleep(0)
    after = await target.handled()
    elapsed = time.perf_counter() - started
    if after - before != count:
        raise RuntimeError(f"{after - before} of {count} tells were handled")
    return elapsed


# -- the suite -----------------------------------------------------------------------------------


Round = Callable[[Target], Awaitable[float]]


async def compare(label: str, count: int, runtime: Target, baseline: Target, run: Round) -> Rates:
    """Alternate runtime and baseline rounds (after one warm-up each) and print both."""
    await run(runtime)
    await run(baseline)
    runtime_s: list[float] = []
    baseline_s: list[float] = []
    for _ in range(ROUNDS):
        runtime_s.append(await run(runtime))
        baseline_s.append(await run(baseline))
    ours, bare = Rates.of_rounds(count, runtime_s), Rates.of_rounds(count, baseline_s)
    print(f"  {label:<36} runtime {ours.text()}")
    print(f"  {'':<36} bare    {bare.text()}   {comparison(ours, bare)}")
    return ours


async def latency(runtime: Target, baseline: Target) -> None:
    """Sequential ask round trips, pooled over all rounds."""
    ours: list[int] = []
    bare: list[int] = []
    for _ in range(ROUNDS):
        await sequential(runtime.ask, ASKS, ours)
        await sequential(baseline.ask, ASKS, bare)
    print(f"  {'ask latency, sequential':<36} runtime {Latency.of_ns(ours).text()}")
    print(f"  {'':<36} bare    {Latency.of_ns(bare).text()}")


async def suite(loop_name: str) -> list[tuple[str, float]]:
    """Every measurement under the running loop; returns the tell rates for the target check."""
    print(f"== {loop_name}: {TELLS:,} tells / {ASKS:,} asks per round, {ROUNDS} rounds ==")
    print("  (tells 'N per turn': the producer yields to the loop after every N tells)")
    async with running_actor_system(ActorSettings(), node_id="bench") as system:
        system.register(EchoActor)
        one = RuntimeTarget([system.ref(EchoActor, "one")])
        spread = RuntimeTarget([system.ref(EchoActor, f"spread-{i}") for i in range(ACTORS)])
        await one.handled()
        await spread.handled()  # activates all of them before any clock runs
        async with bare_targets() as (bare_one, bare_spread):

            def asks(target: Target) -> Awaitable[float]:
                return sequential(target.ask, ASKS, [])

            def crowd(target: Target) -> Awaitable[float]:
                return closed_loop(target.ask, ASKS, CALLERS, [])

            tell_rates = await tell_rows(one, bare_one, spread, bare_spread)
            await compare("ask, 1 caller sequential", ASKS, one, bare_one, asks)
            await compare(f"ask, {CALLERS} callers concurrent", ASKS, one, bare_one, crowd)
            await latency(one, bare_one)
    return tell_rates


async def tell_rows(
    one: Target, bare_one: Target, spread: Target, bare_spread: Target
) -> list[tuple[str, float]]:
    """Tell throughput to one actor and to many, for each producer pace; returns the best rates."""
    rates: list[tuple[str, float]] = []
    for per_turn in TELLS_PER_TURN:

        def tells(target: Target, per_turn: int = per_turn) -> Awaitable[float]:
            return tell_round(target, TELLS, per_turn)

        for label, ours, bare in (
            ("1 actor", one, bare_one),
            (f"{ACTORS:,} actors", spread, bare_spread),
        ):
            row = f"{label}, {per_turn:,} per turn"
            rates.append((row, (await compare(f"tell, {row}", TELLS, ours, bare, tells)).best))
    return rates


def run_under(loop_name: str) -> list[tuple[str, float]]:
    factory = uvloop.new_event_loop if loop_name == "uvloop" else None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(suite(loop_name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loop", choices=["asyncio", "uvloop", "both"], default="both")
    chosen = parser.parse_args().loop
    loops = ["asyncio", "uvloop"] if chosen == "both" else [chosen]
    print(f"Python {platform.python_version()}, uvloop {version('uvloop')}")
    verdicts: list[str] = []
    for loop_name in loops:
        for label, rate in run_under(loop_name):
            verdict = "met" if rate >= TELL_TARGET_PER_S else "MISSED"
            verdicts.append(f"{loop_name}, {label}: {rate:,.0f}/s → {verdict}")
    print(f"target ≥ {TELL_TARGET_PER_S:,} in-process tells/s (best round):")
    for line in verdicts:
        print(f"  {line}")


if __name__ == "__main__":
    main()
