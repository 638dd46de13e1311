"""Entitlements: what a ticket lets its holder do in the live event, as the claims of an access
token (uid, traits, profile) — and whether one is still valid. Signing the token is the live
core's job; this module only says what it must carry.

Traits follow the pretix pattern, so rooms can be granted per ticket type: ``attendee`` for every
admission ticket, plus ``ticket-event-<id>``, ``ticket-product-<id>``, ``ticket-variation-<id>``,
``ticket-category-<id>``, and ``ticket-product-<id>`` of each add-on bought with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.order_summary import Summary
from catalog.tickets.status import OrderStatus
from catalog.tickets.tables import order_positions, orders, products

ADMISSION_TRAIT = "attendee"


@dataclass(frozen=True, slots=True)
class Entitlement:
    """The claims of one ticket holder's live access token."""

    uid: str
    traits: tuple[str, ...]
    display_name: str | None
    profile: dict[str, str]


def grants_access(order: Summary) -> bool:
    """Whether an order's tickets open the live event: paid, or pending but valid if pending."""
    status = order["status"]
    return status == OrderStatus.PAID or (
        status == OrderStatus.PENDING and bool(order["valid_if_pending"])
    )


def entitlements_of(order: Summary, catalog: dict[str, dict[str, Any]]) -> list[Entitlement]:
    """One entitlement per admission position of ``order`` that grants access.

    ``catalog`` maps product id → ``{"admission": bool, "category": id or None}``.
    """
    if not grants_access(order):
        return []
    positions = [p for p in order["positions"] if not p["canceled"]]
    addons: dict[str, list[str]] = {}
    for p in positions:
        if p["addon_to"] is not None:
            addons.setdefault(p["addon_to"], []).append(p["product"])
    found = []
    for p in positions:
        product = catalog.get(p["product"], {})
        if p["addon_to"] is not None or not product.get("admission") or not p["pseudonym"]:
            continue
        traits = [
            ADMISSION_TRAIT,
            f"ticket-event-{order['event_id']}",
            f"ticket-product-{p['product']}",
        ]
        if p["variation"]:
            traits.append(f"ticket-variation-{p['variation']}")
        if product.get("category"):
            traits.append(f"ticket-category-{product['category']}")
        traits += [f"ticket-product-{addon}" for addon in addons.get(p["id"], [])]
        profile = {"order": order["code"]}
        if p["attendee_email"]:
            profile["email"] = p["attendee_email"]
        found.append(
            Entitlement(p["pseudonym"], tuple(dict.fromkeys(traits)), p["attendee_name"], profile)
        )
    return found


def revoked_uids(order: Summary) -> list[str]:
    """The uids of every admission-capable position of an order that no longer grants access."""
    return [p["pseudonym"] for p in order["positions"] if p["pseudonym"] and p["addon_to"] is None]


async def product_facts(
    session: AsyncSession, product_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Product id → ``{"name", "admission", "category"}`` for entitlements and mails."""
    if not product_ids:
        return {}
    rows = await session.execute(
        select(products.c.id, products.c.name, products.c.admission, products.c.category_id).where(
            products.c.id.in_(sorted(set(product_ids)))
        )
    )
    return {
        row.id: {"name": row.name, "admission": row.admission, "category": row.category_id}
        for row in rows
    }


async def entitlement_valid(session: AsyncSession, uid: str) -> bool:
    """Whether the ticket with pseudonymous id ``uid`` still grants live access."""
    found = await session.execute(
        select(order_positions.c.id)
        .join(orders, orders.c.id == order_positions.c.order_id)
        .where(
            order_positions.c.pseudonymization_id == uid,
            order_positions.c.canceled.is_(False),
            or_(
                orders.c.status == OrderStatus.PAID,
                and_(orders.c.status == OrderStatus.PENDING, orders.c.valid_if_pending.is_(True)),
            ),
        )
    )
    return found.first() is not None
