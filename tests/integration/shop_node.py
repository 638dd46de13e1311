"""A cluster node for the oversell test: the actor runtime with the inventory actor and the
order service, behind a tiny JSON API. Run as ``python -m tests.integration.shop_node``.

Its clock is wall time plus an offset the test may move (``POST /clock``), so reservations can
expire without waiting for them.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from actors import running_actor_system
from catalog.tickets import (
    Inventory,
    InventoryActor,
    OrderDraft,
    OrderNotices,
    OrderService,
    TicketDeps,
    providers,
)
from core.clock import utc_now
from core.database import running_database
from core.errors import EventyayError
from core.settings import ActorSettings, DatabaseSettings, RedisSettings
from tests.catalog.shop_support import NodeDeps, PlainLinks


class OffsetClock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utc_now() + self.offset


def build_app() -> Starlette:
    node_id = os.environ["NODE_ID"]
    clock = OffsetClock()
    offered = providers(test_payments=True)
    notices = OrderNotices(PlainLinks(), offered)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with (
            running_database(os.environ["DB_URL"], DatabaseSettings()) as database,
            running_actor_system(
                ActorSettings(ask_timeout_s=3),
                node_id=node_id,
                redis_url=os.environ["REDIS_URL"],
                redis_settings=RedisSettings(key_prefix=os.environ["REDIS_PREFIX"]),
                database=database,
                deps=NodeDeps(database, TicketDeps(database, clock=clock, on_sale=notices)),
            ) as system,
        ):
            system.register(InventoryActor)
            inventory = Inventory(system, database, ask_timeout_s=3)
            app.state.inventory = inventory
            app.state.orders = OrderService(database, inventory, offered, notices, clock=clock)
            app.state.system = system
            yield

    async def body(request: Request) -> dict[str, Any]:
        data: dict[str, Any] = await request.json()
        return data

    async def reserve(request: Request) -> JSONResponse:
        data = await body(request)
        inventory: Inventory = request.app.state.inventory
        return JSONResponse(
            await inventory.reserve(data["event_id"], data["cart_id"], data["lines"])
        )

    async def checkout(request: Request) -> JSONResponse:
        data = await body(request)
        inventory: Inventory = request.app.state.inventory
        draft = OrderDraft(request_key=data["request_key"])
        return JSONResponse(await inventory.checkout(data["event_id"], data["cart_id"], draft))

    async def place(request: Request) -> JSONResponse:
        data = await body(request)
        inventory: Inventory = request.app.state.inventory
        draft = OrderDraft(request_key=data["request_key"])
        return JSONResponse(await inventory.place(data["event_id"], data["lines"], draft))

    async def pay(request: Request) -> JSONResponse:
        data = await body(request)
        orders: OrderService = request.app.state.orders
        return JSONResponse(await orders.pay(data["order_id"], "test", {}))

    async def order(request: Request) -> JSONResponse:
        orders: OrderService = request.app.state.orders
        return JSONResponse(await orders.get(request.path_params["order_id"]))

    async def move_clock(request: Request) -> JSONResponse:
        clock.offset = timedelta(seconds=(await body(request))["offset_s"])
        return JSONResponse({"now": clock().isoformat()})

    async def hosts(request: Request) -> JSONResponse:
        inventory: Inventory = request.app.state.inventory
        ref = inventory.actors.ref(InventoryActor, request.path_params["event_id"])
        return JSONResponse({"hosts": request.app.state.system.is_active(ref.actor)})

    async def ready(request: Request) -> JSONResponse:
        return JSONResponse({"node": node_id})

    async def failed(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, EventyayError):
            return JSONResponse({"error": exc.to_wire(), "node": node_id}, status_code=exc.status)
        return JSONResponse({"error": {"code": type(exc).__name__}}, status_code=500)

    return Starlette(
        routes=[
            Route("/ready", ready),
            Route("/reserve", reserve, methods=["POST"]),
            Route("/checkout", checkout, methods=["POST"]),
            Route("/place", place, methods=["POST"]),
            Route("/pay", pay, methods=["POST"]),
            Route("/order/{order_id}", order),
            Route("/clock", move_clock, methods=["POST"]),
            Route("/hosts/{event_id}", hosts),
        ],
        lifespan=lifespan,
        exception_handlers={EventyayError: failed, Exception: failed},
    )


if __name__ == "__main__":
    uvicorn.run(build_app(), host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning")
