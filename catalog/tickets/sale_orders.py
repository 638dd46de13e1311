"""Building a new order from the lines a sale accepted: its rows, codes, secrets and expiry.
Pure; the inventory actor writes the rows in its batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from catalog.tickets import codes
from catalog.tickets.offers import EventTerms
from catalog.tickets.order_summary import Summary, order_summary
from catalog.tickets.sale import PricedLine
from catalog.tickets.status import OrderStatus
from core.ids import new_id

MAX_REQUEST_KEY_CHARS = 64


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """What the buyer says about an order besides its items."""

    email: str | None = None
    request_key: str | None = None
    payment_provider: str | None = None
    valid_if_pending: bool = False
    attendees: tuple[dict[str, str | None], ...] = ()

    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> OrderDraft:
        return cls(
            email=raw.get("email"),
            request_key=raw.get("request_key"),
            payment_provider=raw.get("payment_provider"),
            valid_if_pending=bool(raw.get("valid_if_pending", False)),
            attendees=tuple(raw.get("attendees") or ()),
        )

    def attendee(self, index: int) -> dict[str, str | None]:
        """Attendee name and email for the ``index``-th position (empty when not given)."""
        given = self.attendees[index] if index < len(self.attendees) else {}
        return {
            "attendee_name": given.get("name") or given.get("attendee_name"),
            "attendee_email": given.get("email") or given.get("attendee_email"),
        }


@dataclass(slots=True)
class PlacedOrder:
    """A new order's rows; its code is set once the batch knows which codes are free."""

    row: dict[str, Any]
    position_rows: list[dict[str, Any]]
    currency: str
    event_slug: str
    paid: bool
    id: str = field(init=False)

    def __post_init__(self) -> None:
        self.id = self.row["id"]

    def set_code(self, code: str) -> None:
        self.row["code"] = code

    def summary(self) -> Summary:
        return order_summary(self.row, self.position_rows, self.currency, self.event_slug)


def fresh_codes(count: int) -> list[str]:
    """``count`` distinct fresh order codes."""
    found: set[str] = set()
    while len(found) < count:
        found.add(codes.order_code())
    return list(found)


def build_order(
    terms: EventTerms, draft: OrderDraft, priced: list[PricedLine], now: datetime
) -> PlacedOrder:
    """A pending order for ``priced`` (paid at once when it costs nothing)."""
    total = sum((p.price for p in priced), Decimal("0.00"))
    paid = total == 0
    order_id = new_id()
    row = {
        "id": order_id,
        "event_id": terms.event_id,
        "code": "",
        "status": OrderStatus.PAID if paid else OrderStatus.PENDING,
        "email": draft.email,
        "total": total,
        "created_at": now,
        "expires_at": now + timedelta(days=terms.payment_term_days),
        "secret": codes.link_secret(),
        "valid_if_pending": draft.valid_if_pending,
        "payment_provider": None if paid else draft.payment_provider,
        "paid_at": now if paid else None,
        "modified_at": now,
        "request_key": draft.request_key,
    }
    ids = [new_id() for _ in priced]
    positions = [
        {
            "id": ids[index],
            "order_id": order_id,
            "position": index + 1,
            "product_id": p.offer.product_id,
            "variation_id": p.offer.variation_id,
            "voucher_id": None if p.voucher is None else p.voucher.id,
            "addon_to_id": None if p.line.addon_to is None else ids[p.line.addon_to],
            "price": p.price,
            "attendee_name": p.line.attendee_name,
            "attendee_email": p.line.attendee_email,
            "secret": codes.ticket_secret(),
            "canceled": False,
            "pseudonymization_id": codes.pseudonym(),
        }
        for index, p in enumerate(priced)
    ]
    return PlacedOrder(row, positions, terms.currency, terms.slug, paid)
