"""Durable ticket orders per second against one hot quota on the real PostgreSQL: the inventory
actor's group commit against one locked transaction per order (row lock, pretix's advisory lock).

Each variant gets a throwaway database (migrated, dropped afterwards) with one event, one product
and one quota, and more single-ticket attempts than the quota holds. Prints figures and OK/FAIL
checks (nothing oversold, nothing refused while room was left); asserts on no timing.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from importlib.metadata import version
from typing import Any
from uuid import uuid4

import asyncpg
import uvloop
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from actors import running_actor_system
from bench.orders_baseline import Lock, LockedSale
from bench.stats import Latency
from catalog.tickets.errors import SoldOutError
from catalog.tickets.inventory import Inventory
from catalog.tickets.inventory_actor import InventoryActor, TicketDeps
from catalog.tickets.offers import load_offers, load_terms
from catalog.tickets.sale_orders import OrderDraft
from catalog.tickets.tables import (
    order_positions,
    orders,
    organizers,
    products,
    quota_members,
    quotas,
    ticket_events,
)
from core.clock import utc_now
from core.database import Database, create_database
from core.errors import EventyayError
from core.gc_tuning import freeze_startup_objects, tune_for_serving
from core.ids import new_id
from core.migrate import migrate
from core.settings import ActorSettings, DatabaseSettings

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_PER_S = 5_000
WARM_UP_ORDERS = 500
VARIANTS = ("actor", "rowlock", "advisory")
Place = Callable[[str], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class BenchDeps:
    database: Database
    tickets: TicketDeps


@dataclass(frozen=True, slots=True)
class Shop:
    event_id: str
    product_id: str
    quota_id: str


@dataclass(frozen=True, slots=True)
class Attempt:
    latency_ns: int
    outcome: str  # "sold", "refused" or an error code
    done_at: datetime
    done_s: float  # since the run started


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    attempts: list[Attempt]

    def of(self, outcome: str) -> list[Attempt]:
        return [a for a in self.attempts if a.outcome == outcome]


async def make_shop(database: Database, size: int | None) -> Shop:
    organizer_id, event_id, product_id, quota_id = new_id(), new_id(), new_id(), new_id()
    now = utc_now()
    async with database.transaction() as session:
        await session.execute(
            insert(organizers).values(id=organizer_id, slug=organizer_id, name="O", created_at=now)
        )
        await session.execute(
            insert(ticket_events).values(
                id=event_id,
                organizer_id=organizer_id,
                slug=f"{organizer_id}/{event_id}",
                name="Bench",
                currency="EUR",
                created_at=now,
            )
        )
        await session.execute(
            insert(products).values(
                id=product_id,
                event_id=event_id,
                category_id=None,
                name="Ticket",
                description="",
                price=Decimal("25.00"),
                admission=True,
                active=True,
                sort_key=0,
            )
        )
        await session.execute(
            insert(quotas).values(id=quota_id, event_id=event_id, name="Q", size=size, closed=False)
        )
        await session.execute(
            insert(quota_members).values(
                quota_id=quota_id, product_id=product_id, variation_id=None
            )
        )
    return Shop(event_id, product_id, quota_id)


async def drive(place: Place, product_id: str, attempts: int, clients: int) -> Run:
    """``clients`` concurrent clients, each placing its next order once the last was answered,
    until ``attempts`` were made in all."""
    numbers = iter(range(attempts))
    done: list[Attempt] = []
    clock = time.perf_counter_ns

    async def client() -> None:
        for _ in numbers:
            sent = clock()
            try:
                await place(product_id)
                outcome = "sold"
            except SoldOutError:
                outcome = "refused"
            except EventyayError as error:
                outcome = error.code
            ended = clock()
            done.append(Attempt(ended - sent, outcome, utc_now(), (ended - started) / 1e9))

    started = clock()
    await asyncio.gather(*(client() for _ in range(clients)))
    return Run((clock() - started) / 1e9, done)


async def analyze(database: Database) -> None:
    """Planner statistics as a database in service has them (a fresh one has none)."""
    async with database.engine.connect() as connection:
        await connection.execute(text("ANALYZE"))
        await connection.commit()


async def actor_run(database: Database, args: argparse.Namespace) -> tuple[Shop, Run, str]:
    warm_up, shop = await make_shop(database, None), await make_shop(database, args.quota)
    deps = BenchDeps(database, TicketDeps(database))
    async with running_actor_system(
        ActorSettings(ask_timeout_s=60), node_id="bench", database=database, deps=deps
    ) as system:
        system.register(InventoryActor)
        inventory = Inventory(system, database, ask_timeout_s=60)

        def place(event_id: str) -> Place:
            return lambda product: inventory.place(event_id, [{"product": product}], OrderDraft())

        await drive(place(warm_up.event_id), warm_up.product_id, WARM_UP_ORDERS, args.clients)
        await analyze(database)
        freeze_startup_objects()  # as `eventyay run` does once a node is up
        run = await drive(place(shop.event_id), shop.product_id, args.orders, args.clients)
        stats = await system.ref(InventoryActor, shop.event_id).ask(InventoryActor.stats)
    batches, writes = stats["batches"], stats["writes"]
    note = f"{batches:,} batches, average {writes / max(batches, 1):,.1f} requests per commit"
    return shop, run, note


async def locked_sale(database: Database, size: int | None, lock: Lock) -> tuple[Shop, LockedSale]:
    shop = await make_shop(database, size)
    async with database.transaction() as session:
        terms = await load_terms(session, shop.event_id)
        assert terms is not None
        offers = await load_offers(session, terms)
    return shop, LockedSale(database, offers, lock)


async def locked_run(
    database: Database, args: argparse.Namespace, lock: Lock
) -> tuple[Shop, Run, str]:
    warm_up, warm_sale = await locked_sale(database, None, lock)
    shop, sale = await locked_sale(database, args.quota, lock)
    await drive(warm_sale.place, warm_up.product_id, WARM_UP_ORDERS, args.clients)
    await analyze(database)
    run = await drive(sale.place, shop.product_id, args.orders, args.clients)
    return shop, run, "one transaction per attempt"


@dataclass(frozen=True, slots=True)
class Stored:
    orders: int
    positions: int
    last_decided: datetime | None  # the newest order's created_at: when it was decided


async def stored(database: Database, event_id: str) -> Stored:
    async with database.transaction() as session:
        row = (
            await session.execute(
                select(func.count(), func.max(orders.c.created_at)).where(
                    orders.c.event_id == event_id
                )
            )
        ).one()
        positions = (
            await session.execute(
                select(func.count())
                .select_from(order_positions)
                .join(orders, orders.c.id == order_positions.c.order_id)
                .where(orders.c.event_id == event_id, order_positions.c.canceled.is_(False))
            )
        ).scalar_one()
    return Stored(row[0], positions, row[1])


def check(ok: bool, what: str) -> bool:
    print(f"  {'OK  ' if ok else 'FAIL'}  {what}")
    return ok


def report(name: str, run: Run, db: Stored, quota: int, note: str) -> float:
    """Print one variant's figures and checks; answers its durable orders per second."""
    sold, refused = run.of("sold"), run.of("refused")
    errors = [a for a in run.attempts if a.outcome not in ("sold", "refused")]
    rate = len(sold) / run.seconds
    sold_out_s = max((a.done_s for a in sold), default=run.seconds)
    print(f"{name}: {len(run.attempts):,} attempts in {run.seconds:.2f} s")
    print(f"  throughput  {rate:,.0f} durable orders/s (sold ÷ wall time)")
    print(f"              {len(sold) / sold_out_s:,.0f}/s until the last sale ({sold_out_s:.2f} s)")
    print(f"  latency     all     {Latency.of_ns([a.latency_ns for a in run.attempts]).text()}")
    if sold:
        print(f"              sold    {Latency.of_ns([a.latency_ns for a in sold]).text()}")
    if refused:
        print(f"              refused {Latency.of_ns([a.latency_ns for a in refused]).text()}")
    print(f"  outcome     sold {len(sold):,}, refused {len(refused):,}, errors {len(errors):,}")
    print(f"  writes      {note}")
    check(not errors, f"no errors ({sorted({a.outcome for a in errors})})")
    check(len(sold) == db.orders == db.positions, "every sale stored, nothing else stored")
    check(db.positions == quota, f"sold == quota ({db.positions:,} of {quota:,}): no oversell")
    first_refusal = min((a.done_at for a in refused), default=None)
    full_first = (
        first_refusal is None or db.last_decided is None or db.last_decided <= first_refusal
    )
    check(full_first, "every refusal came after the last sale was decided (quota was full)")
    return rate


