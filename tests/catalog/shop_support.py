"""A running inventory for tests: an actor system on a database with a controllable clock, and
a small shop (one event, products, quotas) made of fresh rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from actors import ActorSystem, running_actor_system
from catalog.tickets.availability import Availability, item_availability
from catalog.tickets.availability_queries import item_quota_ids, quota_usages
from catalog.tickets.inventory import Inventory
from catalog.tickets.inventory_actor import InventoryActor, TicketDeps
from catalog.tickets.tables import ticket_events
from core.clock import utc_now
from core.database import Database
from core.settings import ActorSettings
from tests.catalog.ticket_rows import make_event, make_product, make_quota


@dataclass
class ManualClock:
    """Wall time that moves only when told to."""

    now: datetime = field(default_factory=utc_now)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True)
class NodeDeps:
    database: Database
    tickets: TicketDeps


@asynccontextmanager
async def running_inventory(
    database: Database,
    clock: ManualClock,
    *,
    node_id: str = "t",
    redis_url: str | None = None,
    **actor_settings: Any,
) -> AsyncIterator[tuple[ActorSystem, Inventory]]:
    async with running_actor_system(
        ActorSettings(ask_timeout_s=20, **actor_settings),
        node_id=node_id,
        redis_url=redis_url,
        database=database,
        deps=NodeDeps(database, TicketDeps(database, clock=clock)),
    ) as system:
        system.register(InventoryActor)
        yield system, Inventory(system, database, ask_timeout_s=20)


@dataclass(frozen=True)
class Shop:
    event_id: str
    product_id: str
    quota_id: str


async def make_shop(database: Database, size: int | None, *, reservation_minutes: int = 30) -> Shop:
    async with database.transaction() as session:
        event_id = await make_event(session)
        product_id = await make_product(session, event_id)
        quota_id = await make_quota(session, event_id, size, [(product_id, None)])
        await session.execute(
            ticket_events.update()
            .where(ticket_events.c.id == event_id)
            .values(reservation_minutes=reservation_minutes)
        )
    return Shop(event_id, product_id, quota_id)


async def availability(
    database: Database, product_id: str, now: datetime, variation_id: str | None = None
) -> Availability:
    async with database.transaction() as session:
        ids = await item_quota_ids(session, product_id, variation_id)
        usages = await quota_usages(session, ids, now)
    return item_availability(usages.values())


async def count(database: Database, statement: Any) -> int:
    async with database.transaction() as session:
        return int((await session.execute(statement)).scalar_one())


__all__ = ["select"]


class PlainLinks:
    """Links a test can recognise; join links name the uid instead of a signed token."""

    def order_url(self, order: dict[str, Any]) -> str:
        return f"http://shop.test/order/{order['code']}/{order['secret']}/"

    def ticket_url(self, order: dict[str, Any], position_id: str) -> str:
        return f"http://shop.test/order/{order['code']}/ticket/{position_id}/"

    def join_url(self, order: dict[str, Any], entitlement: Any) -> str | None:
        return f"http://live.test/join#uid={entitlement.uid}"
