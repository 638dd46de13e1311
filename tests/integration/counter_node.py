"""A cluster node for integration tests: the actor runtime with the sample durable counter,
behind a tiny HTTP API. Run as ``python -m tests.integration.counter_node`` (settings from env).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from actors import ActorSystem, running_actor_system
from core.database import running_database
from core.errors import EventyayError
from core.settings import ActorSettings, DatabaseSettings, RedisSettings
from tests.support.sample_actors import DurableCounter


def build_app() -> Starlette:
    node_id = os.environ["NODE_ID"]
    actor_settings = ActorSettings(ask_timeout_s=float(os.environ.get("ASK_TIMEOUT_S", "2")))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with (
            running_database(os.environ["DB_URL"], DatabaseSettings()) as database,
            running_actor_system(
                actor_settings,
                node_id=node_id,
                redis_url=os.environ["REDIS_URL"],
                redis_settings=RedisSettings(key_prefix=os.environ["REDIS_PREFIX"]),
                database=database,
                deps=SimpleNamespace(database=database),
            ) as system,
        ):
            system.register(DurableCounter)
            app.state.system = system
            yield

    def counter(request: Request) -> tuple[ActorSystem, str]:
        return request.app.state.system, request.path_params["key"]

    async def increment(request: Request) -> JSONResponse:
        system, key = counter(request)
        value = await system.ref(DurableCounter, key).ask(
            DurableCounter.increment, request.path_params["op"]
        )
        return JSONResponse({"value": value, "node": node_id})

    async def where(request: Request) -> JSONResponse:
        system, key = counter(request)
        owner = await system.ref(DurableCounter, key).ask(DurableCounter.where)
        return JSONResponse({"owner": owner, "node": node_id})

    async def ready(request: Request) -> JSONResponse:
        return JSONResponse({"node": node_id})

    async def failed(request: Request, exc: Exception) -> JSONResponse:
        code = exc.code if isinstance(exc, EventyayError) else type(exc).__name__
        return JSONResponse({"error": code, "node": node_id}, status_code=503)

    return Starlette(
        routes=[
            Route("/ready", ready),
            Route("/increment/{key}/{op}", increment, methods=["POST"]),
            Route("/where/{key}", where),
        ],
        lifespan=lifespan,
        # Handled by the exception middleware (not re-raised), so keep-alive connections stay up.
        exception_handlers={EventyayError: failed, Exception: failed},
    )


if __name__ == "__main__":
    uvicorn.run(build_app(), host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning")