@asynccontextmanager
async def fresh_database(pool_size: int) -> AsyncIterator[Database]:
    name = f"eyl_bench_{uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN_URL, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        database = create_database(url, DatabaseSettings(pool_size=pool_size))
        try:
            await migrate(database)
            yield database
        finally:
            await database.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def describe() -> None:
    admin = await asyncpg.connect(ADMIN_URL, timeout=5)
    try:
        server = await admin.fetchval("SHOW server_version")
        sync = await admin.fetchval("SHOW synchronous_commit")
    finally:
        await admin.close()
    print(
        f"Python {platform.python_version()}, uvloop {version('uvloop')}, "
        f"SQLAlchemy {version('sqlalchemy')}, asyncpg {version('asyncpg')}, "
        f"PostgreSQL {server} (synchronous_commit={sync})"
    )


async def main(args: argparse.Namespace) -> None:
    await describe()
    print(
        f"{args.orders:,} single-ticket attempts on one quota of {args.quota:,}, "
        f"{args.clients} concurrent clients, pool_size {args.pool_size} (+10 overflow), "
        f"each variant on a fresh database after {WARM_UP_ORDERS} warm-up orders on another event\n"
    )
    locked = scaled(args, args.baseline_quota or args.quota)
    if locked.quota != args.quota:
        print(
            f"rowlock and advisory: {locked.orders:,} attempts on a quota of {locked.quota:,} "
            f"by {locked.clients} clients (each of their orders counts every order sold before "
            "it; more clients only queue longer for the lock, and past the pool they time out)\n"
        )
    rates: dict[str, float] = {}
    for name in args.only or VARIANTS:
        async with fresh_database(args.pool_size) as database:
            if name == "actor":
                shop, run, note = await actor_run(database, args)
                quota = args.quota
            else:
                lock: Lock = "rowlock" if name == "rowlock" else "advisory"
                shop, run, note = await locked_run(database, locked, lock)
                quota = locked.quota
            found = await stored(database, shop.event_id)
        rates[name] = report(name, run, found, quota, note)
        print()
    if "actor" in rates:
        verdict = "met" if rates["actor"] >= TARGET_PER_S else "MISSED"
        print(f"target ≥ {TARGET_PER_S:,} durable orders/s for the actor → {verdict}")
        for baseline in ("rowlock", "advisory"):
            if baseline in rates:
                print(f"actor / {baseline} = {rates['actor'] / rates[baseline]:.1f} (same run)")


