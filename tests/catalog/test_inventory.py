"""The inventory actor sells what the quotas allow and no more: orders, carts, expiry, vouchers,
add-ons, replays and late payments — on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from catalog.tickets import AvailabilityState, OrderStatus
from catalog.tickets.errors import InvalidVoucherError, SoldOutError, UnknownTicketObjectError
from catalog.tickets.sale_orders import OrderDraft
from catalog.tickets.sale_vouchers import VoucherDraft
from catalog.tickets.status import PriceMode
from catalog.tickets.tables import cart_positions, order_positions, orders, vouchers
from core.database import Database
from core.ids import new_id
from tests.catalog.shop_support import (
    ManualClock,
    availability,
    count,
    make_shop,
    running_inventory,
)

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def ticket(product_id: str, **extra: object) -> dict[str, object]:
    return {"product": product_id, **extra}


async def test_an_order_holds_its_quota_and_carries_codes_and_secrets(
    database: Database, clock: ManualClock
) -> None:
    shop = await make_shop(database, 5)
    async with running_inventory(database, clock) as (_, inventory):
        order = await inventory.place(
            shop.event_id,
            [ticket(shop.product_id, attendee_name="Ada"), ticket(shop.product_id)],
            OrderDraft(email="ada@example.org", payment_provider="bank_transfer"),
        )

    assert order["status"] == "pending"
    assert order["total"] == "50.00"
    assert order["currency"] == "EUR"
    assert len(order["code"]) == 6
    assert [p["position"] for p in order["positions"]] == [1, 2]
    assert order["positions"][0]["attendee_name"] == "Ada"
    assert len({p["secret"] for p in order["positions"]}) == 2
    assert all(len(p["pseudonym"]) == 12 for p in order["positions"])
    assert await availability(database, shop.product_id, clock.now) == (
        await availability(database, shop.product_id, clock.now)
    )
    left = await availability(database, shop.product_id, clock.now)
    assert (left.state, left.left) == (AvailabilityState.OK, 3)


async def test_concurrent_buyers_get_exactly_the_quota(
    database: Database, clock: ManualClock
) -> None:
    shop = await make_shop(database, 10)
    async with running_inventory(database, clock) as (_, inventory):
        results = await asyncio.gather(
            *(
                inventory.place(shop.event_id, [ticket(shop.product_id)], OrderDraft())
                for _ in range(40)
            ),
            return_exceptions=True,
        )
    sold = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, SoldOutError)]
    assert (len(sold), len(refused)) == (10, 30)
    assert refused[0].details["items"] == [
        {"product": shop.product_id, "variation": None, "state": "ordered"}
    ]
    held = (
        select(func.count())
        .select_from(order_positions)
        .join(orders)
        .where(orders.c.event_id == shop.event_id)
    )
    assert await count(database, held) == 10


async def test_cart_reservations_expire_and_their_capacity_is_sold_again(
    database: Database, clock: ManualClock
) -> None:
    shop = await make_shop(database, 2, reservation_minutes=10)
    async with running_inventory(database, clock) as (_, inventory):
        cart = await inventory.reserve(shop.event_id, new_id(), [ticket(shop.product_id)] * 2)
        with pytest.raises(SoldOutError) as refused:
            await inventory.place(shop.event_id, [ticket(shop.product_id)], OrderDraft())
        assert refused.value.details["items"][0]["state"] == "reserved"

        clock.advance(minutes=11)
        order = await inventory.place(shop.event_id, [ticket(shop.product_id)], OrderDraft())
        # The expired cart still checks out while the quota has room for it: one of two.
        with pytest.raises(SoldOutError):
            await inventory.checkout(shop.event_id, cart["cart_id"], OrderDraft())
        await inventory.release(shop.event_id, cart["cart_id"], [cart["positions"][1]["id"]])
        late = await inventory.checkout(shop.event_id, cart["cart_id"], OrderDraft())

    assert order["status"] == late["status"] == "pending"
    left = await availability(database, shop.product_id, clock.now)
    assert left.state is AvailabilityState.ORDERED
    remaining = (
        select(func.count())
        .select_from(cart_positions)
        .where(cart_positions.c.cart_id == cart["cart_id"])
    )
    assert await count(database, remaining) == 0


async def test_checking_out_an_unexpired_cart_needs_no_further_capacity(
    database: Database, clock: ManualClock
) -> None:
    shop = await make_shop(database, 1)
    async with running_inventory(database, clock) as (_, inventory):
        cart = await inventory.reserve(shop.event_id, new_id(), [ticket(shop.product_id)])
        order = await inventory.checkout(
            shop.event_id,
            cart["cart_id"],
            OrderDraft(email="b@example.org", attendees=({"name": "Bea"},)),
        )
        with pytest.raises(UnknownTicketObjectError):  # the cart is empty now
            await inventory.checkout(shop.event_id, cart["cart_id"], OrderDraft())
    assert order["positions"][0]["attendee_name"] == "Bea"
    assert (await availability(database, shop.product_id, clock.now)).left == 0


async def test_a_repeated_request_key_answers_with_the_first_order(
    database: Database, clock: ManualClock
) -> None:
    shop = await make_shop(database, 5)
    draft = OrderDraft(request_key=new_id())
    async with running_inventory(database, clock) as (_, inventory):
        first, second = await asyncio.gather(
            inventory.place(shop.event_id, [ticket(shop.product_id)], draft),
            inventory.place(shop.event_id, [ticket(shop.product_id)], draft),
        )
        third = await inventory.place(shop.event_id, [ticket(shop.product_id)], draft)
    assert first["id"] == second["id"] == third["id"]
    assert third["replayed"] is True
    assert (await availability(database, shop.product_id, clock.now)).left == 4


async def test_a_free_order_is_paid_at_once(database: Database, clock: ManualClock) -> None:
    shop = await make_shop(database, 5)
    async with running_inventory(database, clock) as (_, inventory):
        [code] = await inventory.add_vouchers(
            shop.event_id,
            [VoucherDraft(code="FREE1", price_mode=PriceMode.SET, value=Decimal("0"))],
        )
        order = await inventory.place(
            shop.event_id, [ticket(shop.product_id, voucher="free1")], OrderDraft()
        )
    assert code
    assert (order["status"], order["total"], order["paid_at"] is not None) == ("paid", "0.00", True)


async def test_vouchers_price_limit_and_block(database: Database, clock: ManualClock) -> None:
    shop = await make_shop(database, 3)
    async with running_inventory(database, clock) as (_, inventory):
        await inventory.add_vouchers(
            shop.event_id,
            [
                VoucherDraft(
                    code="HALF", price_mode=PriceMode.PERCENT, value=Decimal("50"), max_usages=1
                ),
                VoucherDraft(
                    code="VIP", product_id=shop.product_id, block_quota=True, max_usages=2
                ),
            ],
        )
        # Two of three are held by the blocking voucher; one is left for everyone else.
        left = await availability(database, shop.product_id, clock.now)
        assert left.left == 1
        half = await inventory.place(
            shop.event_id, [ticket(shop.product_id, voucher="HALF")], OrderDraft()
        )
        assert half["total"] == "12.50"
        with pytest.raises(InvalidVoucherError) as used_up:
            await inventory.place(
                shop.event_id, [ticket(shop.product_id, voucher="HALF")], OrderDraft()
            )
        assert used_up.value.details["reason"] == "redeemed"
        with pytest.raises(SoldOutError):
            await inventory.place(shop.event_id, [ticket(shop.product_id)], OrderDraft())
        vip = await inventory.place(
            shop.event_id, [ticket(shop.product_id, voucher="VIP")] * 2, OrderDraft()
        )
        assert vip["total"] == "50.00"
        with pytest.raises(InvalidVoucherError) as unknown:
            await inventory.place(
                shop.event_id, [ticket(shop.product_id, voucher="NOPE")], OrderDraft()
            )
        assert unknown.value.details["reason"] == "unknown"
        with pytest.raises(SoldOutError):
            await inventory.add_vouchers(
                shop.event_id, [VoucherDraft(product_id=shop.product_id, block_quota=True)]
            )
    redeemed = select(vouchers.c.redeemed).where(
        vouchers.c.event_id == shop.event_id, vouchers.c.code == "VIP"
    )
    assert await count(database, redeemed) == 2


async def test_an_expired_order_is_paid_late_only_while_its_quota_has_room(
    database: Database, clock: ManualClock
) -> None:
    shop = await make_shop(database, 1)
    async with running_inventory(database, clock) as (_, inventory):
        first = await inventory.place(shop.event_id, [ticket(shop.product_id)], OrderDraft())
        await _expire(database, first["id"])
        inventory.capacity_freed(shop.event_id)
        second = await inventory.place(shop.event_id, [ticket(shop.product_id)], OrderDraft())
        with pytest.raises(SoldOutError):
            await inventory.pay_late(shop.event_id, first["id"])
        await _expire(database, second["id"])
        inventory.capacity_freed(shop.event_id)
        paid = await inventory.pay_late(shop.event_id, first["id"])
    assert paid["status"] == "paid"
    status = select(orders.c.status).where(orders.c.id == first["id"])
    async with database.transaction() as session:
        assert (await session.execute(status)).scalar_one() == OrderStatus.PAID


async def _expire(database: Database, order_id: str) -> None:
    async with database.transaction() as session:
        await session.execute(
            orders.update().where(orders.c.id == order_id).values(status=OrderStatus.EXPIRED)
        )


async def test_an_order_code_taken_already_is_replaced(
    database: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await make_shop(database, 5)
    drawn = iter(["AAAAAA", "AAAAAA", "AAAAAA", "BBBBBB", "CCCCCC"])
    monkeypatch.setattr("catalog.tickets.codes.order_code", lambda: next(drawn))
    async with running_inventory(database, clock) as (_, inventory):
        first = await inventory.place(shop.event_id, [ticket(shop.product_id)], OrderDraft())
        second = await inventory.place(shop.event_id, [ticket(shop.product_id)], OrderDraft())
    assert (first["code"], second["code"]) == ("AAAAAA", "BBBBBB")
    stored = select(func.count()).select_from(orders).where(orders.c.event_id == shop.event_id)
    assert await count(database, stored) == 2
