"""The outbox runner: back-off schedule, claims that no two nodes share (real PostgreSQL), rows of
a node that died, a broken row beside good ones, and the background loop woken after a commit."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from catalog.tickets import WebhookCarrier
from catalog.tickets.webhook_delivery import QueuedCall
from core.clock import utc_now
from core.database import Database
from core.outbox import INTERRUPTED, Deliverer, Outcome, RetryPolicy, RunCounts
from tests.catalog.outbox_support import (
    POSTGRES,
    Receiver,
    call_row,
    empty_outboxes,
    hooked_event,
    queue,
    running_receiver,
)
from tests.conftest import make_settings

LEASE_S = 5 * 5 + 60  # webhook timeout 5 s x (50 rows / 10 at once) + margin


@pytest.fixture(params=["sqlite", POSTGRES])
def dialect_database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


@pytest.fixture
async def database(dialect_database: Database) -> AsyncIterator[Database]:
    """The database of each dialect, with empty outboxes before and after the test."""
    await empty_outboxes(dialect_database)
    yield dialect_database
    await empty_outboxes(dialect_database)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with running_receiver(Receiver()) as running:
        yield running


def webhook_carrier(max_attempts: int = 8) -> WebhookCarrier:
    settings = make_settings(
        tickets={"webhook_max_attempts": max_attempts, "webhook_timeout_s": 5}
    ).tickets
    return WebhookCarrier(settings)


@contextlib.asynccontextmanager
async def deliverers(
    database: Database, count: int, *, carrier: Any = None, **options: Any
) -> AsyncIterator[list[Deliverer]]:
    """``count`` deliverers as on as many nodes, stopped afterwards."""
    made = [
        Deliverer(database, [carrier or webhook_carrier()], rng=random.Random(n), **options)
        for n in range(count)
    ]
    try:
        yield made
    finally:
        for deliverer in made:
            await deliverer.stop()


def test_the_back_off_doubles_from_10_s_to_an_hour_shortened_by_jitter() -> None:
    policy = RetryPolicy(max_attempts=20)
    rng = random.Random(1)
    for attempts, full in [(1, 10), (2, 20), (3, 40), (4, 80), (9, 2560), (10, 3600), (19, 3600)]:
        delays = [policy.delay_s(attempts, rng) for _ in range(50)]
        assert all(0.8 * full <= delay <= full for delay in delays)
        assert len(set(delays)) == 50


async def test_two_passes_at_once_never_deliver_a_row_twice(
    database: Database, receiver: Receiver
) -> None:
    """On PostgreSQL two nodes claim at once (FOR UPDATE SKIP LOCKED); SQLite has one process
    whose passes take turns."""
    receiver.delay_s = 0.02
    organizer_id, slug, _ = await hooked_event(database, receiver.url)
    queued = {await queue(database, organizer_id, slug) for _ in range(30)}
    nodes = 2 if database.dialect == "postgresql" else 1
    async with deliverers(database, nodes, interval_s=3600, batch_size=10) as made:
        passes = [made[n % nodes] for n in range(2)]
        first = await asyncio.gather(*(deliverer.run_once() for deliverer in passes))
        assert sum(counts["webhooks"].claimed for counts in first) == 20
        while any(
            counts["webhooks"].claimed
            for counts in await asyncio.gather(*(deliverer.run_once() for deliverer in passes))
        ):
            pass

    seen = Counter(receiver_ids(receiver))
    assert set(seen) == queued
    assert set(seen.values()) == {1}


def receiver_ids(receiver: Receiver) -> list[str]:
    return [headers["X-Eventyay-Webhook-Id"] for headers, _ in receiver.requests]


async def test_the_row_of_a_node_that_died_is_delivered_after_its_lease(
    database: Database, receiver: Receiver
) -> None:
    receiver.held = True
    organizer_id, slug, _ = await hooked_event(database, receiver.url)
    call_id = await queue(database, organizer_id, slug)
    start = utc_now()
    async with deliverers(database, 2, interval_s=3600) as (dying, other):
        attempt = asyncio.create_task(dying.run_once(start), name="test:dying-node")
        await asyncio.wait_for(receiver.arrived.wait(), 5)
        attempt.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await attempt
        receiver.held = False
        receiver.release.set()

        assert await other.run_once(start + timedelta(seconds=LEASE_S - 5)) == {
            "webhooks": RunCounts()
        }
        later = start + timedelta(seconds=LEASE_S + 1)
        assert await other.run_once(later) == {"webhooks": RunCounts(claimed=1, delivered=1)}

    assert receiver_ids(receiver) == [call_id, call_id]
    row = await call_row(database, call_id)
    assert (row["state"], row["attempts"]) == ("delivered", 2)


async def test_a_row_whose_last_attempt_was_interrupted_fails(
    database: Database, receiver: Receiver
) -> None:
    receiver.held = True
    organizer_id, slug, _ = await hooked_event(database, receiver.url)
    call_id = await queue(database, organizer_id, slug)
    start = utc_now()
    async with deliverers(database, 2, carrier=webhook_carrier(1), interval_s=3600) as made:
        attempt = asyncio.create_task(made[0].run_once(start), name="test:dying-node")
        await asyncio.wait_for(receiver.arrived.wait(), 5)
        attempt.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await attempt

        counts = await made[1].run_once(start + timedelta(seconds=LEASE_S + 1))

    assert counts == {"webhooks": RunCounts(failed=1)}
    row = await call_row(database, call_id)
    assert (row["state"], row["attempts"], row["last_error"]) == ("failed", 1, INTERRUPTED)


class BrokenForOneCarrier(WebhookCarrier):
    """The real carrier, with a bug that hits one chosen call."""

    broken_id = ""

    async def deliver(self, item: Any) -> Outcome:
        call: QueuedCall = item
        if call.id == self.broken_id:
            raise KeyError(call.id)
        return await super().deliver(item)


async def test_a_row_whose_delivery_raises_is_retried_and_the_rest_delivered(
    database: Database, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    organizer_id, slug, _ = await hooked_event(database, receiver.url)
    broken, good = [await queue(database, organizer_id, slug) for _ in range(2)]
    carrier = BrokenForOneCarrier(make_settings().tickets)
    carrier.broken_id = broken
    async with deliverers(database, 1, carrier=carrier, interval_s=3600) as [deliverer]:
        counts = await deliverer.run_once()

    assert counts == {"webhooks": RunCounts(claimed=2, delivered=1, retried=1)}
    assert receiver_ids(receiver) == [good]
    row = await call_row(database, broken)
    assert (row["state"], row["last_error"]) == ("pending", "internal error: KeyError")
    assert "delivery raised" in caplog.text


async def test_the_loop_delivers_at_once_when_woken_and_drains_full_batches(
    database: Database, receiver: Receiver
) -> None:
    organizer_id, slug, _ = await hooked_event(database, receiver.url)
    async with deliverers(database, 1, interval_s=3600, batch_size=2) as [deliverer]:
        await deliverer.start()
        await asyncio.sleep(0.2)  # the first pass, finding nothing, is over
        queued = {await queue(database, organizer_id, slug) for _ in range(5)}
        deliverer.wake()
        await receiver.wait_for(5)

    assert set(receiver_ids(receiver)) == queued
    for call_id in queued:
        assert (await call_row(database, call_id))["state"] == "delivered"
