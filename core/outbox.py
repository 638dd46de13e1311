"""Delivery of durable outboxes (emails, webhook calls) of any package: claiming due rows,
back-off, giving up, and the background loop that does it. What a row means and how it travels
is the carrier's; which tables exist is the owning package's.

Rows are written in the transaction that caused them; this module only ever moves their state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Column, Executable, Integer, String, Table, Text, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utc_now
from core.database import Database, UtcDateTime

logger = logging.getLogger(__name__)

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"

BATCH_SIZE = 50
STOP_DRAIN_S = 10.0
# Seconds a claim outlives the slowest batch, so a live node never loses its rows to another.
LEASE_MARGIN_S = 60.0
INTERRUPTED = "delivery interrupted (the node stopped or lost its lease)"


def delivery_state_columns() -> list[Column[object]]:
    """The columns every outbox table has for its ``Carrier``: ``state`` (pending, delivered,
    failed: gave up), ``attempts``, due again at ``next_attempt_at``, ``last_error``,
    ``created_at`` and ``delivered_at``."""
    return [
        Column("state", String(16), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("next_attempt_at", UtcDateTime(), nullable=False),
        Column("last_error", Text, nullable=True),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("delivered_at", UtcDateTime(), nullable=True),
    ]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential back-off: ``base_delay_s`` doubling per failed attempt up to ``max_delay_s``,
    each delay shortened by up to ``jitter`` (a fraction) so failed rows do not return in step."""

    max_attempts: int
    base_delay_s: float = 10.0
    max_delay_s: float = 3600.0
    jitter: float = 0.2

    def delay_s(self, attempts: int, rng: random.Random) -> float:
        """The wait after the ``attempts``-th failed attempt (1-based)."""
        exponent = min(max(attempts - 1, 0), 32)
        delay = min(self.max_delay_s, self.base_delay_s * 2.0**exponent)
        return delay * (1.0 - rng.uniform(0.0, self.jitter))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to.

    ``final`` stops retrying although attempts remain (e.g. 410 Gone); ``values`` are more
    columns of the row to set (e.g. the HTTP status seen); ``statements`` run in the same
    transaction that records the outcome (e.g. disabling a webhook).
    """

    delivered: bool
    error: str | None = None
    final: bool = False
    values: Mapping[str, Any] = field(default_factory=dict)
    statements: Sequence[Executable] = ()


@dataclass(frozen=True, slots=True)
class Claimed:
    """A claimed row: its id, its attempt number (this attempt included) and what the carrier
    loaded to deliver it."""

    id: str
    attempts: int
    item: Any


class Carrier(Protocol):
    """Delivers the rows of one outbox table (``id``, ``state``, ``attempts``,
    ``next_attempt_at``, ``last_error``, ``delivered_at`` columns)."""

    name: str
    table: Table
    policy: RetryPolicy
    timeout_s: float  # the longest one delivery may take
    concurrency: int  # deliveries at once

    async def load(self, session: AsyncSession, ids: list[str]) -> dict[str, Any]:
        """What ``deliver`` needs for each claimed id (ids missing here are not delivered)."""
        ...

    async def deliver(self, item: Any) -> Outcome:
        """One attempt; expected failures come back as an ``Outcome``, never raised."""
        ...

    async def aclose(self) -> None: ...


@dataclass(slots=True)
class RunCounts:
    """What one pass did for one carrier."""

    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0


class Deliverer:
    """Delivers due rows of its carriers: ``run_once`` for one pass, ``start``/``stop`` (or
    ``running()``) for a loop every ``interval_s`` that ``wake()`` runs at once; ``name`` names
    its task.

    Several nodes may run one each: on PostgreSQL a claim takes rows with ``FOR UPDATE SKIP
    LOCKED`` and moves their ``next_attempt_at`` past a lease before committing, so no two nodes
    hold a row at once; an outcome is recorded only while the claim still holds (same attempt
    number). SQLite runs one process, and passes of one ``Deliverer`` never overlap.
    """

    def __init__(
        self,
        database: Database,
        carriers: Sequence[Carrier],
        *,
        interval_s: float,
        batch_size: int = BATCH_SIZE,
        rng: random.Random | None = None,
        name: str = "outbox",
    ) -> None:
        self._database = database
        self._name = name
        self._carriers = list(carriers)
        self._interval_s = interval_s
        self._batch_size = batch_size
        self._rng = rng or random.Random()
        self._pass = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        """Run a pass now (call after committing a transaction that queued something)."""
        self._wake.set()

    async def run_once(self, now: datetime | None = None) -> dict[str, RunCounts]:
        """One batch per carrier, due at ``now`` (default: the clock); counts by carrier name."""
        async with self._pass:
            return {
                carrier.name: await self._run_carrier(carrier, now) for carrier in self._carriers
            }

    async def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._loop(), name=f"{self._name}:deliverer")

    async def stop(self, drain_s: float = STOP_DRAIN_S) -> None:
        """End the loop after the pass in hand, waiting up to ``drain_s`` for it (a delivery
        still in flight then is abandoned: its row comes due again after the lease), and close
        the carriers."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), drain_s)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for carrier in self._carriers:
            await carrier.aclose()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Deliverer]:
        await self.start()
        try:
            yield self
        finally:
            await self.stop()

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            full = False
            try:
                counts = await self.run_once()
                full = any(count.claimed >= self._batch_size for count in counts.values())
            except Exception:  # the loop outlives a database outage or a bug in one pass
                logger.exception("%s: delivery pass failed", self._name)
            if not full and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._interval_s)

    def _lease_s(self, carrier: Carrier) -> float:
        rounds = math.ceil(self._batch_size / max(carrier.concurrency, 1))
        return carrier.timeout_s * rounds + LEASE_MARGIN_S

    async def _run_carrier(self, carrier: Carrier, now: datetime | None) -> RunCounts:
        counts = RunCounts()
        claimed = await self._claim(carrier, now or utc_now(), counts)
        if not claimed:
            return counts
        limit = asyncio.Semaphore(max(carrier.concurrency, 1))

        async def attempt(row: Claimed) -> Outcome:
            async with limit:
                return await _deliver_one(carrier, row)

        outcomes = await asyncio.gather(*(attempt(row) for row in claimed))
        results = list(zip(claimed, outcomes, strict=True))
        await self._record(carrier, results, now or utc_now(), counts)
        return counts

    async def _claim(self, carrier: Carrier, now: datetime, counts: RunCounts) -> list[Claimed]:
        table = carrier.table
        due = (
            select(table.c.id, table.c.attempts)
            .where(table.c.state == PENDING, table.c.next_attempt_at <= now)
            .order_by(table.c.next_attempt_at)
            .limit(self._batch_size)
        )
        if self._database.dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)
        async with self._database.transaction() as session:
            rows = (await session.execute(due)).all()
            spent = [row.id for row in rows if row.attempts >= carrier.policy.max_attempts]
            live = {row.id: row.attempts + 1 for row in rows if row.id not in spent}
            if spent:  # claimed to the last attempt before, and never came back
                await session.execute(
                    update(table)
                    .where(table.c.id.in_(spent))
                    .values(state=FAILED, last_error=func.coalesce(table.c.last_error, INTERRUPTED))
                )
                counts.failed += len(spent)
            if not live:
                return []
            lease_end = now + timedelta(seconds=self._lease_s(carrier))
            await session.execute(
                update(table)
                .where(table.c.id.in_(list(live)))
                .values(attempts=table.c.attempts + 1, next_attempt_at=lease_end)
            )
            items = await carrier.load(session, list(live))
        counts.claimed = len(live)
        return [Claimed(id, attempts, items[id]) for id, attempts in live.items() if id in items]

    async def _record(
        self,
        carrier: Carrier,
        results: list[tuple[Claimed, Outcome]],
        now: datetime,
        counts: RunCounts,
    ) -> None:
        table = carrier.table
        async with self._database.transaction() as session:
            for row, outcome in results:
                values = self._outcome_values(carrier, row, outcome, now)
                result = await session.execute(
                    update(table)
                    .where(
                        table.c.id == row.id,
                        table.c.attempts == row.attempts,
                        table.c.state == PENDING,
                    )
                    .values(**values)
                )
                if getattr(result, "rowcount", 1) == 0:
                    logger.warning("%s %s: lost its claim before the outcome", carrier.name, row.id)
                    continue
                for statement in outcome.statements:
                    await session.execute(statement)
                state = values["state"]
                if state == DELIVERED:
                    counts.delivered += 1
                elif state == FAILED:
                    counts.failed += 1
                else:
                    counts.retried += 1

    def _outcome_values(
        self, carrier: Carrier, row: Claimed, outcome: Outcome, now: datetime
    ) -> dict[str, Any]:
        values: dict[str, Any] = dict(outcome.values)
        if outcome.delivered:
            return {**values, "state": DELIVERED, "delivered_at": now, "last_error": None}
        values["last_error"] = outcome.error or "failed"
        if outcome.final or row.attempts >= carrier.policy.max_attempts:
            return {**values, "state": FAILED}
        delay = carrier.policy.delay_s(row.attempts, self._rng)
        return {**values, "state": PENDING, "next_attempt_at": now + timedelta(seconds=delay)}


async def _deliver_one(carrier: Carrier, row: Claimed) -> Outcome:
    try:
        return await carrier.deliver(row.item)
    except Exception as exc:  # one broken row must not keep the rest of the batch from its outcome
        logger.exception("%s %s: delivery raised", carrier.name, row.id)
        return Outcome(delivered=False, error=f"internal error: {type(exc).__name__}")
