"""Tickets open the live event and cancelling them closes it: a paid ticket's token connects on
either node (recorded as an online check-in), cancelling the order reloads and closes the
holder's sockets on both nodes within a second, and the token is refused with ``auth.revoked``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from catalog.tickets import (
    OrderDraft,
    entitlements_of,
    product_facts,
)
from catalog.tickets.demo import seed_demo_shop
from catalog.tickets.tables import checkin_lists, checkins, order_positions, products, ticket_events
from live import DEMO_SLUG
from live.ticket_access import ticket_token
from tests.live.conftest import LiveNode, refusal
from web.services import Services

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def buy_online_ticket(
    services: Services, *, pay: bool = True, **draft: Any
) -> dict[str, Any]:
    await seed_demo_shop(services.database, DEMO_SLUG, "DemoCon")
    async with services.database.transaction() as session:
        event_id, product_id = (
            await session.execute(
                select(ticket_events.c.id, products.c.id)
                .join(products, products.c.event_id == ticket_events.c.id)
                .where(ticket_events.c.slug == DEMO_SLUG, products.c.name == "Online ticket")
            )
        ).one()
    tickets = services.tickets
    order = await tickets.inventory.place(
        event_id, [{"product": product_id, "attendee_name": "Ada"}], OrderDraft(**draft)
    )
    if pay:
        order = await tickets.orders.pay(order["id"], "test", {})
    return order


async def token_of(node: LiveNode, order: dict[str, Any]) -> str:
    async with node.services.database.transaction() as session:
        facts = await product_facts(session, [p["product"] for p in order["positions"]])
    [entitlement] = entitlements_of(order, facts)
    return ticket_token(node.secret_key, DEMO_SLUG, entitlement)


async def online_checkins(node: LiveNode, order: dict[str, Any]) -> int:
    async with node.services.database.transaction() as session:
        found = await session.execute(
            select(func.count())
            .select_from(checkins)
            .join(checkin_lists, checkin_lists.c.id == checkins.c.list_id)
            .join(order_positions, order_positions.c.id == checkins.c.position_id)
            .where(order_positions.c.order_id == order["id"], checkin_lists.c.online.is_(True))
        )
        return int(found.scalar_one())


async def test_a_paid_ticket_joins_and_cancelling_it_closes_every_socket_at_once(
    two_nodes: tuple[LiveNode, LiveNode],
) -> None:
    a, b = two_nodes
    order = await buy_online_ticket(a.services)
    token = await token_of(a, order)

    async with b.client(token=token) as on_b, a.client(token=token) as on_a:
        assert on_b.authenticated["user"]["display_name"] == "Ada"
        assert await online_checkins(a, order) == 2
        await a.services.tickets.orders.cancel(order["id"])
        # Both nodes reload their socket of this holder within a second and close it.
        await asyncio.gather(
            on_a.push("connection.reload", 1.0), on_b.push("connection.reload", 1.0)
        )
        async with asyncio.timeout(2):
            while on_a.sio.connected or on_b.sio.connected:  # noqa: ASYNC110 - client state
                await asyncio.sleep(0.02)

    refused = await refusal(b.url, {"event": DEMO_SLUG, "token": token})
    assert refused["data"]["code"] == "auth.revoked"


async def test_a_pending_ticket_joins_only_if_valid_while_pending(
    two_nodes: tuple[LiveNode, LiveNode],
) -> None:
    a, b = two_nodes
    unpaid = await buy_online_ticket(a.services, pay=False)
    valid = await buy_online_ticket(a.services, pay=False, valid_if_pending=True)

    # An unpaid ticket has no entitlement at all; one valid while pending has.
    async with a.services.database.transaction() as session:
        facts = await product_facts(session, [unpaid["positions"][0]["product"]])
    assert entitlements_of(unpaid, facts) == []
    async with b.client(token=await token_of(a, valid)) as client:
        assert client.authenticated["user"]["display_name"] == "Ada"
