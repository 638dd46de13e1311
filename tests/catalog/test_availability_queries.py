"""What holds each quota, gathered from the database on SQLite and the real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets import (
    Availability,
    AvailabilityState,
    OrderStatus,
    QuotaUsage,
    item_availability,
    item_quota_ids,
    quota_usages,
)
from core.clock import utc_now
from core.database import Database
from tests.catalog.ticket_rows import (
    make_cart,
    make_event,
    make_order,
    make_product,
    make_quota,
    make_variation,
    make_voucher,
)

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)
NOW = utc_now()
LATER = NOW + timedelta(minutes=30)
EARLIER = NOW - timedelta(seconds=1)


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest) -> Database:
    """The migrated database of each dialect."""
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


@pytest.fixture
async def session(database: Database) -> AsyncIterator[AsyncSession]:
    async with database.transaction() as session:
        yield session


@pytest.fixture
async def event_id(session: AsyncSession) -> str:
    return await make_event(session)


async def usage_of(session: AsyncSession, quota_id: str, now: datetime = NOW) -> QuotaUsage:
    return (await quota_usages(session, [quota_id], now))[quota_id]


async def test_paid_and_pending_orders_count_expired_and_canceled_do_not(
    session: AsyncSession, event_id: str
) -> None:
    product = await make_product(session, event_id)
    quota = await make_quota(session, event_id, 10, [(product, None)])
    await make_order(session, event_id, OrderStatus.PAID, [(product, None)] * 3)
    await make_order(session, event_id, OrderStatus.PENDING, [(product, None)] * 2)
    await make_order(session, event_id, OrderStatus.EXPIRED, [(product, None)] * 4)
    await make_order(session, event_id, OrderStatus.CANCELED, [(product, None)] * 5)

    assert await usage_of(session, quota) == QuotaUsage(size=10, paid=3, pending=2)


async def test_canceled_positions_of_a_paid_order_do_not_count(
    session: AsyncSession, event_id: str
) -> None:
    product = await make_product(session, event_id)
    quota = await make_quota(session, event_id, 5, [(product, None)])
    await make_order(
        session, event_id, OrderStatus.PAID, [(product, None)] * 3, canceled_positions=2
    )

    assert await usage_of(session, quota) == QuotaUsage(size=5, paid=1)


async def test_unexpired_carts_count_expired_ones_do_not(
    session: AsyncSession, event_id: str
) -> None:
    product = await make_product(session, event_id)
    quota = await make_quota(session, event_id, 5, [(product, None)])
    await make_cart(session, event_id, LATER, [(product, None)] * 2)
    await make_cart(session, event_id, NOW, [(product, None)])  # expires this instant: still held
    await make_cart(session, event_id, EARLIER, [(product, None)] * 4)

    assert await usage_of(session, quota) == QuotaUsage(size=5, carts=3)


async def test_valid_blocking_vouchers_hold_their_remaining_usages(
    session: AsyncSession, event_id: str
) -> None:
    product = await make_product(session, event_id)
    quota = await make_quota(session, event_id, 20, [(product, None)])
    await make_voucher(session, event_id, max_usages=5, redeemed=2, quota_id=quota)
    await make_voucher(session, event_id, max_usages=2, product_id=product, valid_until=LATER)
    await make_voucher(session, event_id, max_usages=1, redeemed=3, quota_id=quota)  # used up
    await make_voucher(session, event_id, max_usages=4, quota_id=quota, valid_until=EARLIER)
    await make_voucher(session, event_id, max_usages=6, quota_id=quota, block_quota=False)

    assert await usage_of(session, quota) == QuotaUsage(size=20, blocking_vouchers=5)


async def test_cart_redeeming_a_blocking_voucher_is_counted_once(
    session: AsyncSession, event_id: str
) -> None:
    product = await make_product(session, event_id)
    quota = await make_quota(session, event_id, 5, [(product, None)])
    blocking = await make_voucher(session, event_id, max_usages=1, quota_id=quota)
    plain = await make_voucher(session, event_id, max_usages=1, block_quota=False)
    await make_cart(session, event_id, LATER, [(product, None)], voucher_id=blocking)
    await make_cart(session, event_id, LATER, [(product, None)], voucher_id=plain)

    assert await usage_of(session, quota) == QuotaUsage(size=5, blocking_vouchers=1, carts=1)


async def test_variations_count_only_in_quotas_that_hold_them(
    session: AsyncSession, event_id: str
) -> None:
    shirt = await make_product(session, event_id, "Shirt")
    red = await make_variation(session, shirt, "Red")
    blue = await make_variation(session, shirt, "Blue")
    reds = await make_quota(session, event_id, 10, [(shirt, red)])
    shirts = await make_quota(session, event_id, 10, [(shirt, red), (shirt, blue)])
    await make_order(session, event_id, OrderStatus.PAID, [(shirt, red), (shirt, blue)])
    await make_cart(session, event_id, LATER, [(shirt, blue)])
    await make_voucher(session, event_id, max_usages=2, product_id=shirt, variation_id=blue)
    await make_voucher(session, event_id, max_usages=3, product_id=shirt)  # any variation

    usages = await quota_usages(session, [reds, shirts], NOW)

    assert usages == {
        reds: QuotaUsage(size=10, paid=1, blocking_vouchers=3),
        shirts: QuotaUsage(size=10, paid=2, blocking_vouchers=5, carts=1),
    }


async def test_other_products_do_not_count(session: AsyncSession, event_id: str) -> None:
    ticket = await make_product(session, event_id, "Ticket")
    other = await make_product(session, event_id, "Workshop")
    quota = await make_quota(session, event_id, 3, [(ticket, None)])
    await make_order(session, event_id, OrderStatus.PAID, [(other, None)])
    await make_cart(session, event_id, LATER, [(other, None)])
    await make_voucher(session, event_id, max_usages=2, product_id=other)

    assert await usage_of(session, quota) == QuotaUsage(size=3)


async def test_unknown_and_no_quotas_give_nothing(session: AsyncSession, event_id: str) -> None:
    quota = await make_quota(session, event_id, None, [], closed=True)

    assert await quota_usages(session, [], NOW) == {}
    assert await quota_usages(session, [quota, "missing"], NOW) == {
        quota: QuotaUsage(size=None, closed=True)
    }


@contextmanager
def recorded_statements(database: Database) -> Iterator[list[str]]:
    """The SQL statements the engine sends while the block runs."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)


