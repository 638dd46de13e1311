"""What the shop front shows: the event's products by category, each sellable item with its
price and live availability, and the add-ons a base product offers. Read-only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets import Availability, AvailabilityState, QuotaUsage, item_availability
from catalog.tickets.availability_queries import quota_usages
from catalog.tickets.offers import Offer, Offers, load_offers, load_terms
from catalog.tickets.tables import categories, products, variations
from core.clock import utc_now

FEW_LEFT = 10  # below this many, the page says how many are left
MAX_PER_ITEM = 10


@dataclass(frozen=True, slots=True)
class ItemView:
    """One sellable product or variation; ``key`` names it in forms (``product:variation``)."""

    key: str
    name: str
    price: str
    state: str  # ok | few | reserved | gone | unavailable
    label: str
    max_count: int

    @property
    def buyable(self) -> bool:
        return self.max_count > 0


@dataclass(frozen=True, slots=True)
class AddonChoice:
    """One add-on category a base product offers (its field ``addon:<base>:<category>``)."""

    field: str
    name: str
    required: bool
    items: tuple[ItemView, ...]
    included: bool


@dataclass(frozen=True, slots=True)
class ProductView:
    id: str
    name: str
    description: str
    items: tuple[ItemView, ...]
    addons: tuple[AddonChoice, ...]


@dataclass(frozen=True, slots=True)
class CategoryView:
    name: str
    products: tuple[ProductView, ...]


@dataclass(frozen=True, slots=True)
class Storefront:
    offers: Offers
    categories: tuple[CategoryView, ...]


def item_key(product_id: str, variation_id: str | None) -> str:
    return f"{product_id}:{variation_id or ''}"


def parse_item_key(key: str) -> tuple[str, str | None]:
    product_id, _, variation_id = key.partition(":")
    return product_id, variation_id or None


def describe(availability: Availability) -> tuple[str, str, int]:
    """State name, label and how many one may choose now."""
    state, left = availability.state, availability.left
    if state is AvailabilityState.RESERVED:
        return "reserved", "Reserved, may come back", 0
    if state is not AvailabilityState.OK:
        return "gone", "Sold out", 0
    if left is not None and left < FEW_LEFT:
        return "few", f"{left} left", min(left, MAX_PER_ITEM)
    return "ok", "Available", MAX_PER_ITEM


async def load_storefront(session: AsyncSession, event_id: str) -> Storefront | None:
    terms = await load_terms(session, event_id)
    if terms is None:
        return None
    offers = await load_offers(session, terms)
    usages = await quota_usages(session, offers.quota_ids, utc_now())
    category_rows = (
        await session.execute(
            select(categories)
            .where(categories.c.event_id == event_id)
            .order_by(categories.c.sort_key, categories.c.name)
        )
    ).all()
    product_rows = (
        await session.execute(
            select(products)
            .where(products.c.event_id == event_id, products.c.active.is_(True))
            .order_by(products.c.sort_key, products.c.name)
        )
    ).all()
    variation_order = await _variation_order(session, [p.id for p in product_rows])
    names = {c.id: c.name for c in category_rows}
    builder = _Builder(offers, usages, names, variation_order)
    listed: list[CategoryView] = []
    for category_id, name in [
        *((c.id, c.name) for c in category_rows if not c.is_addon),
        (None, ""),
    ]:
        found = tuple(
            view
            for p in product_rows
            if p.category_id == category_id
            if (view := builder.product(p)) is not None
        )
        if found:
            listed.append(CategoryView(name or "Tickets", found))
    return Storefront(offers, tuple(listed))


async def _variation_order(session: AsyncSession, product_ids: list[str]) -> dict[str, int]:
    if not product_ids:
        return {}
    rows = await session.execute(
        select(variations.c.id, variations.c.sort_key)
        .where(variations.c.product_id.in_(product_ids))
        .order_by(variations.c.sort_key, variations.c.name)
    )
    return {variation_id: index for index, (variation_id, _) in enumerate(rows)}


class _Builder:
    def __init__(
        self,
        offers: Offers,
        usages: Mapping[str, QuotaUsage],
        category_names: Mapping[str, str],
        variation_order: Mapping[str, int],
    ) -> None:
        self.offers = offers
        self.usages = usages
        self.category_names = category_names
        self.variation_order = variation_order

    def item(self, offer: Offer, *, short_name: str) -> ItemView:
        known = [self.usages[q] for q in offer.quota_ids if q in self.usages]
        state, label, max_count = describe(item_availability(known))
        if not offer.quota_ids:
            state, label, max_count = "unavailable", "Not available", 0
        return ItemView(
            item_key(offer.product_id, offer.variation_id),
            short_name,
            f"{offer.price:.2f}",
            state,
            label,
            max_count,
        )

    def items_of(self, product_id: str, product_name: str) -> tuple[ItemView, ...]:
        offers = [o for o in self.offers.items.values() if o.product_id == product_id and o.active]
        offers.sort(key=lambda o: self.variation_order.get(o.variation_id or "", 0))
        return tuple(
            self.item(o, short_name=o.name.removeprefix(f"{product_name} - ")) for o in offers
        )

    def product(self, row: Any) -> ProductView | None:
        items = self.items_of(row.id, row.name)
        if not items:
            return None
        addons = tuple(
            AddonChoice(
                field=f"addon:{row.id}:{rule.category_id}",
                name=self.category_names.get(rule.category_id, "Add-on"),
                required=rule.min_count > 0,
                items=self._addon_items(rule.category_id),
                included=rule.price_included,
            )
            for rule in self.offers.addons.get(row.id, ())
        )
        return ProductView(row.id, row.name, row.description, items, addons)

    def _addon_items(self, category_id: str) -> tuple[ItemView, ...]:
        offers = [
            o for o in self.offers.items.values() if o.category_id == category_id and o.active
        ]
        offers.sort(key=lambda o: (o.name, self.variation_order.get(o.variation_id or "", 0)))
        return tuple(self.item(o, short_name=o.name) for o in offers)
