"""Small actors that exercise the runtime; node processes in integration tests import them too."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Column, MetaData, String, Table, insert, select, update

from actors import Actor, RestartPolicy
from core.errors import ProtocolError


class TooLargeError(ProtocolError):
    code = "test.too_large"
    default_message = "The value is too large"


class Recorder(Actor):
    """Remembers what it was told, in order."""

    kind_name = "test.recorder"
    activations: ClassVar[list[str]] = []
    deactivations: ClassVar[list[str]] = []

    async def on_activate(self) -> None:
        self.seen: list[Any] = []
        self.in_flight = 0
        self.max_in_flight = 0
        Recorder.activations.append(self.key)

    async def on_deactivate(self) -> None:
        Recorder.deactivations.append(self.key)

    async def record(self, value: Any) -> None:
        self.seen.append(value)

    async def slow_record(self, value: Any, delay_s: float) -> int:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        await asyncio.sleep(delay_s)
        self.seen.append(value)
        self.in_flight -= 1
        return len(self.seen)

    async def history(self) -> list[Any]:
        return list(self.seen)

    async def concurrency(self) -> int:
        return self.max_in_flight

    async def check(self, value: int) -> int:
        if value > 10:
            raise TooLargeError(limit=10, value=value)
        if value < 0:
            raise ValueError(f"negative: {value}")
        return value

    async def ask_myself(self) -> list[Any]:
        return await self.system.ref(Recorder, self.key).ask(Recorder.history)

    async def where(self) -> str:
        return self.system.node_id


class Fragile(Actor):
    """Fails on command; counts its activations to show restarts."""

    kind_name = "test.fragile"
    restart = RestartPolicy(max_restarts=2, within_s=30.0, backoff_s=0.01)
    activations = 0

    async def on_activate(self) -> None:
        Fragile.activations += 1
        self.value = 0

    async def set(self, value: int) -> None:
        self.value = value

    async def fail(self) -> None:
        raise RuntimeError("asked to fail")

    async def get(self) -> int:
        return self.value


class Ticker(Actor):
    """Uses timers."""

    kind_name = "test.ticker"

    async def on_activate(self) -> None:
        self.ticks: list[str] = []

    async def schedule(self, name: str, delay_s: float, interval_s: float | None = None) -> None:
        self.timers.start(name, delay_s, Ticker.tick, name, interval_s=interval_s)

    async def cancel(self, name: str) -> bool:
        return self.timers.cancel(name)

    async def tick(self, name: str) -> None:
        self.ticks.append(name)

    async def seen(self) -> list[str]:
        return list(self.ticks)


counter_tables = MetaData()
counters = Table(
    "test_counters",
    counter_tables,
    Column("key", String(100), primary_key=True),
    Column("value", BigInteger, nullable=False),
)
counter_ops = Table(
    "test_counter_ops",
    counter_tables,
    Column("key", String(100), primary_key=True),
    Column("op", String(100), primary_key=True),
)


class DurableCounter(Actor):
    """A fenced counter: applies each idempotency key once, durably, before acknowledging."""

    kind_name = "test.durable_counter"
    fenced = True

    async def on_activate(self) -> None:
        async with self.deps.database.transaction() as session:
            row = await session.execute(select(counters.c.value).where(counters.c.key == self.key))
            self.value = row.scalar() or 0
            ops = await session.execute(
                select(counter_ops.c.op).where(counter_ops.c.key == self.key)
            )
            self.applied = set(ops.scalars())

    async def increment(self, op: str) -> int:
        if op in self.applied:
            return self.value
        async with self.fenced_transaction() as session:
            await session.execute(insert(counter_ops).values(key=self.key, op=op))
            if self.value == 0 and not self.applied:
                await session.execute(insert(counters).values(key=self.key, value=1))
            else:
                await session.execute(
                    update(counters).where(counters.c.key == self.key).values(value=self.value + 1)
                )
        self.applied.add(op)
        self.value += 1
        return self.value

    async def get(self) -> int:
        return self.value

    async def where(self) -> str:
        return self.system.node_id
