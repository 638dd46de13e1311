"""The designs ``bench/orders.py`` measures the inventory actor against: one transaction per order
that locks the quota (a row lock, or pretix's advisory lock), recomputes its availability from
rows, and writes the same order rows the actor writes. Bench only; no service uses this.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets import sale_writes
from catalog.tickets.availability import AvailabilityState, quota_availability
from catalog.tickets.availability_queries import quota_usages
from catalog.tickets.errors import SoldOutError
from catalog.tickets.offers import Offer, Offers
from catalog.tickets.order_summary import Summary
from catalog.tickets.sale import Line, PricedLine
from catalog.tickets.sale_orders import OrderDraft, build_order, fresh_codes
from catalog.tickets.tables import order_positions, orders, quotas
from core.clock import utc_now
from core.database import Database

Lock = Literal["rowlock", "advisory"]


def advisory_key(quota_id: str) -> int:
    """A stable signed 64-bit lock key for a quota (pretix hashes the object it locks too)."""
    digest = hashlib.blake2b(f"tickets.quota:{quota_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class LockedSale:
    """Sells single-ticket orders of one event, one transaction per order."""

    def __init__(self, database: Database, offers: Offers, lock: Lock) -> None:
        self.database = database
        self.offers = offers
        self.lock = lock

    async def place(self, product_id: str) -> Summary:
        """One pending order for one ticket of ``product_id``.

        Raises:
            SoldOutError: a quota of the item has no room left.
        """
        offer = self.offers.get(product_id, None)
        assert offer is not None, "the benchmark sells a product it made"
        async with self.database.transaction() as session:
            await self._take_locks(session, offer.quota_ids)
            now = utc_now()  # after the lock: the decision time the benchmark checks
            usages = await quota_usages(session, offer.quota_ids, now)
            for quota_id in offer.quota_ids:
                availability = quota_availability(usages[quota_id])
                if not availability.allows():
                    raise SoldOutError(items=[_refusal(offer, availability.state)])
            priced = [PricedLine(Line(product_id), offer, offer.price, None)]
            order = build_order(self.offers.terms, OrderDraft(), priced, now)
            order.set_code(await _free_code(session, self.offers.terms.event_id))
            await session.execute(insert(orders), [order.row])
            await session.execute(insert(order_positions), order.position_rows)
        return order.summary()

    async def _take_locks(self, session: AsyncSession, quota_ids: tuple[str, ...]) -> None:
        # Sorted, so two orders over overlapping quotas cannot deadlock.
        if self.lock == "rowlock":
            await session.execute(
                select(quotas.c.id)
                .where(quotas.c.id.in_(sorted(quota_ids)))
                .order_by(quotas.c.id)
                .with_for_update()
            )
            return
        for quota_id in sorted(quota_ids):
            await session.execute(select(func.pg_advisory_xact_lock(advisory_key(quota_id))))


async def _free_code(session: AsyncSession, event_id: str) -> str:
    code = fresh_codes(1)[0]
    while await sale_writes.taken_codes(session, event_id, [code]):
        code = fresh_codes(1)[0]
    return code


def _refusal(offer: Offer, state: AvailabilityState) -> dict[str, object]:
    return {"product": offer.product_id, "variation": None, "state": state.name.lower()}
