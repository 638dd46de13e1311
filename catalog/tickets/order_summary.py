"""The one plain shape of an order that leaves the catalog (actor replies, API, shop, mails,
webhooks): strings, numbers and ISO times only, so it crosses nodes as msgpack unchanged.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import RowMapping, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.tables import order_positions, orders, ticket_events

Summary = dict[str, Any]
Row = Mapping[str, Any] | RowMapping


# Orders of one batch share their times and their few prices: formatting each once saves
# much of the cost of answering a batch.
@lru_cache(maxsize=256)
def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@lru_cache(maxsize=1024)
def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def position_summary(row: Row) -> Summary:
    return {
        "id": row["id"],
        "position": row["position"],
        "product": row["product_id"],
        "variation": row["variation_id"],
        "price": _money(row["price"]),
        "attendee_name": row["attendee_name"],
        "attendee_email": row["attendee_email"],
        "secret": row["secret"],
        "pseudonym": row["pseudonymization_id"],
        "addon_to": row["addon_to_id"],
        "voucher": row["voucher_id"],
        "canceled": bool(row["canceled"]),
    }


def order_summary(row: Row, positions: Sequence[Row], currency: str, event_slug: str) -> Summary:
    return {
        "id": row["id"],
        "event_id": row["event_id"],
        "event": event_slug,
        "code": row["code"],
        "secret": row["secret"],
        "status": str(row["status"]),
        "email": row["email"],
        "total": _money(row["total"]),
        "currency": currency,
        "created_at": _time(row["created_at"]),
        "expires_at": _time(row["expires_at"]),
        "paid_at": _time(row["paid_at"]),
        "payment_provider": row["payment_provider"],
        "valid_if_pending": bool(row["valid_if_pending"]),
        "positions": [position_summary(p) for p in sorted(positions, key=lambda p: p["position"])],
    }


async def order_summaries(session: AsyncSession, order_ids: Collection[str]) -> list[Summary]:
    """The named orders (unknown ids are left out), in no particular order."""
    if not order_ids:
        return []
    rows = (
        await session.execute(
            select(orders, ticket_events.c.currency, ticket_events.c.slug.label("event_slug"))
            .join(ticket_events, ticket_events.c.id == orders.c.event_id)
            .where(orders.c.id.in_(sorted(set(order_ids))))
        )
    ).mappings()
    found = list(rows)
    by_order: dict[str, list[Row]] = {row["id"]: [] for row in found}
    if found:
        positions = await session.execute(
            select(order_positions).where(order_positions.c.order_id.in_(sorted(by_order)))
        )
        for position in positions.mappings():
            by_order[position["order_id"]].append(position)
    return [
        order_summary(row, by_order[row["id"]], row["currency"], row["event_slug"]) for row in found
    ]
