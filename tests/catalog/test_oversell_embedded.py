"""The embedded mode cannot oversell either: a thousand concurrent buyers in one process on
SQLite, through carts and direct orders, against a hundred tickets."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from catalog.tickets import AvailabilityState, OrderDraft
from catalog.tickets.errors import SoldOutError
from catalog.tickets.tables import order_positions, orders
from core.database import Database
from tests.catalog.shop_support import (
    ManualClock,
    Shop,
    availability,
    count,
    make_shop,
    running_inventory,
)

QUOTA, BUYERS = 100, 1000


async def test_a_thousand_buyers_on_sqlite_get_exactly_the_quota(
    sqlite_database: Database,
) -> None:
    database, clock = sqlite_database, ManualClock()
    shop = await make_shop(database, QUOTA, reservation_minutes=10)
    async with running_inventory(database, clock) as (_, inventory):

        async def buy(buyer: int, shop: Shop) -> str:
            line = [{"product": shop.product_id}]
            try:
                if buyer % 2:
                    cart = await inventory.reserve(shop.event_id, f"cart-{buyer}", line)
                    if buyer % 7 == 0:
                        return "abandoned"
                    await inventory.checkout(shop.event_id, cart["cart_id"], OrderDraft())
                else:
                    await inventory.place(shop.event_id, line, OrderDraft())
            except SoldOutError:
                return "sold_out"
            return "ordered"

        first = await asyncio.gather(*(buy(b, shop) for b in range(BUYERS)))
        clock.advance(minutes=11)
        late = await asyncio.gather(*(buy(BUYERS + b, shop) for b in range(0, 200, 2)))

    assert "abandoned" in first
    assert first.count("ordered") + first.count("abandoned") == QUOTA
    assert late.count("ordered") == first.count("abandoned")
    sold = (
        select(func.count())
        .select_from(order_positions)
        .join(orders, orders.c.id == order_positions.c.order_id)
        .where(orders.c.event_id == shop.event_id)
    )
    assert await count(database, sold) == QUOTA
    final = await availability(database, shop.product_id, clock.now)
    assert (final.state, final.left) == (AvailabilityState.ORDERED, 0)
