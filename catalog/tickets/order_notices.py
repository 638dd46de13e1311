"""What an order's changes tell the outside world: the buyer's mails and the organizer's
webhooks, queued in the transaction that made the change (a notice exists iff the change does).
Links in mails (order page, tickets, live join links) come from ``TicketLinks``, which the
composition root provides: signing live access tokens is not the catalog's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets import webhooks
from catalog.tickets.delivery_tables import webhooks as webhook_table
from catalog.tickets.entitlements import Entitlement, entitlements_of, product_facts
from catalog.tickets.mail import enqueue_mail
from catalog.tickets.order_summary import Summary
from catalog.tickets.payments import PaymentProvider
from catalog.tickets.tables import ticket_events, variations

# Order action → the mail the buyer gets (None: no mail).
_MAILS = {
    webhooks.ORDER_PLACED: "order_placed",
    webhooks.ORDER_PAID: "order_paid",
    webhooks.ORDER_CANCELED: "order_canceled",
    webhooks.ORDER_EXPIRED: "order_expired",
    webhooks.ORDER_REFUNDED: None,
    "payment_reminder": "payment_reminder",
}


class TicketLinks(Protocol):
    """Absolute links into the platform for a buyer."""

    def order_url(self, order: Summary) -> str: ...

    def ticket_url(self, order: Summary, position_id: str) -> str: ...

    def join_url(self, order: Summary, entitlement: Entitlement) -> str | None: ...


class OrderNotices:
    """Queues mails and webhook calls for order changes; usable as the inventory's listener."""

    def __init__(self, links: TicketLinks, providers: dict[str, PaymentProvider]) -> None:
        self.links = links
        self.providers = providers

    async def __call__(self, session: AsyncSession, changes: list[tuple[str, Summary]]) -> None:
        await self.queue(session, changes)

    async def queue(
        self,
        session: AsyncSession,
        changes: Sequence[tuple[str, Summary]],
        now: datetime | None = None,
    ) -> None:
        """Mails and webhook calls for ``changes`` (action, order) of one event or several."""
        if not changes:
            return
        events = await _events(session, {order["event_id"] for _, order in changes})
        product_ids = [p["product"] for _, order in changes for p in order["positions"]]
        facts = await product_facts(session, product_ids)
        names = await _variation_names(session, product_ids)
        hooked = await _organizers_with_hooks(session, {e["organizer_id"] for e in events.values()})
        for action, order in changes:
            event = events[order["event_id"]]
            if event["organizer_id"] in hooked and action in webhooks.ACTION_TYPES:
                await webhooks.enqueue_webhook_calls(
                    session,
                    organizer_id=event["organizer_id"],
                    event_slug=event["slug"],
                    action_type=action,
                    payload={"code": order["code"]},
                    now=now,
                )
            kind = _MAILS.get(action)
            if kind is not None and order["email"]:
                context = self._context(order, event, facts, names)
                await enqueue_mail(
                    session,
                    event_id=order["event_id"],
                    order_id=order["id"],
                    kind=kind,
                    recipient=order["email"],
                    context=context,
                    now=now,
                )

    def _context(
        self,
        order: Summary,
        event: dict[str, Any],
        facts: dict[str, dict[str, Any]],
        names: dict[str, str],
    ) -> dict[str, Any]:
        joins = {e.uid: self.links.join_url(order, e) for e in entitlements_of(order, facts)}
        provider = self.providers.get(order["payment_provider"] or "")
        return {
            "event_name": event["name"],
            "order_code": order["code"],
            "order_url": self.links.order_url(order),
            "total": order["total"],
            "currency": order["currency"],
            "expires_at": order["expires_at"],
            "payment_provider": provider.name if provider else "-",
            "payment_instructions": provider.instructions(order) if provider else "",
            "positions": [
                {
                    "product": facts.get(p["product"], {}).get("name", "?"),
                    "variation": names.get(p["variation"] or ""),
                    "price": p["price"],
                    "attendee_name": p["attendee_name"],
                    "ticket_url": self.links.ticket_url(order, p["id"]),
                    "join_url": joins.get(p["pseudonym"]),
                }
                for p in order["positions"]
                if not p["canceled"]
            ],
        }


async def _events(session: AsyncSession, event_ids: set[str]) -> dict[str, dict[str, Any]]:
    rows = await session.execute(
        select(
            ticket_events.c.id,
            ticket_events.c.name,
            ticket_events.c.slug,
            ticket_events.c.organizer_id,
        ).where(ticket_events.c.id.in_(sorted(event_ids)))
    )
    return {row.id: dict(row._mapping) for row in rows}


async def _variation_names(session: AsyncSession, product_ids: list[str]) -> dict[str, str]:
    if not product_ids:
        return {}
    rows = await session.execute(
        select(variations.c.id, variations.c.name).where(
            variations.c.product_id.in_(sorted(set(product_ids)))
        )
    )
    return {row.id: row.name for row in rows}


async def _organizers_with_hooks(session: AsyncSession, organizer_ids: set[str]) -> set[str]:
    """One query per batch decides whether any webhook can be interested at all."""
    rows = await session.execute(
        select(webhook_table.c.organizer_id)
        .where(
            webhook_table.c.organizer_id.in_(sorted(organizer_ids)),
            webhook_table.c.enabled.is_(True),
        )
        .distinct()
    )
    return set(rows.scalars())


__all__ = ["OrderNotices", "TicketLinks"]
