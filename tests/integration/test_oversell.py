"""A thousand buyers against a hundred tickets on three node processes sharing Redis and
PostgreSQL, with the inventory's owner killed (-9) mid-sale: exactly the quota is sold, nobody
pays without a ticket or twice, and once reservations expire nothing is left held.
"""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from catalog.tickets import AvailabilityState, OrderStatus
from catalog.tickets.tables import cart_positions, carts, order_positions, orders, payments
from core.clock import utc_now
from core.database import Database
from tests.catalog.shop_support import Shop, availability, count, make_shop
from tests.integration.processes import NodeProcess

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.redis]

QUOTA = 100
BUYERS = 1000
LATE_BUYERS = 300
RETRIABLE = {"tickets.busy", "actor.timeout", "actor.node_unavailable", "server.unavailable"}


class Cluster:
    """The node processes and one HTTP client (aiohttp: httpx's pool spends whole seconds of
    CPU per request when a thousand requests wait for connections)."""

    def __init__(self, nodes: list[NodeProcess], http: aiohttp.ClientSession) -> None:
        self.nodes = nodes
        self.http = http

    def alive(self) -> list[NodeProcess]:
        return [node for node in self.nodes if node.alive]

    async def call(self, buyer: int, path: str, data: dict[str, Any]) -> dict[str, Any]:
        """POST to the buyer's node, retrying contention and dead nodes on the next one."""
        for attempt in range(60):
            nodes = self.alive()
            node = nodes[(buyer + attempt) % len(nodes)]
            try:
                async with self.http.post(f"{node.url}{path}", json=data) as reply:
                    body: dict[str, Any] = await reply.json()
                    status = reply.status
            except (aiohttp.ClientError, TimeoutError):
                await asyncio.sleep(0.1)
                continue
            if status == 200:
                return body
            if body["error"]["code"] not in RETRIABLE:
                return body
            await asyncio.sleep(0.1 + random.random() * 0.2)
        raise AssertionError(f"{path} for buyer {buyer} never went through")


async def buy(cluster: Cluster, shop: Shop, buyer: int, *, carts_allowed: bool) -> str:
    """One buyer's way through the shop; what became of them."""
    line = {"product": shop.product_id}
    key = f"buyer-{buyer}"
    if carts_allowed and buyer % 10 < 6:
        cart = await cluster.call(
            buyer, "/reserve", {"event_id": shop.event_id, "cart_id": key, "lines": [line]}
        )
        if "error" in cart:
            return cart["error"]["code"]
        if buyer % 5 == 0:
            return "abandoned"
        order = await cluster.call(
            buyer, "/checkout", {"event_id": shop.event_id, "cart_id": key, "request_key": key}
        )
    else:
        order = await cluster.call(
            buyer, "/place", {"event_id": shop.event_id, "lines": [line], "request_key": key}
        )
    if "error" in order:
        return str(order["error"]["code"])
    paid = await cluster.call(buyer, "/pay", {"order_id": order["id"]})
    if "error" in paid and paid["error"]["details"].get("status") != OrderStatus.PAID:
        raise AssertionError(f"buyer {buyer} could not pay: {paid}")
    return "paid"


async def kill_the_owner_after(database: Database, shop: Shop, cluster: Cluster, sold: int) -> str:
    held = select(func.count()).select_from(orders).where(orders.c.event_id == shop.event_id)
    while await count(database, held) < sold:  # noqa: ASYNC110 - polling another process's writes
        await asyncio.sleep(0.02)
    for node in cluster.nodes:
        async with cluster.http.get(f"{node.url}/hosts/{shop.event_id}") as reply:
            hosts = (await reply.json())["hosts"]
        if hosts:
            node.kill()
            return node.node_id
    raise AssertionError("no node hosts the inventory")


@pytest.mark.timeout(180)
async def test_a_thousand_buyers_on_three_nodes_get_exactly_the_quota(
    postgres_database: Database,
    postgres_url: str,
    redis_url: str,
    redis_prefix: str,
    tmp_path: Path,
) -> None:
    database = postgres_database
    shop = await make_shop(database, QUOTA, reservation_minutes=10)
    env = {"DB_URL": postgres_url, "REDIS_URL": redis_url, "REDIS_PREFIX": redis_prefix}
    nodes = [
        NodeProcess(f"shop-{i}", env, tmp_path, module="tests.integration.shop_node")
        for i in range(3)
    ]
    try:
        for node in nodes:
            await asyncio.to_thread(node.wait_ready)
        connector = aiohttp.TCPConnector(limit=300)
        timeout = aiohttp.ClientTimeout(total=20)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            cluster = Cluster(nodes, http)
            sale = asyncio.gather(
                *(buy(cluster, shop, b, carts_allowed=True) for b in range(BUYERS))
            )
            killed = await kill_the_owner_after(database, shop, cluster, QUOTA // 4)
            first = await sale
            # Reservations of the abandoned carts run out; late buyers get what they held.
            for node in cluster.alive():
                async with http.post(f"{node.url}/clock", json={"offset_s": 11 * 60}) as moved:
                    assert moved.status == 200
            late = await asyncio.gather(
                *(buy(cluster, shop, BUYERS + b, carts_allowed=False) for b in range(LATE_BUYERS))
            )
    finally:
        for node in nodes:
            node.stop()

    outcomes = first + late
    assert killed
    assert set(outcomes) <= {"paid", "abandoned", "tickets.sold_out"}, set(outcomes)
    assert "abandoned" in first
    assert "tickets.sold_out" in first
    # The late wave sold what abandoned carts had held.
    assert "paid" in late

    event_orders = orders.c.event_id == shop.event_id
    sold = (
        select(func.count())
        .select_from(order_positions)
        .join(orders, orders.c.id == order_positions.c.order_id)
        .where(event_orders, orders.c.status == OrderStatus.PAID)
    )
    assert await count(database, sold) == QUOTA
    not_paid = (
        select(func.count())
        .select_from(orders)
        .where(event_orders, orders.c.status != OrderStatus.PAID)
    )
    assert await count(database, not_paid) == 0
    # One confirmed payment per paid order, none for anything else.
    charged = (
        select(func.count(), func.count(func.distinct(payments.c.order_id)))
        .select_from(payments)
        .join(orders, orders.c.id == payments.c.order_id)
        .where(event_orders, payments.c.state == "confirmed")
    )
    async with database.transaction() as session:
        charges, charged_orders = (await session.execute(charged)).one()
    paid_orders = select(func.count()).select_from(orders).where(event_orders)
    assert charges == charged_orders == await count(database, paid_orders)
    assert outcomes.count("paid") == charged_orders

    later = utc_now() + timedelta(minutes=11)
    held = (
        select(func.count())
        .select_from(cart_positions)
        .join(carts, carts.c.id == cart_positions.c.cart_id)
        .where(carts.c.event_id == shop.event_id, cart_positions.c.expires_at >= later)
    )
    assert await count(database, held) == 0
    final = await availability(database, shop.product_id, later)
    assert (final.state, final.left) == (AvailabilityState.GONE, 0)