def scaled(args: argparse.Namespace, quota: int) -> argparse.Namespace:
    """The same run on another quota size, with as many attempts per ticket."""
    return argparse.Namespace(
        **{
            **vars(args),
            "quota": quota,
            "orders": args.orders * quota // args.quota,
            "clients": min(args.clients, args.baseline_clients),
        }
    )


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=24_000, help="attempts per variant")
    parser.add_argument("--quota", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=2000, help="concurrent clients")
    parser.add_argument(
        "--baseline-clients",
        type=int,
        default=200,
        help="concurrent clients of rowlock and advisory (at most --clients)",
    )
    parser.add_argument("--pool-size", type=int, default=DatabaseSettings().pool_size)
    parser.add_argument(
        "--baseline-quota",
        type=int,
        default=2_000,
        help="quota for rowlock and advisory, attempts scaled alike; 0: the same as --quota",
    )
    parser.add_argument("--only", choices=VARIANTS, action="append", help="repeatable")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="uvloop")
    args = parser.parse_args()
    factory = uvloop.new_event_loop if args.loop == "uvloop" else None
    tune_for_serving()  # the collector thresholds of `eventyay run`
    started = time.perf_counter()
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(main(args))
    print(f"({time.perf_counter() - started:.1f} s in all, {args.loop} loop)")


if __name__ == "__main__":
    cli()
