"""Factory functions that insert tickets catalog rows with fresh ids (PostgreSQL is shared)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets import OrderStatus, PriceMode
from catalog.tickets.tables import (
    cart_positions,
    carts,
    order_positions,
    orders,
    organizers,
    products,
    quota_members,
    quotas,
    ticket_events,
    variations,
    vouchers,
)
from core.clock import utc_now
from core.ids import new_id


async def make_event(session: AsyncSession) -> str:
    organizer_id, event_id = new_id(), new_id()
    await session.execute(
        insert(organizers).values(
            id=organizer_id, slug=organizer_id, name="Org", created_at=utc_now()
        )
    )
    await session.execute(
        insert(ticket_events).values(
            id=event_id,
            organizer_id=organizer_id,
            slug=f"{organizer_id}/{event_id}",
            name="Conf",
            currency="EUR",
            created_at=utc_now(),
        )
    )
    return event_id


async def make_product(session: AsyncSession, event_id: str, name: str = "Ticket") -> str:
    product_id = new_id()
    await session.execute(
        insert(products).values(
            id=product_id,
            event_id=event_id,
            category_id=None,
            name=name,
            description="",
            price=Decimal("25.00"),
            admission=True,
            active=True,
            sort_key=0,
        )
    )
    return product_id


async def make_variation(session: AsyncSession, product_id: str, name: str = "Red") -> str:
    variation_id = new_id()
    await session.execute(
        insert(variations).values(
            id=variation_id,
            product_id=product_id,
            name=name,
            price=None,
            active=True,
            sort_key=0,
        )
    )
    return variation_id


async def make_quota(
    session: AsyncSession,
    event_id: str,
    size: int | None,
    members: list[tuple[str, str | None]],
    *,
    closed: bool = False,
) -> str:
    """A quota holding ``members``: (product id, variation id or None) pairs."""
    quota_id = new_id()
    await session.execute(
        insert(quotas).values(id=quota_id, event_id=event_id, name="Q", size=size, closed=closed)
    )
    for product_id, variation_id in members:
        await session.execute(
            insert(quota_members).values(
                quota_id=quota_id, product_id=product_id, variation_id=variation_id
            )
        )
    return quota_id


async def make_order(
    session: AsyncSession,
    event_id: str,
    status: OrderStatus,
    items: list[tuple[str, str | None]],
    *,
    canceled_positions: int = 0,
) -> str:
    """An order with one position per item; the first ``canceled_positions`` are canceled."""
    order_id = new_id()
    await session.execute(
        insert(orders).values(
            id=order_id,
            event_id=event_id,
            code=order_id[:10].upper(),
            status=status,
            email="buyer@example.org",
            total=Decimal("25.00") * len(items),
            created_at=utc_now(),
            expires_at=utc_now() + timedelta(days=14),
        )
    )
    for number, (product_id, variation_id) in enumerate(items, start=1):
        await session.execute(
            insert(order_positions).values(
                id=new_id(),
                order_id=order_id,
                position=number,
                product_id=product_id,
                variation_id=variation_id,
                voucher_id=None,
                addon_to_id=None,
                price=Decimal("25.00"),
                attendee_name="Ada",
                attendee_email="ada@example.org",
                secret=new_id(),
                canceled=number <= canceled_positions,
            )
        )
    return order_id


async def make_cart(
    session: AsyncSession,
    event_id: str,
    expires_at: datetime,
    items: list[tuple[str, str | None]],
    *,
    voucher_id: str | None = None,
) -> str:
    cart_id = new_id()
    await session.execute(insert(carts).values(id=cart_id, event_id=event_id, created_at=utc_now()))
    for product_id, variation_id in items:
        await session.execute(
            insert(cart_positions).values(
                id=new_id(),
                cart_id=cart_id,
                product_id=product_id,
                variation_id=variation_id,
                voucher_id=voucher_id,
                price=Decimal("25.00"),
                expires_at=expires_at,
            )
        )
    return cart_id


async def make_voucher(
    session: AsyncSession,
    event_id: str,
    *,
    max_usages: int = 1,
    redeemed: int = 0,
    block_quota: bool = True,
    valid_until: datetime | None = None,
    product_id: str | None = None,
    variation_id: str | None = None,
    quota_id: str | None = None,
) -> str:
    voucher_id = new_id()
    await session.execute(
        insert(vouchers).values(
            id=voucher_id,
            event_id=event_id,
            code=voucher_id[:12].upper(),
            max_usages=max_usages,
            redeemed=redeemed,
            valid_until=valid_until,
            price_mode=PriceMode.NONE,
            value=None,
            block_quota=block_quota,
            allow_ignore_quota=False,
            product_id=product_id,
            variation_id=variation_id,
            quota_id=quota_id,
            created_at=utc_now(),
        )
    )
    return voucher_id


async def make_ticket(
    session: AsyncSession,
    event_id: str,
    product_id: str,
    *,
    status: OrderStatus = OrderStatus.PAID,
    valid_if_pending: bool = False,
    canceled: bool = False,
    pseudonymization_id: str | None = None,
) -> str:
    """An order of ``status`` with one position of ``product_id``; returns the position's secret."""
    order_id, secret = new_id(), new_id()
    await session.execute(
        insert(orders).values(
            id=order_id,
            event_id=event_id,
            code=order_id[:10].upper(),
            status=status,
            email="buyer@example.org",
            total=Decimal("25.00"),
            created_at=utc_now(),
            expires_at=utc_now() + timedelta(days=14),
            valid_if_pending=valid_if_pending,
        )
    )
    await session.execute(
        insert(order_positions).values(
            id=new_id(),
            order_id=order_id,
            position=1,
            product_id=product_id,
            variation_id=None,
            voucher_id=None,
            addon_to_id=None,
            price=Decimal("25.00"),
            attendee_name="Ada",
            attendee_email="ada@example.org",
            secret=secret,
            canceled=canceled,
            pseudonymization_id=pseudonymization_id,
        )
    )
    return secret
