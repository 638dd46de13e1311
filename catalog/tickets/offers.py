"""``Offers``: what one event sells — each product, or each variation of a product with
variations — with its price, quotas and add-on rules, read from the catalog tables.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.tables import (
    product_addons,
    products,
    quota_members,
    quotas,
    ticket_events,
    variations,
)

ItemKey = tuple[str, str | None]  # (product id, variation id or None)


@dataclass(frozen=True, slots=True)
class Offer:
    """One sellable item. ``quota_ids`` empty: not for sale."""

    product_id: str
    variation_id: str | None
    name: str
    price: Decimal
    active: bool
    admission: bool
    category_id: str | None
    quota_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AddonRule:
    """A base product offers products of ``category_id`` as add-ons, ``min_count``-``max_count``
    of them; ``price_included``: they cost nothing extra."""

    category_id: str
    min_count: int
    max_count: int
    price_included: bool


@dataclass(frozen=True, slots=True)
class EventTerms:
    """The sale settings of one event."""

    event_id: str
    slug: str
    currency: str
    reservation_minutes: int
    payment_term_days: int
    accept_late_payments: bool


@dataclass(frozen=True, slots=True)
class Offers:
    """Everything the event sells, keyed by item, with the event's quota ids."""

    terms: EventTerms
    items: dict[ItemKey, Offer]
    quota_ids: tuple[str, ...]
    addons: dict[str, tuple[AddonRule, ...]]  # base product id → its rules

    def get(self, product_id: str, variation_id: str | None) -> Offer | None:
        return self.items.get((product_id, variation_id))


async def load_terms(session: AsyncSession, event_id: str) -> EventTerms | None:
    row = (
        await session.execute(
            select(
                ticket_events.c.id,
                ticket_events.c.slug,
                ticket_events.c.currency,
                ticket_events.c.reservation_minutes,
                ticket_events.c.payment_term_days,
                ticket_events.c.accept_late_payments,
            ).where(ticket_events.c.id == event_id)
        )
    ).first()
    return None if row is None else EventTerms(*row)


async def load_offers(session: AsyncSession, terms: EventTerms) -> Offers:
    """The event's items; a product with variations is sold only as its variations."""
    event_id = terms.event_id
    product_rows = (
        await session.execute(select(products).where(products.c.event_id == event_id))
    ).all()
    variation_rows = (
        await session.execute(
            select(variations)
            .join(products, products.c.id == variations.c.product_id)
            .where(products.c.event_id == event_id)
        )
    ).all()
    members = (
        await session.execute(
            select(
                quota_members.c.quota_id, quota_members.c.product_id, quota_members.c.variation_id
            )
            .join(quotas, quotas.c.id == quota_members.c.quota_id)
            .where(quotas.c.event_id == event_id)
        )
    ).all()
    in_quotas: defaultdict[ItemKey, list[str]] = defaultdict(list)
    for quota_id, product_id, variation_id in members:
        in_quotas[(product_id, variation_id)].append(quota_id)
    by_product: defaultdict[str, list[Any]] = defaultdict(list)
    for variation in variation_rows:
        by_product[variation.product_id].append(variation)
    items: dict[ItemKey, Offer] = {}
    for product in product_rows:
        choices: list[Any] = by_product.get(product.id) or [None]
        for variation in choices:
            key = (product.id, None if variation is None else variation.id)
            price = (
                product.price if variation is None or variation.price is None else variation.price
            )
            items[key] = Offer(
                product_id=product.id,
                variation_id=key[1],
                name=product.name if variation is None else f"{product.name} - {variation.name}",
                price=Decimal(price),
                active=product.active and (variation is None or variation.active),
                admission=product.admission,
                category_id=product.category_id,
                quota_ids=tuple(sorted(in_quotas.get(key, []))),
            )
    quota_ids = (
        await session.execute(select(quotas.c.id).where(quotas.c.event_id == event_id))
    ).scalars()
    rules = (
        await session.execute(
            select(product_addons)
            .join(products, products.c.id == product_addons.c.base_product_id)
            .where(products.c.event_id == event_id)
        )
    ).all()
    addons: defaultdict[str, list[AddonRule]] = defaultdict(list)
    for rule in rules:
        addons[rule.base_product_id].append(
            AddonRule(rule.category_id, rule.min_count, rule.max_count, rule.price_included)
        )
    return Offers(
        terms,
        items,
        tuple(sorted(quota_ids)),
        {product: tuple(found) for product, found in addons.items()},
    )
