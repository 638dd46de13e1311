"""What an order's page and its ticket pages show: status, payments, and per admission ticket
its attendee, add-ons, ticket page and (once the order grants access) its live join link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets import Summary, entitlements_of, grants_access, product_facts
from catalog.tickets.tables import variations
from web.ticket_links import ShopLinks, order_path

STATUS_LABELS = {
    "pending": "Awaiting payment",
    "paid": "Paid",
    "expired": "Expired (not paid in time)",
    "canceled": "Canceled",
}
PAYMENT_LABELS = {
    "created": "started",
    "pending": "waiting for the money to arrive",
    "confirmed": "received",
    "failed": "failed (nothing was charged)",
    "canceled": "canceled",
    "refunded": "refunded",
}


@dataclass(frozen=True, slots=True)
class TicketView:
    position_id: str
    name: str
    attendee: str | None
    addons: tuple[str, ...]
    secret: str
    page: str  # path of the ticket page
    join: str | None  # path and fragment of the live join link; None: no live access (yet)


@dataclass(frozen=True, slots=True)
class OrderView:
    order: Summary
    path: str
    status_label: str
    grants_access: bool
    tickets: tuple[TicketView, ...]

    def ticket(self, position_id: str) -> TicketView | None:
        return next((t for t in self.tickets if t.position_id == position_id), None)


async def load_order_view(session: AsyncSession, order: Summary, links: ShopLinks) -> OrderView:
    positions = [p for p in order["positions"] if not p["canceled"]]
    facts = await product_facts(session, [p["product"] for p in positions])
    names = await _variation_names(session, [p["variation"] for p in positions if p["variation"]])
    joins = {
        entitlement.uid: _relative(links, links.join_url(order, entitlement))
        for entitlement in entitlements_of(order, facts)
    }
    path = order_path(order["event"], order["code"], order["secret"])

    def name(p: dict[str, Any]) -> str:
        product = str(facts.get(p["product"], {}).get("name", "Product"))
        return f"{product} - {names[p['variation']]}" if p["variation"] in names else product

    tickets = tuple(
        TicketView(
            position_id=p["id"],
            name=name(p),
            attendee=p["attendee_name"],
            addons=tuple(name(a) for a in positions if a["addon_to"] == p["id"]),
            secret=p["secret"],
            page=f"{path}tickets/{p['id']}/",
            join=joins.get(p["pseudonym"]),
        )
        for p in positions
        if p["addon_to"] is None and facts.get(p["product"], {}).get("admission")
    )
    return OrderView(
        order,
        path,
        STATUS_LABELS.get(order["status"]) or str(order["status"]),
        grants_access(order),
        tickets,
    )


def payment_rows(payments: list[dict[str, Any]], provider_names: dict[str, str]) -> list[Any]:
    """Each payment as the page lists it: number, method, amount and what happened."""
    return [
        {
            "number": p["local_id"],
            "provider": provider_names.get(p["provider"], p["provider"]),
            "amount": p["amount"],
            "state": p["state"],
            "label": PAYMENT_LABELS.get(p["state"], p["state"]),
        }
        for p in payments
    ]


def _relative(links: ShopLinks, url: str | None) -> str | None:
    # Links on our own pages stay on the host the buyer is using.
    if url is None:
        return None
    return url.removeprefix(links.base_url)


async def _variation_names(session: AsyncSession, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = await session.execute(
        select(variations.c.id, variations.c.name).where(variations.c.id.in_(sorted(set(ids))))
    )
    return {variation_id: name for variation_id, name in rows}