async def test_one_query_per_kind_whatever_the_number_of_quotas(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        product = await make_product(session, event_id)
        quota_ids = [await make_quota(session, event_id, 5, [(product, None)]) for _ in range(6)]
        await make_order(session, event_id, OrderStatus.PAID, [(product, None)])

    with recorded_statements(database) as statements:
        async with database.transaction() as session:
            usages = await quota_usages(session, quota_ids, NOW)

    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 4  # sizes, orders, vouchers, carts
    assert set(usages.values()) == {QuotaUsage(size=5, paid=1)}


async def test_item_sells_only_while_all_its_quotas_have_room(
    session: AsyncSession, event_id: str
) -> None:
    ticket = await make_product(session, event_id)
    unsold = await make_product(session, event_id, "Not in any quota")
    big = await make_quota(session, event_id, 100, [(ticket, None)])
    small = await make_quota(session, event_id, 2, [(ticket, None)])
    await make_order(session, event_id, OrderStatus.PAID, [(ticket, None)])

    quota_ids = await item_quota_ids(session, ticket, None)
    result = item_availability((await quota_usages(session, quota_ids, NOW)).values())
    await make_cart(session, event_id, LATER, [(ticket, None)])
    after_cart = item_availability((await quota_usages(session, quota_ids, NOW)).values())
    unsold_quotas = await item_quota_ids(session, unsold, None)

    assert sorted(quota_ids) == sorted([big, small])
    assert result == Availability(AvailabilityState.OK, 1)
    assert after_cart == Availability(AvailabilityState.RESERVED, 0)
    assert unsold_quotas == []
    assert not item_availability([]).allows(1)
