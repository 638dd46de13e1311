"""An order's life after placing: paying (online, manual, late), cancelling, refunding, expiry and
reminders, with the mails, webhook calls and live-access revocations each causes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from actors import running_actor_system
from catalog.tickets.delivery_tables import emails, webhook_calls
from catalog.tickets.errors import OrderStateError, PaymentFailedError, SoldOutError
from catalog.tickets.inventory import Inventory
from catalog.tickets.inventory_actor import InventoryActor, TicketDeps
from catalog.tickets.order_notices import OrderNotices
from catalog.tickets.order_service import OrderService
from catalog.tickets.payments import providers
from catalog.tickets.sale_orders import OrderDraft
from catalog.tickets.tables import payments, refunds, ticket_events
from catalog.tickets.webhooks import create_webhook
from core.database import Database
from core.settings import ActorSettings
from tests.catalog.shop_support import ManualClock, NodeDeps, PlainLinks, Shop, count, make_shop

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


class Revocations:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    async def __call__(self, event_slug: str, uids: list[str]) -> None:
        self.calls.append((event_slug, uids))


@asynccontextmanager
async def order_service(
    database: Database, clock: ManualClock, revoked: Revocations
) -> AsyncIterator[tuple[Inventory, OrderService]]:
    offered = providers(test_payments=True)
    notices = OrderNotices(PlainLinks(), offered)
    async with running_actor_system(
        ActorSettings(ask_timeout_s=20),
        node_id="t",
        database=database,
        deps=NodeDeps(database, TicketDeps(database, clock=clock, on_sale=notices)),
    ) as system:
        system.register(InventoryActor)
        inventory = Inventory(system, database)
        yield (
            inventory,
            OrderService(database, inventory, offered, notices, revoke=revoked, clock=clock),
        )


async def buy(inventory: Inventory, shop: Shop, n: int = 1, **draft: Any) -> dict[str, Any]:
    lines = [{"product": shop.product_id, "attendee_name": f"A{i}"} for i in range(n)]
    return await inventory.place(
        shop.event_id, lines, OrderDraft(email="buyer@example.org", **draft)
    )


async def mails(database: Database, order_id: str) -> list[str]:
    async with database.transaction() as session:
        rows = await session.execute(
            select(emails.c.kind).where(emails.c.order_id == order_id).order_by(emails.c.created_at)
        )
        return list(rows.scalars())


async def test_a_test_payment_pays_the_order_and_mails_join_links(database: Database) -> None:
    shop, clock, revoked = await make_shop(database, 5), ManualClock(), Revocations()
    async with order_service(database, clock, revoked) as (inventory, orders):
        order = await buy(inventory, shop, 2)
        paid = await orders.pay(order["id"], "test", {"outcome": "succeed"})
        [payment] = await orders.payments_of(order["id"])
    assert paid["status"] == "paid"
    assert (payment["state"], payment["amount"], payment["provider"]) == (
        "confirmed",
        "50.00",
        "test",
    )
    assert await mails(database, order["id"]) == ["order_placed", "order_paid"]
    async with database.transaction() as session:
        body = (
            await session.execute(
                select(emails.c.body).where(
                    emails.c.order_id == order["id"], emails.c.kind == "order_paid"
                )
            )
        ).scalar_one()
    for position in paid["positions"]:
        assert f"http://live.test/join#uid={position['pseudonym']}" in body


async def test_a_declined_test_payment_leaves_the_order_pending(database: Database) -> None:
    shop, clock, revoked = await make_shop(database, 5), ManualClock(), Revocations()
    async with order_service(database, clock, revoked) as (inventory, orders):
        order = await buy(inventory, shop)
        with pytest.raises(PaymentFailedError):
            await orders.pay(order["id"], "test", {"outcome": "fail"})
        assert (await orders.get(order["id"]))["status"] == "pending"
        [payment] = await orders.payments_of(order["id"])
    assert payment["state"] == "failed"


async def test_a_bank_transfer_waits_for_the_organizer(database: Database) -> None:
    shop, clock, revoked = await make_shop(database, 5), ManualClock(), Revocations()
    async with order_service(database, clock, revoked) as (inventory, orders):
        order = await buy(inventory, shop)
        waiting = await orders.pay(order["id"], "bank_transfer", {})
        assert waiting["status"] == "pending"
        paid = await orders.confirm_payment(order["id"])
        [payment] = await orders.payments_of(order["id"])
        with pytest.raises(OrderStateError):
            await orders.confirm_payment(order["id"])
    assert paid["status"] == "paid"
    assert payment["state"] == "confirmed"


async def test_cancelling_a_paid_order_refunds_and_revokes_its_tickets(database: Database) -> None:
    shop, clock, revoked = await make_shop(database, 1), ManualClock(), Revocations()
    async with order_service(database, clock, revoked) as (inventory, orders):
        order = await buy(inventory, shop)
        await orders.pay(order["id"], "test", {})
        canceled = await orders.cancel(order["id"])
        # The capacity is back: the next buyer gets the ticket.
        again = await buy(inventory, shop)
    assert canceled["status"] == "canceled"
    assert revoked.calls == [(order["event"], [order["positions"][0]["pseudonym"]])]
    assert again["status"] == "pending"
    refunded = (
        select(func.count())
        .select_from(refunds)
        .where(refunds.c.order_id == order["id"], refunds.c.state == "done")
    )
    assert await count(database, refunded) == 1
    assert await mails(database, order["id"]) == ["order_placed", "order_paid", "order_canceled"]


async def test_a_partial_refund_keeps_the_order_and_a_full_one_cancels_it(
    database: Database,
) -> None:
    shop, clock, revoked = await make_shop(database, 5), ManualClock(), Revocations()
    async with order_service(database, clock, revoked) as (inventory, orders):
        order = await buy(inventory, shop, 2)
        await orders.pay(order["id"], "test", {})
        partial = await orders.refund(order["id"], amount="10.00")
        assert partial["order"]["status"] == "paid"
        assert [r["amount"] for r in partial["refunds"]] == ["10.00"]
        assert revoked.calls == []
        full = await orders.refund(order["id"])
    assert full["order"]["status"] == "canceled"
    assert full["refunds"][-1]["full_id"] == f"{order['code']}-R-2"
    assert len(revoked.calls) == 1


async def test_expiry_frees_capacity_and_a_late_payment_is_refunded_when_sold_out(
    database: Database,
) -> None:
    shop, clock, revoked = await make_shop(database, 1), ManualClock(), Revocations()
    async with order_service(database, clock, revoked) as (inventory, orders):
        late = await buy(inventory, shop, valid_if_pending=True)
        clock.advance(days=15)
        assert await orders.expire_overdue() >= 1  # PostgreSQL is shared: others' orders too
        assert (await orders.get(late["id"]))["status"] == "expired"
        assert (late["event"], [late["positions"][0]["pseudonym"]]) in revoked.calls
        other = await buy(inventory, shop)
        with pytest.raises(SoldOutError):
            await orders.pay(late["id"], "test", {})
        [payment] = await orders.payments_of(late["id"])
        assert payment["state"] == "refunded"  # charged and given back: no charge without ticket
        await orders.cancel(other["id"])
        paid = await orders.pay(late["id"], "test", {})
    assert paid["status"] == "paid"
    assert await mails(database, late["id"]) == [
        "order_placed",
        "order_expired",
        "order_paid",
    ]


async def test_one_reminder_goes_out_before_an_order_expires(database: Database) -> None:
    shop, clock, revoked = await make_shop(database, 5), ManualClock(), Revocations()
    async with order_service(database, clock, revoked) as (inventory, orders):
        order = await buy(inventory, shop)
        assert await orders.send_reminders() == 0
        clock.advance(days=13)
        assert await orders.send_reminders() == 1
        assert await orders.send_reminders() == 0
    assert await mails(database, order["id"]) == ["order_placed", "payment_reminder"]


async def test_order_changes_call_the_organizers_webhooks(database: Database) -> None:
    shop, clock, revoked = await make_shop(database, 5), ManualClock(), Revocations()
    async with database.transaction() as session:
        organizer = (
            await session.execute(
                select(ticket_events.c.organizer_id).where(ticket_events.c.id == shop.event_id)
            )
        ).scalar_one()
        await create_webhook(
            session,
            organizer_id=organizer,
            target_url="https://hooks.example.org/eventyay",
            action_types=["*"],
        )
    async with order_service(database, clock, revoked) as (inventory, orders):
        order = await buy(inventory, shop)
        await orders.pay(order["id"], "test", {})
    async with database.transaction() as session:
        rows = await session.execute(
            select(webhook_calls.c.action_type, webhook_calls.c.payload).order_by(
                webhook_calls.c.created_at
            )
        )
        calls = [(a, p) for a, p in rows if p.get("code") == order["code"]]
    assert [a for a, _ in calls] == ["order.placed", "order.paid"]
    assert calls[0][1]["event"] == order["event"].split("/", 1)[1]


async def test_a_payment_stranded_on_an_expired_order_is_settled_later(database: Database) -> None:
    shop, clock, revoked = await make_shop(database, 1), ManualClock(), Revocations()
    async with order_service(database, clock, revoked) as (inventory, orders):
        order = await buy(inventory, shop)
        clock.advance(days=15)
        await orders.expire_overdue()
        # As if settling had met a busy inventory: money confirmed, order still expired.
        async with database.transaction() as session:
            await session.execute(
                payments.insert().values(
                    id=order["id"],
                    order_id=order["id"],
                    local_id=1,
                    provider="test",
                    state="confirmed",
                    amount=Decimal("25.00"),
                    info={},
                    created_at=clock.now,
                    payment_date=clock.now,
                )
            )
        assert await orders.settle_stranded_payments() == 0  # too fresh: its request may run
        clock.advance(minutes=2)
        assert await orders.settle_stranded_payments() >= 1
        settled = await orders.get(order["id"])
    assert settled["status"] == "paid"
