"""What a cart page shows: the cart's positions in the inventory's order (tickets before their
add-ons), with names, prices, vouchers and when the reservation ends. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.offers import load_offers, load_terms
from catalog.tickets.sale_writes import cart_contents
from catalog.tickets.tables import carts, products
from core.clock import utc_now


@dataclass(frozen=True, slots=True)
class CartLine:
    id: str
    product: str
    variation: str | None
    name: str
    price: str
    voucher: str | None
    addon_to: str | None
    admission: bool
    expired: bool


@dataclass(frozen=True, slots=True)
class CartView:
    lines: tuple[CartLine, ...]
    total: str
    expires_at: datetime | None  # when the first reservation ends
    expired: bool  # some reservation has ended; checkout tries to get it again

    @property
    def attendee_lines(self) -> tuple[CartLine, ...]:
        """The positions that need an attendee: admission tickets that are not add-ons."""
        return tuple(line for line in self.lines if line.admission and line.addon_to is None)

    def name_of(self, product: str, variation: str | None) -> str:
        found = (
            line.name
            for line in self.lines
            if (line.product, line.variation) == (product, variation)
        )
        return next(found, "a ticket in your cart")


EMPTY = CartView((), "0.00", None, False)


async def load_cart(session: AsyncSession, event_id: str, cart_id: str | None) -> CartView:
    """The cart ``cart_id`` of the event (empty when it is unknown or another event's)."""
    if cart_id is None:
        return EMPTY
    owner = (
        await session.execute(select(carts.c.event_id).where(carts.c.id == cart_id))
    ).scalar_one_or_none()
    terms = await load_terms(session, event_id)
    if owner != event_id or terms is None:
        return EMPTY
    positions = (await cart_contents(session, [cart_id])).get(cart_id, [])
    if not positions:
        return EMPTY
    offers = await load_offers(session, terms)
    admission = dict(
        (
            await session.execute(
                select(products.c.id, products.c.admission).where(products.c.event_id == event_id)
            )
        ).all()
    )
    now = utc_now()
    lines = []
    for p in positions:
        offer = offers.get(p["product_id"], p["variation_id"])
        lines.append(
            CartLine(
                id=p["id"],
                product=p["product_id"],
                variation=p["variation_id"],
                name=offer.name if offer is not None else "Product no longer offered",
                price=f"{p['price']:.2f}",
                voucher=p.get("voucher_code"),
                addon_to=p["addon_to_id"],
                admission=bool(admission.get(p["product_id"], False)),
                expired=p["expires_at"] < now,
            )
        )
    total = sum((Decimal(p["price"]) for p in positions), Decimal(0))
    return CartView(
        tuple(lines),
        f"{total:.2f}",
        min(p["expires_at"] for p in positions),
        any(line.expired for line in lines),
    )
