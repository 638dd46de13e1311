"""``OrderService``: an order's life after it was placed — payments, paid, cancel, refunds,
expiry and reminders — with its notices and the revocation of the live access it granted.

Changes that free capacity are written here directly (no lock needed: they only give capacity
back) and then tell the event's inventory actor. Paying an expired order uses capacity again, so
that one goes through the inventory. A payment that cannot buy its order (sold out meanwhile,
order canceled) is refunded at once: nobody is charged without a ticket.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets import webhooks
from catalog.tickets.delivery_tables import emails
from catalog.tickets.entitlements import grants_access, revoked_uids
from catalog.tickets.errors import (
    BusyError,
    OrderStateError,
    PaymentFailedError,
    SoldOutError,
    UnknownTicketObjectError,
)
from catalog.tickets.inventory import Inventory
from catalog.tickets.order_notices import OrderNotices
from catalog.tickets.order_summary import Summary, order_summaries
from catalog.tickets.payments import PaymentProvider, RefundState
from catalog.tickets.status import OrderStatus
from catalog.tickets.tables import orders, payments, refunds
from core.clock import utc_now
from core.database import Database
from core.errors import InvalidPayloadError
from core.ids import new_id

logger = logging.getLogger(__name__)

# Called after a commit that took live access away: (event slug, uids of the tickets).
Revoker = Callable[[str, list[str]], Awaitable[None]]
REMIND_BEFORE = timedelta(days=2)
SETTLE_AFTER = timedelta(minutes=1)
_BATCH = 200


class OrderService:
    def __init__(
        self,
        database: Database,
        inventory: Inventory,
        providers: dict[str, PaymentProvider],
        notices: OrderNotices,
        *,
        revoke: Revoker | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.database = database
        self.inventory = inventory
        self.providers = providers
        self.notices = notices
        self.revoke = revoke
        self.clock = clock

    # -- reading -------------------------------------------------------------------------------

    async def get(self, order_id: str) -> Summary:
        async with self.database.transaction() as session:
            return await _order(session, order_id)

    async def find(self, event_id: str, code: str) -> Summary:
        """The order ``code`` of the event (``tickets.not_found`` if there is none)."""
        async with self.database.transaction() as session:
            found = await session.execute(
                select(orders.c.id).where(orders.c.event_id == event_id, orders.c.code == code)
            )
            order_id = found.scalar_one_or_none()
            if order_id is None:
                raise UnknownTicketObjectError(order=code, kind="order")
            return await _order(session, order_id)

    async def payments_of(self, order_id: str) -> list[dict[str, Any]]:
        async with self.database.transaction() as session:
            rows = await session.execute(
                select(payments)
                .where(payments.c.order_id == order_id)
                .order_by(payments.c.local_id)
            )
            return [_payment_wire(row._mapping) for row in rows]

    # -- paying --------------------------------------------------------------------------------

    async def pay(self, order_id: str, provider_id: str, details: dict[str, Any]) -> Summary:
        """Start paying with a provider: an online one settles now (``tickets.payment_failed``
        when declined), a manual one leaves a pending payment with instructions."""
        provider = self._provider(provider_id)
        order = await self.get(order_id)
        if order["status"] not in (OrderStatus.PENDING, OrderStatus.EXPIRED):
            raise OrderStateError(status=order["status"])
        execution = await provider.execute(order, order["total"], details)
        async with self.database.transaction() as session:
            now = self.clock()
            payment_id = await _add_payment(
                session, order, provider.identifier, execution.state, execution.info, now
            )
            await session.execute(
                update(orders).where(orders.c.id == order_id).values(payment_provider=provider_id)
            )
            # Confirmed and paid in one transaction: a payment never stays confirmed for an
            # order that could have been paid by it.
            paid = execution.state == "confirmed" and await self._mark_paid(session, order_id)
        if execution.state == "failed":
            raise PaymentFailedError(order=order["code"], **execution.info)
        if execution.state == "confirmed" and not paid:
            return await self._settle_late(order_id, payment_id)
        return await self.get(order_id)

    async def confirm_payment(
        self, order_id: str, *, provider_id: str = "manual", amount: str | None = None
    ) -> Summary:
        """Record that money arrived (bank transfer seen, or "mark paid" in the API): confirms
        the order's open payment, or a new one, and pays the order if it can be had."""
        order = await self.get(order_id)
        if order["status"] == OrderStatus.PAID:
            raise OrderStateError(status=order["status"])
        async with self.database.transaction() as session:
            open_payment = await session.execute(
                select(payments.c.id)
                .where(
                    payments.c.order_id == order_id, payments.c.state.in_(["created", "pending"])
                )
                .order_by(payments.c.local_id.desc())
            )
            payment_id = open_payment.scalars().first()
            now = self.clock()
            if payment_id is None:
                total = _money(amount) if amount is not None else order["total"]
                payment_id = await _add_payment(
                    session, {**order, "total": total}, provider_id, "confirmed", {}, now
                )
            else:
                await session.execute(
                    update(payments)
                    .where(payments.c.id == payment_id)
                    .values(state="confirmed", payment_date=now)
                )
            paid = await self._mark_paid(session, order_id)
        return await self.get(order_id) if paid else await self._settle_late(order_id, payment_id)

    async def _mark_paid(self, session: AsyncSession, order_id: str) -> bool:
        """Pay a pending order within ``session`` (its quota is held already); False if the
        order is not pending (any more)."""
        now = self.clock()
        changed = await session.execute(
            update(orders)
            .where(orders.c.id == order_id, orders.c.status == OrderStatus.PENDING)
            .values(status=OrderStatus.PAID, paid_at=now, modified_at=now)
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            return False
        await self.notices.queue(session, [(webhooks.ORDER_PAID, await _order(session, order_id))])
        return True

    async def _settle_late(self, order_id: str, payment_id: str) -> Summary:
        """A confirmed payment for an order that was not pending: an expired order is paid if
        it can still be had; otherwise (or for a canceled order) the money goes back."""
        order = await self.get(order_id)
        if order["status"] == OrderStatus.EXPIRED:
            try:
                return await self.inventory.pay_late(order["event_id"], order_id)
            except SoldOutError:
                await self._refund_payment(order, payment_id, "sold out before the payment arrived")
                raise
        await self._refund_payment(order, payment_id, f"the order is {order['status']}")
        raise OrderStateError(status=order["status"], refunded=True)

    # -- cancel, refund, expire ----------------------------------------------------------------

    async def cancel(self, order_id: str, *, refund: bool = True, comment: str = "") -> Summary:
        """Cancel the order (from pending, expired or paid); its tickets lose live access at once
        and confirmed payments are refunded when ``refund``."""
        async with self.database.transaction() as session:
            order = await _order(session, order_id)
            if order["status"] == OrderStatus.CANCELED:
                raise OrderStateError(status=order["status"])
            now = self.clock()
            await session.execute(
                update(orders)
                .where(orders.c.id == order_id)
                .values(status=OrderStatus.CANCELED, modified_at=now)
            )
            canceled = await _order(session, order_id)
            await self.notices.queue(session, [(webhooks.ORDER_CANCELED, canceled)])
        await self._after_release(order, canceled)
        if refund:
            for payment in await self.payments_of(order_id):
                if payment["state"] == "confirmed":
                    await self._refund_payment(canceled, payment["id"], comment or "order canceled")
        return canceled

    async def refund(
        self, order_id: str, *, amount: str | None = None, comment: str = ""
    ) -> dict[str, Any]:
        """Refund ``amount`` (default: everything paid) of a paid order's confirmed payments; a
        full refund cancels the order and revokes its tickets."""
        order = await self.get(order_id)
        if order["status"] != OrderStatus.PAID:
            raise OrderStateError(status=order["status"])
        confirmed = [p for p in await self.payments_of(order_id) if p["state"] == "confirmed"]
        paid = sum((Decimal(p["amount"]) for p in confirmed), Decimal(0))
        wanted = paid if amount is None else Decimal(_money(amount))
        if not Decimal(0) < wanted <= paid:
            msg = f"A refund must be more than 0 and at most {paid:.2f}"
            raise InvalidPayloadError(msg)
        if wanted == paid:
            await self.cancel(order_id, refund=True, comment=comment or "refunded")
            return await self._refund_report(order_id)
        payment = confirmed[-1]
        await self._refund_payment(
            order, payment["id"], comment, amount=f"{wanted:.2f}", full=False
        )
        return await self._refund_report(order_id)

    async def expire_overdue(self) -> int:
        """Pending orders past their payment term become expired; how many did."""
        now = self.clock()
        async with self.database.transaction() as session:
            due = await session.execute(
                select(orders.c.id)
                .where(orders.c.status == OrderStatus.PENDING, orders.c.expires_at < now)
                .limit(_BATCH)
            )
            ids = list(due.scalars())
            if not ids:
                return 0
            await session.execute(
                update(orders)
                .where(orders.c.id.in_(ids), orders.c.status == OrderStatus.PENDING)
                .values(status=OrderStatus.EXPIRED, modified_at=now)
            )
            expired = await order_summaries(session, ids)
            await self.notices.queue(session, [(webhooks.ORDER_EXPIRED, o) for o in expired])
        for order in expired:
            await self._after_release({**order, "status": OrderStatus.PENDING}, order)
        return len(expired)

    async def settle_stranded_payments(self) -> int:
        """Confirmed payments of orders that are not paid — a late settlement that met a busy
        inventory or a crash — are settled again: the order is paid if it can still be had,
        otherwise the money goes back. Only payments older than ``SETTLE_AFTER`` (one being
        settled right now is left to its request). How many were settled."""
        cutoff = self.clock() - SETTLE_AFTER
        async with self.database.transaction() as session:
            found = await session.execute(
                select(payments.c.order_id, payments.c.id)
                .join(orders, orders.c.id == payments.c.order_id)
                .where(
                    payments.c.state == "confirmed",
                    orders.c.status.in_([OrderStatus.EXPIRED, OrderStatus.CANCELED]),
                    payments.c.created_at < cutoff,
                )
                .limit(_BATCH)
            )
            stranded = [(order_id, payment_id) for order_id, payment_id in found]
        for order_id, payment_id in stranded:
            with contextlib.suppress(SoldOutError, OrderStateError, BusyError):
                await self._settle_late(order_id, payment_id)
        return len(stranded)

    async def send_reminders(self) -> int:
        """One payment reminder per pending order that expires within two days."""
        now = self.clock()
        async with self.database.transaction() as session:
            reminded = select(emails.c.id).where(
                emails.c.order_id == orders.c.id, emails.c.kind == "payment_reminder"
            )
            due = await session.execute(
                select(orders.c.id)
                .where(
                    orders.c.status == OrderStatus.PENDING,
                    orders.c.email.is_not(None),
                    orders.c.expires_at >= now,
                    orders.c.expires_at < now + REMIND_BEFORE,
                    ~reminded.exists(),
                )
                .limit(_BATCH)
            )
            found = await order_summaries(session, list(due.scalars()))
            await self.notices.queue(session, [("payment_reminder", o) for o in found])
        return len(found)

    # -- internals -----------------------------------------------------------------------------

    def _provider(self, provider_id: str) -> PaymentProvider:
        provider = self.providers.get(provider_id)
        if provider is None:
            msg = f"Unknown payment provider {provider_id!r}; offered: {sorted(self.providers)}"
            raise InvalidPayloadError(msg)
        return provider

    async def _after_release(self, before: Summary, after: Summary) -> None:
        """Capacity came back and, if the order granted live access, it is taken away."""
        self.inventory.capacity_freed(after["event_id"])
        if self.revoke is not None and grants_access(before) and not grants_access(after):
            uids = revoked_uids(after)
            if uids:
                try:
                    await self.revoke(after["event"], uids)
                except Exception:  # the change is committed; connecting checks again anyway
                    logger.exception("revoking live access of order %s failed", after["code"])

    async def _refund_payment(
        self,
        order: Summary,
        payment_id: str,
        comment: str,
        *,
        amount: str | None = None,
        full: bool = True,
    ) -> None:
        async with self.database.transaction() as session:
            row = (await session.execute(select(payments).where(payments.c.id == payment_id))).one()
            value = amount or f"{row.amount:.2f}"
            provider = self.providers.get(row.provider)
            state: RefundState = await provider.refund(order, value) if provider else "created"
            now = self.clock()
            local = await session.execute(
                select(func.coalesce(func.max(refunds.c.local_id), 0)).where(
                    refunds.c.order_id == order["id"]
                )
            )
            await session.execute(
                insert(refunds).values(
                    id=new_id(),
                    order_id=order["id"],
                    payment_id=payment_id,
                    local_id=int(local.scalar_one()) + 1,
                    provider=row.provider,
                    state=state,
                    source="admin",
                    amount=Decimal(value),
                    comment=comment,
                    created_at=now,
                    execution_date=now if state == "done" else None,
                )
            )
            if full:
                await session.execute(
                    update(payments).where(payments.c.id == payment_id).values(state="refunded")
                )
            await self.notices.queue(session, [(webhooks.ORDER_REFUNDED, order)])

    async def _refund_report(self, order_id: str) -> dict[str, Any]:
        async with self.database.transaction() as session:
            rows = await session.execute(
                select(refunds).where(refunds.c.order_id == order_id).order_by(refunds.c.local_id)
            )
            order = await _order(session, order_id)
            return {
                "order": order,
                "refunds": [
                    {
                        "id": r.id,
                        "local_id": r.local_id,
                        "full_id": f"{order['code']}-R-{r.local_id}",
                        "state": r.state,
                        "amount": f"{r.amount:.2f}",
                        "provider": r.provider,
                        "comment": r.comment,
                    }
                    for r in rows
                ],
            }


async def _order(session: AsyncSession, order_id: str) -> Summary:
    found = await order_summaries(session, [order_id])
    if not found:
        raise UnknownTicketObjectError(order=order_id, kind="order")
    return found[0]


async def _add_payment(
    session: AsyncSession,
    order: Summary,
    provider: str,
    state: str,
    info: dict[str, Any],
    now: datetime,
) -> str:
    local = await session.execute(
        select(func.coalesce(func.max(payments.c.local_id), 0)).where(
            payments.c.order_id == order["id"]
        )
    )
    payment_id = new_id()
    await session.execute(
        insert(payments).values(
            id=payment_id,
            order_id=order["id"],
            local_id=int(local.scalar_one()) + 1,
            provider=provider,
            state=state,
            amount=Decimal(order["total"]),
            info=info,
            created_at=now,
            payment_date=now if state == "confirmed" else None,
        )
    )
    return payment_id


def _payment_wire(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "local_id": row["local_id"],
        "provider": row["provider"],
        "state": row["state"],
        "amount": f"{row['amount']:.2f}",
        "info": row["info"],
        "created_at": row["created_at"].isoformat(),
        "payment_date": None if row["payment_date"] is None else row["payment_date"].isoformat(),
    }


def _money(value: str) -> str:
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        msg = f"Not an amount of money: {value!r}"
        raise InvalidPayloadError(msg) from None
    if not amount.is_finite() or amount < 0:
        msg = f"Not an amount of money: {value!r}"
        raise InvalidPayloadError(msg)
    return f"{amount:.2f}"
