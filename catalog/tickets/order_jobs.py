"""The orders' background job: every interval, expire pending orders past their payment term,
settle confirmed payments of unpaid orders again, and queue payment reminders. Every node may run
it: each change is a conditional update, so two nodes expiring the same order change it once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from catalog.tickets.order_service import OrderService

logger = logging.getLogger(__name__)


async def run_order_jobs(orders: OrderService, wake_delivery: Callable[[], None]) -> int:
    """One pass; how many orders it changed or reminded."""
    changed = (
        await orders.expire_overdue()
        + await orders.settle_stranded_payments()
        + await orders.send_reminders()
    )
    if changed:
        wake_delivery()
    return changed


@asynccontextmanager
async def running_order_jobs(
    orders: OrderService, wake_delivery: Callable[[], None], *, interval_s: float
) -> AsyncIterator[None]:
    """Run the job every ``interval_s`` for the lifetime of the block."""

    async def loop() -> None:
        while True:
            try:
                await run_order_jobs(orders, wake_delivery)
            except asyncio.CancelledError:
                raise
            except Exception:  # the next pass tries again
                logger.exception("order jobs failed")
            await asyncio.sleep(interval_s)

    task = asyncio.create_task(loop(), name="tickets:order-jobs")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
